import { describe, expect, it } from 'vitest';
import { geminiAdapter } from './index.js';
import { buildGenerateContentBody } from './request.js';
import { decodeContext } from './test-fixtures.js';

const ctx = decodeContext({}, 'req-abc123');

describe('parseChatResponse', () => {
  it('refuses a body that is not a GenerateContentResponse object instead of returning an empty answer', () => {
    expect(() => geminiAdapter.parseChatResponse('<html>bad gateway</html>', ctx)).toThrow(/not a GenerateContentResponse/);
    expect(() => geminiAdapter.parseChatResponse(null, ctx)).toThrow(/not a GenerateContentResponse/);
  });

  it('joins text parts, skips thought parts and maps usage including thinking and cache', () => {
    const res = geminiAdapter.parseChatResponse(
      {
        candidates: [
          {
            content: {
              role: 'model',
              parts: [{ text: 'Planning the answer…', thought: true }, { text: 'The sky is ' }, { text: 'blue.' }],
            },
            finishReason: 'STOP',
            index: 0,
          },
        ],
        usageMetadata: {
          promptTokenCount: 12,
          candidatesTokenCount: 5,
          thoughtsTokenCount: 30,
          cachedContentTokenCount: 4,
          totalTokenCount: 47,
        },
        modelVersion: 'gemini-2.5-flash-001',
        responseId: 'resp-xyz',
      },
      ctx,
    );
    expect(res).toEqual({
      id: 'resp-xyz',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'gemini-2.5-flash-001',
      choices: [{ index: 0, message: { role: 'assistant', content: 'The sky is blue.' }, finish_reason: 'stop', logprobs: null }],
      usage: {
        prompt_tokens: 12,
        completion_tokens: 35,
        total_tokens: 47,
        prompt_tokens_details: { cached_tokens: 4 },
        completion_tokens_details: { reasoning_tokens: 30 },
      },
    });
  });

  it('turns functionCall parts into tool calls, carrying the thought signature in the id', () => {
    const res = geminiAdapter.parseChatResponse(
      {
        candidates: [
          {
            content: {
              role: 'model',
              parts: [
                { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'U0lHMQ==' },
                { functionCall: { name: 'get_time', args: { tz: 'Europe/Oslo' }, id: 'fc-77' } },
              ],
            },
            finishReason: 'STOP',
          },
        ],
        usageMetadata: { promptTokenCount: 20, candidatesTokenCount: 10, totalTokenCount: 30 },
      },
      ctx,
    );
    expect(res.id).toBe('req-abc123');
    expect(res.model).toBe('gemini-2.5-flash');
    const choice = res.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.content).toBeNull();
    expect(choice?.message.tool_calls).toEqual([
      { id: 'call_reqabc123_0__gsig__U0lHMQ==', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { id: 'fc-77', type: 'function', function: { name: 'get_time', arguments: '{"tz":"Europe/Oslo"}' } },
    ]);
    expect(res.usage).toEqual({ prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 });
  });

  it('replays its own tool call ids into the next request with the signature restored', () => {
    const res = geminiAdapter.parseChatResponse(
      { candidates: [{ content: { parts: [{ functionCall: { name: 'f', args: { x: 1 } }, thoughtSignature: 'AAA=' }] }, finishReason: 'STOP' }] },
      ctx,
    );
    const call = res.choices[0]?.message.tool_calls?.[0];
    if (!call) throw new Error('expected a tool call');
    const body = buildGenerateContentBody({
      model: 'm',
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: 'done' },
      ],
    });
    expect(body.contents.slice(1)).toEqual([
      { role: 'model', parts: [{ functionCall: { name: 'f', args: { x: 1 } }, thoughtSignature: 'AAA=' }] },
      { role: 'user', parts: [{ functionResponse: { name: 'f', response: { content: 'done' } } }] },
    ]);
  });

  it.each([
    ['MAX_TOKENS', 'length'],
    ['SAFETY', 'content_filter'],
    ['RECITATION', 'content_filter'],
    ['BLOCKLIST', 'content_filter'],
    ['PROHIBITED_CONTENT', 'content_filter'],
    ['SPII', 'content_filter'],
    ['OTHER', 'stop'],
    ['MALFORMED_FUNCTION_CALL', 'stop'],
  ])('maps finishReason %s to %s', (reason, expected) => {
    const res = geminiAdapter.parseChatResponse({ candidates: [{ content: { parts: [{ text: 'x' }] }, finishReason: reason }] }, ctx);
    expect(res.choices[0]?.finish_reason).toBe(expected);
  });

  it('reports a blocked prompt as content_filter with empty content', () => {
    const res = geminiAdapter.parseChatResponse(
      { promptFeedback: { blockReason: 'SAFETY', safetyRatings: [] }, usageMetadata: { promptTokenCount: 8, totalTokenCount: 8 } },
      ctx,
    );
    expect(res.choices).toEqual([{ index: 0, message: { role: 'assistant', content: '' }, finish_reason: 'content_filter', logprobs: null }]);
    expect(res.usage).toEqual({ prompt_tokens: 8, completion_tokens: 0, total_tokens: 8 });
  });

  it('maps every candidate to a choice when n > 1', () => {
    const res = geminiAdapter.parseChatResponse(
      {
        candidates: [
          { index: 0, content: { parts: [{ text: 'one' }] }, finishReason: 'STOP' },
          { index: 1, content: { parts: [{ text: 'two' }] }, finishReason: 'MAX_TOKENS' },
        ],
      },
      ctx,
    );
    expect(res.choices.map((c) => [c.index, c.message.content, c.finish_reason])).toEqual([
      [0, 'one', 'stop'],
      [1, 'two', 'length'],
    ]);
  });
});
