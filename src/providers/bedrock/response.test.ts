import type { ConverseResponse } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../api/chat.js';
import type { Target } from '../../config/types.js';
import type { DecodeContext } from '../types.js';
import { bedrockAdapter } from './index.js';
import { finishReasonOf, usageOfConverse } from './response.js';

type Wire<T> = T extends Uint8Array ? string : T extends readonly (infer U)[] ? Wire<U>[] : T extends object ? { [K in keyof T]: Wire<T[K]> } : T;

const target = { provider: { name: 'aws' }, model: { id: 'amazon.nova-pro-v1:0' } } as unknown as Target;

function ctx(request: Partial<ChatRequest> = {}): DecodeContext {
  return { request: { model: 'm', messages: [], ...request }, target, requestId: 'req_123', created: 1_700_000_000 };
}

describe('parseChatResponse', () => {
  it('joins text, turns toolUse into tool_calls and maps usage with cache tokens', () => {
    const body: Wire<ConverseResponse> = {
      output: {
        message: {
          role: 'assistant',
          content: [
            { reasoningContent: { reasoningText: { text: 'thinking...', signature: 'sig' } } },
            { text: 'Let me check ' },
            { text: 'the weather.' },
            { toolUse: { toolUseId: 'tooluse_abc', name: 'get_weather', input: { city: 'Paris', days: 2 } } },
          ],
        },
      },
      stopReason: 'tool_use',
      usage: { inputTokens: 100, outputTokens: 20, totalTokens: 150, cacheReadInputTokens: 20, cacheWriteInputTokens: 10 },
      metrics: { latencyMs: 345 },
    };
    expect(bedrockAdapter.parseChatResponse(body, ctx())).toEqual({
      id: 'req_123',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'amazon.nova-pro-v1:0',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Let me check the weather.',
            tool_calls: [{ id: 'tooluse_abc', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris","days":2}' } }],
          },
          finish_reason: 'tool_calls',
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: 130,
        completion_tokens: 20,
        total_tokens: 150,
        prompt_tokens_details: { cached_tokens: 20, cache_write_tokens: 10 },
      },
    });
  });

  it('returns null content for a tool-only answer and plain usage without cache fields', () => {
    const body: Wire<ConverseResponse> = {
      output: { message: { role: 'assistant', content: [{ toolUse: { toolUseId: 't', name: 'f', input: {} } }] } },
      stopReason: 'tool_use',
      usage: { inputTokens: 5, outputTokens: 3, totalTokens: 8 },
      metrics: { latencyMs: 1 },
    };
    const res = bedrockAdapter.parseChatResponse(body, ctx());
    expect(res.choices[0]?.message.content).toBeNull();
    expect(res.usage).toEqual({ prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
  });

  it('hands the JSON-mode tool input back as content with finish_reason stop', () => {
    const body: Wire<ConverseResponse> = {
      output: { message: { role: 'assistant', content: [{ toolUse: { toolUseId: 't', name: 'json', input: { value: ['a', 'b'] } } }] } },
      stopReason: 'tool_use',
      usage: { inputTokens: 5, outputTokens: 3, totalTokens: 8 },
      metrics: { latencyMs: 1 },
    };
    const wrapped = ctx({ response_format: { type: 'json_schema', json_schema: { name: 'l', schema: { type: 'array', items: { type: 'string' } } } } });
    const res = bedrockAdapter.parseChatResponse(body, wrapped);
    expect(res.choices[0]?.message).toEqual({ role: 'assistant', content: '["a","b"]' });
    expect(res.choices[0]?.finish_reason).toBe('stop');
    const plain = bedrockAdapter.parseChatResponse(
      { ...body, output: { message: { role: 'assistant', content: [{ toolUse: { toolUseId: 't', name: 'json', input: { ok: true } } }] } } },
      ctx({ response_format: { type: 'json_object' } }),
    );
    expect(plain.choices[0]?.message.content).toBe('{"ok":true}');
  });

  it('throws on a body that is not a Converse response', () => {
    expect(() => bedrockAdapter.parseChatResponse({ message: 'nope' }, ctx())).toThrow(/not a Converse response/);
  });
});

describe('finishReasonOf', () => {
  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
    ['something_new', 'stop'],
  ])('%s → %s', (stop, finish) => {
    expect(finishReasonOf(stop)).toBe(finish);
  });

  it('ignores a usage that is not an object', () => {
    expect(usageOfConverse(undefined)).toBeUndefined();
    expect(usageOfConverse({ inputTokens: 1, outputTokens: 2, cacheReadInputTokens: 0 })).toEqual({
      prompt_tokens: 1,
      completion_tokens: 2,
      total_tokens: 3,
      prompt_tokens_details: { cached_tokens: 0 },
    });
  });
});
