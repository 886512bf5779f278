import { describe, expect, it } from 'vitest';
import type { ChatChunk } from '../../api/chat.js';
import type { StreamItem } from '../types.js';
import { geminiAdapter } from './index.js';
import { decodeContext } from './test-fixtures.js';

/** SSE data payloads as `streamGenerateContent?alt=sse` sends them: one full response object each. */
const TEXT_THEN_CALL = [
  {
    candidates: [{ content: { role: 'model', parts: [{ text: 'Let me check' }] }, index: 0 }],
    usageMetadata: { promptTokenCount: 40, candidatesTokenCount: 3, totalTokenCount: 43 },
    modelVersion: 'gemini-2.5-flash',
    responseId: 'r-1',
  },
  {
    candidates: [{ content: { role: 'model', parts: [{ text: ' the weather.' }] }, index: 0 }],
    usageMetadata: { promptTokenCount: 40, candidatesTokenCount: 6, totalTokenCount: 46 },
    modelVersion: 'gemini-2.5-flash',
    responseId: 'r-1',
  },
  {
    candidates: [
      {
        content: {
          role: 'model',
          parts: [{ functionCall: { name: 'get_weather', args: { city: 'Lisbon', unit: 'celsius' } }, thoughtSignature: 'c2ln' }],
        },
        finishReason: 'STOP',
        index: 0,
      },
    ],
    usageMetadata: { promptTokenCount: 40, candidatesTokenCount: 18, thoughtsTokenCount: 7, totalTokenCount: 65 },
    modelVersion: 'gemini-2.5-flash',
    responseId: 'r-1',
  },
];

function run(payloads: readonly unknown[]): StreamItem[] {
  const decoder = geminiAdapter.streamDecoder(decodeContext({ stream: true }, 'req-s1'));
  const items = payloads.flatMap((p) => decoder.decode({ data: typeof p === 'string' ? p : JSON.stringify(p) }));
  return [...items, ...decoder.end()];
}

const chunks = (items: StreamItem[]): ChatChunk[] => items.flatMap((i) => (i.kind === 'chunk' ? [i.chunk] : []));

describe('gemini stream decoder', () => {
  it('decodes text deltas, a whole function call, the finish and a final usage chunk, then done', () => {
    const items = run(TEXT_THEN_CALL);
    expect(items.map((i) => i.kind)).toEqual(['chunk', 'chunk', 'chunk', 'chunk', 'chunk', 'done']);
    const cs = chunks(items);
    for (const c of cs) {
      expect(c.id).toBe('r-1');
      expect(c.object).toBe('chat.completion.chunk');
      expect(c.model).toBe('gemini-2.5-flash');
      expect(c.created).toBe(1_700_000_000);
    }
    expect(cs.map((c) => c.choices)).toEqual([
      [{ index: 0, delta: { role: 'assistant', content: 'Let me check' }, finish_reason: null }],
      [{ index: 0, delta: { content: ' the weather.' }, finish_reason: null }],
      [
        {
          index: 0,
          delta: {
            tool_calls: [
              {
                index: 0,
                id: 'call_reqs1_0__gsig__c2ln',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"city":"Lisbon","unit":"celsius"}' },
              },
            ],
          },
          finish_reason: null,
        },
      ],
      [{ index: 0, delta: {}, finish_reason: 'tool_calls' }],
      [],
    ]);
    expect(cs[4]?.usage).toEqual({
      prompt_tokens: 40,
      completion_tokens: 25,
      total_tokens: 65,
      completion_tokens_details: { reasoning_tokens: 7 },
    });
  });

  it('numbers several calls in one turn and ends with stop when there were none', () => {
    const calls = run([
      {
        candidates: [
          {
            content: { parts: [{ functionCall: { name: 'a', args: {} } }, { functionCall: { name: 'b', args: { n: 1 } } }] },
            finishReason: 'STOP',
          },
        ],
      },
    ]);
    const delta = chunks(calls)[0]?.choices[0]?.delta;
    expect(delta?.role).toBe('assistant');
    expect(delta?.tool_calls?.map((t) => [t.index, t.id, t.function?.name, t.function?.arguments])).toEqual([
      [0, 'call_reqs1_0', 'a', '{}'],
      [1, 'call_reqs1_1', 'b', '{"n":1}'],
    ]);
    // no usage was reported, so no usage chunk: just the finish then done
    expect(calls.map((i) => i.kind)).toEqual(['chunk', 'chunk', 'done']);

    const text = run([{ candidates: [{ content: { parts: [{ text: 'hi' }] }, finishReason: 'MAX_TOKENS' }] }]);
    expect(chunks(text)[1]?.choices[0]?.finish_reason).toBe('length');
  });

  it('emits nothing at end when no finishReason arrived (truncated stream)', () => {
    const decoder = geminiAdapter.streamDecoder(decodeContext({ stream: true }));
    const first = TEXT_THEN_CALL.slice(0, 2).flatMap((p) => decoder.decode({ data: JSON.stringify(p) }));
    expect(first).toHaveLength(2);
    expect(decoder.end()).toEqual([]);
  });

  it('skips thought-only events and reports a blocked prompt as a content_filter finish', () => {
    const items = run([
      { candidates: [{ content: { parts: [{ text: 'thinking', thought: true }] } }] },
      { promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata: { promptTokenCount: 9, totalTokenCount: 9 } },
    ]);
    expect(items.map((i) => i.kind)).toEqual(['chunk', 'chunk', 'done']);
    expect(chunks(items)[0]?.choices).toEqual([{ index: 0, delta: { role: 'assistant' }, finish_reason: 'content_filter' }]);
  });

  it('reports in-band errors and unparseable data', () => {
    const items = run(['not json{', { error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } }]);
    expect(items[0]).toMatchObject({ kind: 'malformed', raw: 'not json{' });
    expect(items[1]).toEqual({
      kind: 'error',
      failure: {
        reason: 'overloaded',
        disposition: 'retry',
        message: 'The model is overloaded. Please try again later.',
        status: 503,
        upstreamCode: 'UNAVAILABLE',
        phase: 'stream',
      },
    });
    expect(items).toHaveLength(2);
  });
});
