import type {
  ContentBlockDeltaEvent,
  ContentBlockStartEvent,
  ContentBlockStopEvent,
  ConverseStreamMetadataEvent,
  MessageStartEvent,
  MessageStopEvent,
} from '@aws-sdk/client-bedrock-runtime';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { describe, expect, it } from 'vitest';
import type { ChatChunk, ChatRequest } from '../../api/chat.js';
import type { Target } from '../../config/types.js';
import { EventStreamDecoder } from '../../transport/eventstream.js';
import type { DecodeContext, StreamItem } from '../types.js';
import { bedrockAdapter } from './index.js';

type Wire<T> = T extends Uint8Array ? string : T extends readonly (infer U)[] ? Wire<U>[] : T extends object ? { [K in keyof T]: Wire<T[K]> } : T;
/** Bedrock pads event payloads with a random "p" field so sizes do not leak content. */
type Padded<T> = Wire<T> & { p?: string };

const codec = new EventStreamCodec(
  (b) => new TextDecoder().decode(b),
  (s) => new TextEncoder().encode(s),
);
const str = (value: string) => ({ type: 'string' as const, value });

type Payloads = {
  messageStart: Padded<MessageStartEvent>;
  contentBlockStart: Padded<ContentBlockStartEvent>;
  contentBlockDelta: Padded<ContentBlockDeltaEvent>;
  contentBlockStop: Padded<ContentBlockStopEvent>;
  messageStop: Padded<MessageStopEvent>;
  metadata: Padded<ConverseStreamMetadataEvent>;
};

function ev<K extends keyof Payloads>(type: K, payload: Payloads[K]): Uint8Array {
  return codec.encode({
    headers: { ':message-type': str('event'), ':event-type': str(type), ':content-type': str('application/json') },
    body: new TextEncoder().encode(JSON.stringify(payload)),
  });
}

function exception(type: string, message: string): Uint8Array {
  return codec.encode({
    headers: { ':message-type': str('exception'), ':exception-type': str(type), ':content-type': str('application/json') },
    body: new TextEncoder().encode(JSON.stringify({ message })),
  });
}

const target = { provider: { name: 'aws' }, model: { id: 'anthropic.claude-3-haiku-20240307-v1:0' } } as unknown as Target;
const ctx = (request: Partial<ChatRequest> = {}): DecodeContext => ({
  request: { model: 'm', messages: [], ...request },
  target,
  requestId: 'req_s',
  created: 1_700_000_001,
});

/** Feeds `bytes` through the event-stream framing in chunks of the given (cycled) sizes, then the adapter. */
function run(bytes: Uint8Array, sizes: number[], c: DecodeContext = ctx()): StreamItem[] {
  const framing = new EventStreamDecoder();
  const decoder = bedrockAdapter.streamDecoder(c);
  const items: StreamItem[] = [];
  let at = 0;
  for (let i = 0; at < bytes.byteLength; i++) {
    const size = sizes[i % sizes.length] ?? 1;
    for (const e of framing.push(bytes.subarray(at, at + size))) items.push(...decoder.decode(e));
    at += size;
  }
  framing.end();
  items.push(...decoder.end());
  return items;
}

const chunks = (items: StreamItem[]): ChatChunk[] => items.flatMap((i) => (i.kind === 'chunk' ? [i.chunk] : []));

const fullStream = Buffer.concat([
  ev('messageStart', { role: 'assistant', p: 'abcd' }),
  ev('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hello' }, p: 'abcdefghijk' }),
  ev('contentBlockDelta', { contentBlockIndex: 0, delta: { text: ', world' } }),
  ev('contentBlockStop', { contentBlockIndex: 0 }),
  ev('contentBlockStart', { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tooluse_1', name: 'get_weather' } } }),
  ev('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '{"city":' } } }),
  ev('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '"Paris"}' } } }),
  ev('contentBlockStop', { contentBlockIndex: 1 }),
  ev('contentBlockStart', { contentBlockIndex: 2, start: { toolUse: { toolUseId: 'tooluse_2', name: 'get_time' } } }),
  ev('contentBlockDelta', { contentBlockIndex: 2, delta: { reasoningContent: { text: 'hmm' } } }),
  ev('contentBlockDelta', { contentBlockIndex: 2, delta: { toolUse: { input: '{}' } } }),
  ev('contentBlockStop', { contentBlockIndex: 2 }),
  ev('messageStop', { stopReason: 'tool_use' }),
  ev('metadata', {
    usage: { inputTokens: 40, outputTokens: 12, totalTokens: 60, cacheReadInputTokens: 8 },
    metrics: { latencyMs: 420 },
  }),
]);

describe('ConverseStream decoding', () => {
  it('turns text, tool use and metadata into OpenAI chunks, whatever the chunking', () => {
    const reference = run(fullStream, [fullStream.byteLength]);
    const base = { id: 'req_s', object: 'chat.completion.chunk', created: 1_700_000_001, model: 'anthropic.claude-3-haiku-20240307-v1:0' };
    const choice = (delta: object, finish: string | null = null) => ({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] });
    expect(reference).toEqual([
      { kind: 'chunk', chunk: choice({ role: 'assistant', content: '' }) },
      { kind: 'chunk', chunk: choice({ content: 'Hello' }) },
      { kind: 'chunk', chunk: choice({ content: ', world' }) },
      { kind: 'chunk', chunk: choice({ tool_calls: [{ index: 0, id: 'tooluse_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }) },
      { kind: 'chunk', chunk: choice({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }) },
      { kind: 'chunk', chunk: choice({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }) },
      { kind: 'chunk', chunk: choice({ tool_calls: [{ index: 1, id: 'tooluse_2', type: 'function', function: { name: 'get_time', arguments: '' } }] }) },
      { kind: 'chunk', chunk: choice({ tool_calls: [{ index: 1, function: { arguments: '{}' } }] }) },
      { kind: 'chunk', chunk: choice({}, 'tool_calls') },
      {
        kind: 'chunk',
        chunk: { ...base, choices: [], usage: { prompt_tokens: 48, completion_tokens: 12, total_tokens: 60, prompt_tokens_details: { cached_tokens: 8 } } },
      },
      { kind: 'done' },
    ]);
    for (const sizes of [[1], [3, 17, 5], [64, 1, 250, 9], [fullStream.byteLength - 1, 1]]) {
      expect(run(fullStream, sizes), `chunk sizes ${sizes.join(',')}`).toEqual(reference);
    }
  });

  it('reports in-stream exceptions as classified failures', () => {
    const bytes = Buffer.concat([
      ev('messageStart', { role: 'assistant' }),
      ev('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hi' } }),
      exception('throttlingException', 'Too many tokens, please wait before trying again.'),
    ]);
    const items = run(bytes, [11]);
    expect(items.at(-1)).toEqual({
      kind: 'error',
      failure: {
        reason: 'rate_limited',
        disposition: 'retry',
        message: 'Too many tokens, please wait before trying again.',
        upstreamCode: 'throttlingException',
        phase: 'stream',
      },
    });
    expect(items.some((i) => i.kind === 'done')).toBe(false);
  });

  it.each([
    ['serviceUnavailableException', 'overloaded'],
    ['internalServerException', 'server_error'],
    ['modelStreamErrorException', 'server_error'],
    ['modelTimeoutException', 'timeout'],
    ['validationException', 'bad_request'],
  ])('maps %s to %s', (type, reason) => {
    const items = run(exception(type, 'x'), [5]);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'error', failure: { reason, upstreamCode: type, phase: 'stream' } });
  });

  it('ends with done on messageStop when metadata never comes, and not at all without messageStop', () => {
    const noMeta = Buffer.concat([
      ev('messageStart', { role: 'assistant' }),
      ev('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'a' } }),
      ev('messageStop', { stopReason: 'max_tokens' }),
    ]);
    const items = run(noMeta, [7]);
    expect(chunks(items).at(-1)?.choices[0]?.finish_reason).toBe('length');
    expect(items.at(-1)).toEqual({ kind: 'done' });
    expect(items.filter((i) => i.kind === 'done')).toHaveLength(1);
    const cut = Buffer.concat([ev('messageStart', { role: 'assistant' }), ev('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'a' } })]);
    expect(run(cut, [7]).some((i) => i.kind === 'done')).toBe(false);
  });

  it('puts usage after the finish chunk even when metadata arrives first', () => {
    const bytes = Buffer.concat([
      ev('messageStart', { role: 'assistant' }),
      ev('metadata', { usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, metrics: { latencyMs: 1 } }),
      ev('messageStop', { stopReason: 'end_turn' }),
    ]);
    const items = run(bytes, [100]);
    expect(items.map((i) => (i.kind === 'chunk' ? (i.chunk.usage ? 'usage' : `finish:${i.chunk.choices[0]?.finish_reason}`) : i.kind))).toEqual([
      'finish:null',
      'finish:stop',
      'usage',
      'done',
    ]);
  });

  it('reports a malformed payload without throwing', () => {
    const d = bedrockAdapter.streamDecoder(ctx());
    expect(d.decode({ event: 'contentBlockDelta', data: '{not json' })).toMatchObject([{ kind: 'malformed', raw: '{not json' }]);
  });
});

describe('JSON mode over ConverseStream', () => {
  const jsonTool = (fragments: string[]) =>
    Buffer.concat([
      ev('messageStart', { role: 'assistant' }),
      ev('contentBlockStart', { contentBlockIndex: 0, start: { toolUse: { toolUseId: 't', name: 'json' } } }),
      ...fragments.map((input) => ev('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input } } })),
      ev('contentBlockStop', { contentBlockIndex: 0 }),
      ev('messageStop', { stopReason: 'tool_use' }),
      ev('metadata', { usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, metrics: { latencyMs: 1 } }),
    ]);

  it('streams the tool input as content and finishes with stop', () => {
    const items = run(jsonTool(['{"a":', '1}']), [13], ctx({ response_format: { type: 'json_object' } }));
    const cs = chunks(items);
    expect(cs.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('{"a":1}');
    expect(cs.some((c) => c.choices[0]?.delta.tool_calls)).toBe(false);
    expect(cs.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe('stop');
  });

  it('unwraps a non-object schema answer at the end of the block', () => {
    const c = ctx({ response_format: { type: 'json_schema', json_schema: { name: 'l', schema: { type: 'array' } } } });
    const contents = chunks(run(jsonTool(['{"value":', ' [1,2]}']), [9], c)).flatMap((ch) =>
      ch.choices[0]?.delta.content ? [ch.choices[0].delta.content] : [],
    );
    expect(contents).toEqual(['[1,2]']);
  });
});
