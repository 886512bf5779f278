import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../api/chat.js';
import type { ModelInfo, ProviderConfig } from '../../config/types.js';
import { UpstreamFailure } from '../../core/failure.js';
import type { DecodeContext } from '../types.js';
import { anthropicAdapter } from './index.js';

function ctx(request: Partial<ChatRequest> = {}): DecodeContext {
  const model: ModelInfo = { id: 'claude-sonnet-4-5', capabilities: new Set(['chat']), compliance: [] };
  const provider = { name: 'anthropic', format: 'anthropic', baseUrl: 'http://127.0.0.1:1', headers: {} } as unknown as ProviderConfig;
  return { request: { model: 'smart', messages: [], ...request }, target: { provider, model }, requestId: 'req_1', created: 1_700_000_000 };
}

const base = {
  id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5-20250929',
  stop_sequence: null,
};

describe('anthropic parseChatResponse', () => {
  it('joins text blocks, skips thinking, and maps usage with cache tokens', () => {
    const res = anthropicAdapter.parseChatResponse(
      {
        ...base,
        content: [
          { type: 'thinking', thinking: 'Let me think.', signature: 'sig' },
          { type: 'text', text: 'Hello', citations: null },
          { type: 'text', text: ', world.' },
        ],
        stop_reason: 'end_turn',
        usage: { input_tokens: 12, output_tokens: 6, cache_read_input_tokens: 100, cache_creation_input_tokens: 30 },
      },
      ctx(),
    );
    expect(res).toEqual({
      id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'claude-sonnet-4-5-20250929',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello, world.' }, finish_reason: 'stop', logprobs: null }],
      usage: {
        prompt_tokens: 142,
        completion_tokens: 6,
        total_tokens: 148,
        prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 30 },
      },
    });
  });

  it('turns tool_use blocks into tool_calls', () => {
    const res = anthropicAdapter.parseChatResponse(
      {
        ...base,
        content: [
          { type: 'text', text: 'Checking both.' },
          { type: 'tool_use', id: 'toolu_01A', name: 'weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_01B', name: 'weather', input: { city: 'Rome', unit: 'c' } },
        ],
        stop_reason: 'tool_use',
        usage: { input_tokens: 50, output_tokens: 40 },
      },
      ctx(),
    );
    expect(res.choices[0]?.message).toEqual({
      role: 'assistant',
      content: 'Checking both.',
      tool_calls: [
        { id: 'toolu_01A', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
        { id: 'toolu_01B', type: 'function', function: { name: 'weather', arguments: '{"city":"Rome","unit":"c"}' } },
      ],
    });
    expect(res.choices[0]?.finish_reason).toBe('tool_calls');
    expect(res.usage).toEqual({ prompt_tokens: 50, completion_tokens: 40, total_tokens: 90 });
  });

  it('uses null content when the answer is only tool calls', () => {
    const res = anthropicAdapter.parseChatResponse(
      { ...base, content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }], stop_reason: 'tool_use', usage: { input_tokens: 1, output_tokens: 1 } },
      ctx(),
    );
    expect(res.choices[0]?.message.content).toBeNull();
    expect(res.choices[0]?.message.tool_calls?.[0]?.function.arguments).toBe('{}');
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['pause_turn', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
  ])('maps stop_reason %s to %s', (stop, finish) => {
    const res = anthropicAdapter.parseChatResponse(
      { ...base, content: [{ type: 'text', text: 'x' }], stop_reason: stop, usage: { input_tokens: 1, output_tokens: 1 } },
      ctx(),
    );
    expect(res.choices[0]?.finish_reason).toBe(finish);
  });

  it('returns the forced JSON tool input as content with finish_reason stop', () => {
    const request: Partial<ChatRequest> = { response_format: { type: 'json_object' } };
    const res = anthropicAdapter.parseChatResponse(
      {
        ...base,
        content: [{ type: 'tool_use', id: 'toolu_j', name: 'json', input: { colour: 'blue', shades: 3 } }],
        stop_reason: 'tool_use',
        usage: { input_tokens: 1, output_tokens: 1 },
      },
      ctx(request),
    );
    expect(res.choices[0]?.message).toEqual({ role: 'assistant', content: '{"colour":"blue","shades":3}' });
    expect(res.choices[0]?.finish_reason).toBe('stop');
  });

  it('unwraps a JSON answer whose schema root was not an object', () => {
    const request: Partial<ChatRequest> = {
      response_format: { type: 'json_schema', json_schema: { name: 'l', schema: { type: 'array', items: { type: 'string' } } } },
    };
    const res = anthropicAdapter.parseChatResponse(
      {
        ...base,
        content: [{ type: 'tool_use', id: 't', name: 'json', input: { value: ['a', 'b'] } }],
        stop_reason: 'tool_use',
        usage: { input_tokens: 1, output_tokens: 1 },
      },
      ctx(request),
    );
    expect(res.choices[0]?.message.content).toBe('["a","b"]');
  });

  it('throws a body-phase UpstreamFailure on a body that is not a message', () => {
    expect(() => anthropicAdapter.parseChatResponse({ type: 'message' }, ctx())).toThrow(UpstreamFailure);
    try {
      anthropicAdapter.parseChatResponse('oops', ctx());
      expect.unreachable();
    } catch (e) {
      expect((e as UpstreamFailure).failure).toMatchObject({ reason: 'server_error', phase: 'body' });
    }
  });
});
