import { describe, expect, it } from 'vitest';
import type { ChatChunk, ChatRequest } from '../../api/chat.js';
import type { ModelInfo, ProviderConfig } from '../../config/types.js';
import type { StreamEvent } from '../../core/upstream.js';
import type { DecodeContext, StreamItem } from '../types.js';
import { anthropicAdapter } from './index.js';

function ctx(request: Partial<ChatRequest> = {}): DecodeContext {
  const model: ModelInfo = { id: 'claude-sonnet-4-5', capabilities: new Set(['chat']), compliance: [] };
  const provider = { name: 'anthropic', format: 'anthropic', baseUrl: 'http://127.0.0.1:1', headers: {} } as unknown as ProviderConfig;
  return { request: { model: 'smart', messages: [], stream: true, ...request }, target: { provider, model }, requestId: 'req_1', created: 1_700_000_000 };
}

const ev = (event: string, data: object): StreamEvent => ({ event, data: JSON.stringify({ type: event, ...data }) });

function decodeAll(events: StreamEvent[], request: Partial<ChatRequest> = {}): StreamItem[] {
  const decoder = anthropicAdapter.streamDecoder(ctx(request));
  return [...events.flatMap((e) => decoder.decode(e)), ...decoder.end()];
}

const chunks = (items: StreamItem[]): ChatChunk[] => items.flatMap((i) => (i.kind === 'chunk' ? [i.chunk] : []));

const messageStart = ev('message_start', {
  message: {
    id: 'msg_014p7gG3wDgGV9EUtLvnow3U',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5-20250929',
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 472, output_tokens: 2, cache_creation_input_tokens: 0, cache_read_input_tokens: 128 },
  },
});

/** Text, then two tool_use blocks, as the Messages API streams them (input_json_delta in pieces). */
const toolStream: StreamEvent[] = [
  messageStart,
  ev('ping', {}),
  ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
  ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Let me check ' } }),
  ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'both cities.' } }),
  ev('content_block_stop', { index: 0 }),
  ev('content_block_start', { index: 1, content_block: { type: 'tool_use', id: 'toolu_01T1x', name: 'get_weather', input: {} } }),
  ev('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '' } }),
  ev('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '{"location":' } }),
  ev('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: ' "Paris"}' } }),
  ev('content_block_stop', { index: 1 }),
  ev('content_block_start', { index: 2, content_block: { type: 'tool_use', id: 'toolu_01T2y', name: 'get_weather', input: {} } }),
  ev('content_block_delta', { index: 2, delta: { type: 'input_json_delta', partial_json: '{"location": "Ro' } }),
  ev('content_block_delta', { index: 2, delta: { type: 'input_json_delta', partial_json: 'me"}' } }),
  ev('content_block_stop', { index: 2 }),
  ev('message_delta', { delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 89 } }),
  ev('message_stop', {}),
];

describe('anthropic streamDecoder', () => {
  it('decodes text and two tool_use blocks into OpenAI chunks', () => {
    const items = decodeAll(toolStream);
    expect(items.at(-1)).toEqual({ kind: 'done' });
    expect(items.filter((i) => i.kind !== 'chunk' && i.kind !== 'done')).toEqual([]);
    const cs = chunks(items);
    for (const c of cs) {
      expect(c).toMatchObject({
        id: 'msg_014p7gG3wDgGV9EUtLvnow3U',
        object: 'chat.completion.chunk',
        created: 1_700_000_000,
        model: 'claude-sonnet-4-5-20250929',
      });
    }
    expect(cs.map((c) => c.choices[0]?.delta ?? null)).toEqual([
      { role: 'assistant', content: '' },
      { content: 'Let me check ' },
      { content: 'both cities.' },
      { tool_calls: [{ index: 0, id: 'toolu_01T1x', type: 'function', function: { name: 'get_weather', arguments: '' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '{"location":' } }] },
      { tool_calls: [{ index: 0, function: { arguments: ' "Paris"}' } }] },
      { tool_calls: [{ index: 1, id: 'toolu_01T2y', type: 'function', function: { name: 'get_weather', arguments: '' } }] },
      { tool_calls: [{ index: 1, function: { arguments: '{"location": "Ro' } }] },
      { tool_calls: [{ index: 1, function: { arguments: 'me"}' } }] },
      {},
      null,
    ]);
    expect(cs.map((c) => c.choices[0]?.finish_reason ?? null)).toEqual([null, null, null, null, null, null, null, null, null, 'tool_calls', null]);
    const last = cs.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toEqual({
      prompt_tokens: 600,
      completion_tokens: 89,
      total_tokens: 689,
      prompt_tokens_details: { cached_tokens: 128 },
    });
  });

  it('reassembles tool arguments that parse as the original input', () => {
    const args = new Map<number, string>();
    for (const c of chunks(decodeAll(toolStream))) {
      for (const tc of c.choices[0]?.delta.tool_calls ?? []) args.set(tc.index, (args.get(tc.index) ?? '') + (tc.function?.arguments ?? ''));
    }
    expect([...args.values()].map((a) => JSON.parse(a) as unknown)).toEqual([{ location: 'Paris' }, { location: 'Rome' }]);
  });

  it('ignores thinking blocks and maps max_tokens to length', () => {
    const cs = chunks(
      decodeAll([
        messageStart,
        ev('content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }),
        ev('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: 'Hmm.' } }),
        ev('content_block_delta', { index: 0, delta: { type: 'signature_delta', signature: 'EqQB' } }),
        ev('content_block_stop', { index: 0 }),
        ev('content_block_start', { index: 1, content_block: { type: 'text', text: '' } }),
        ev('content_block_delta', { index: 1, delta: { type: 'text_delta', text: 'Answer' } }),
        ev('content_block_stop', { index: 1 }),
        ev('message_delta', { delta: { stop_reason: 'max_tokens', stop_sequence: null }, usage: { output_tokens: 5 } }),
        ev('message_stop', {}),
      ]),
    );
    expect(cs.map((c) => c.choices[0]?.delta.content ?? null)).toEqual(['', 'Answer', null, null]);
    expect(cs[2]?.choices[0]?.finish_reason).toBe('length');
  });

  it('streams the forced JSON tool as content and finishes with stop', () => {
    const cs = chunks(
      decodeAll(
        [
          messageStart,
          ev('content_block_start', { index: 0, content_block: { type: 'tool_use', id: 'toolu_j', name: 'json', input: {} } }),
          ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: '{"colour":' } }),
          ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: '"blue"}' } }),
          ev('content_block_stop', { index: 0 }),
          ev('message_delta', { delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 9 } }),
          ev('message_stop', {}),
        ],
        { response_format: { type: 'json_object' } },
      ),
    );
    expect(cs.map((c) => c.choices[0]?.delta.content ?? null).join('')).toBe('{"colour":"blue"}');
    expect(cs.some((c) => c.choices[0]?.delta.tool_calls)).toBe(false);
    expect(cs.at(-2)?.choices[0]?.finish_reason).toBe('stop');
  });

  it('buffers a wrapped (non-object schema) JSON answer and emits it unwrapped', () => {
    const cs = chunks(
      decodeAll(
        [
          messageStart,
          ev('content_block_start', { index: 0, content_block: { type: 'tool_use', id: 'toolu_j', name: 'json', input: {} } }),
          ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: '{"value": ["a",' } }),
          ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: ' "b"]}' } }),
          ev('content_block_stop', { index: 0 }),
          ev('message_delta', { delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 9 } }),
          ev('message_stop', {}),
        ],
        { response_format: { type: 'json_schema', json_schema: { name: 'l', schema: { type: 'array', items: { type: 'string' } } } } },
      ),
    );
    expect(cs.map((c) => c.choices[0]?.delta.content ?? null)).toEqual(['', '["a","b"]', null, null]);
  });

  it('turns an in-band error event into a classified failure', () => {
    const items = decodeAll([messageStart, ev('error', { error: { type: 'overloaded_error', message: 'Overloaded' } })]);
    expect(items.at(-1)).toEqual({
      kind: 'error',
      failure: { reason: 'overloaded', disposition: 'retry', message: 'Overloaded', upstreamCode: 'overloaded_error', phase: 'stream' },
    });
  });

  it('reports unparseable data as malformed and ignores unknown events', () => {
    const items = decodeAll([messageStart, { event: 'content_block_delta', data: '{"type":"content_blo' }, ev('brand_new_event', { x: 1 })]);
    expect(items).toHaveLength(2);
    expect(items[1]).toMatchObject({ kind: 'malformed', raw: '{"type":"content_blo' });
  });

  it('emits nothing at end() when message_stop never came', () => {
    const decoder = anthropicAdapter.streamDecoder(ctx());
    decoder.decode(messageStart);
    expect(decoder.end()).toEqual([]);
  });
});
