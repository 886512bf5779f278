import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import gpt4o from 'gpt-tokenizer/model/gpt-4o';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { ChatMessage, ChatRequest, ContentPart, FunctionTool, JsonObject } from '../api/chat.js';
import {
  countPromptTokens,
  FALLBACK_CHARS_PER_TOKEN,
  IMAGE_LOW_DETAIL_TOKENS,
  IMAGE_TOKENS,
  isTokenizerLoaded,
  loadTokenizer,
  OTHER_PART_TOKENS,
  promptTokenUpperBound,
  REPLY_PRIMING_TOKENS,
  TOKENS_PER_MESSAGE,
  TOKENS_PER_NAME,
  TOKENS_PER_TOOL_CALL,
} from './tokens.js';

const tok = (text: string): number => countTokens(text);
const req = (messages: ChatMessage[], extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'm', messages, ...extra });

const weatherTool: FunctionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city.',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string', description: 'City name, e.g. Paris' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        days: { type: 'integer', description: 'Forecast days' },
        detail: { type: 'object', properties: { hourly: { type: 'boolean' }, fields: { type: 'array', items: { type: 'string' } } } },
      },
      required: ['city'],
    },
  },
};
const searchTool: FunctionTool = { type: 'function', function: { name: 'search', description: 'Web search', parameters: { type: 'object', properties: {} } } };

/** Varied prompts: prose, CJK, emoji, code, special-token text, tools, images, tool calls. */
const SAMPLES: ChatRequest[] = [
  req([{ role: 'user', content: 'Hello world' }]),
  req([
    { role: 'system', content: 'You are a helpful assistant.' },
    { role: 'user', content: '東京の天気を教えてください。明日は雨が降りますか？' },
  ]),
  req([{ role: 'user', content: '请用中文总结这篇文章的主要观点，并列出三个关键要点。한국어도 가능합니다.' }]),
  req([{ role: 'user', content: '👩‍👩‍👧‍👦🏳️‍🌈 emoji soup 🎉🎉🎉 🇯🇵🇫🇷 ✔️' }]),
  req([
    { role: 'developer', content: 'Answer in code only.' },
    {
      role: 'user',
      content: 'function fib(n: number): number {\n  return n < 2 ? n : fib(n - 1) + fib(n - 2);\n}\n\n// explain\nconst x = [1, 2, 3].map((v) => v ** 2);',
    },
  ]),
  req([{ role: 'user', content: 'Ignore <|endoftext|> and <|im_start|>user tokens in text.' }]),
  req(
    [
      { role: 'system', content: 'Use tools when helpful' },
      { role: 'user', content: 'Weather in Paris for 3 days?', name: 'alice' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris","days":3}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"forecast":["rain","sun","cloud"]}' },
    ],
    { tools: [weatherTool, searchTool], tool_choice: 'auto' },
  ),
  req([
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is in these images?' },
        { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
        { type: 'image_url', image_url: { url: 'https://example.com/b.png', detail: 'low' } },
      ],
    },
  ]),
  req([{ role: 'user', content: 'Return JSON.' }], {
    response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object', properties: { a: { type: 'string' } } } } },
  }),
];

/** Random requests over arbitrary unicode (lone surrogates included), parts, tool calls and tool schemas. */
const text = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme-ascii' }),
  fc.constantFrom('<|endoftext|>', '<|im_start|>', '\n\n', ''),
);
const part: fc.Arbitrary<ContentPart> = fc.oneof(
  text.map((t): ContentPart => ({ type: 'text', text: t })),
  fc
    .constantFrom<'low' | 'high' | 'auto' | undefined>('low', 'high', 'auto', undefined)
    .map((detail): ContentPart => ({ type: 'image_url', image_url: detail ? { url: 'u', detail } : { url: 'u' } })),
);
const schema: fc.Arbitrary<JsonObject> = fc.letrec<{ s: JsonObject }>((tie) => ({
  s: fc.oneof(
    { depthSize: 'small' },
    fc.record({ type: fc.constantFrom('string', 'number', 'boolean', 'null', 'integer'), description: text }, { requiredKeys: ['type'] }),
    fc.record({ type: fc.constant('string'), enum: fc.array(text, { maxLength: 4 }) }),
    fc.record({ type: fc.constant('array'), items: tie('s') }),
    fc.record({ type: fc.constant('object'), properties: fc.dictionary(text, tie('s'), { maxKeys: 4 }), required: fc.array(text, { maxLength: 2 }) }),
    fc.record({ anyOf: fc.array(tie('s'), { maxLength: 3 }) }),
  ),
})).s;
const tool: fc.Arbitrary<FunctionTool> = fc.record({
  type: fc.constant('function' as const),
  function: fc.record({ name: text, description: text, parameters: schema }, { requiredKeys: ['name'] }),
});
const message: fc.Arbitrary<ChatMessage> = fc.oneof(
  fc.record({ role: fc.constantFrom('system' as const, 'developer' as const), content: text }),
  fc.record(
    { role: fc.constant('user' as const), content: fc.oneof(text, fc.array(part, { maxLength: 4 })), name: text },
    { requiredKeys: ['role', 'content'] },
  ),
  fc.record(
    {
      role: fc.constant('assistant' as const),
      content: fc.option(text, { nil: null }),
      tool_calls: fc.array(fc.record({ id: text, type: fc.constant('function' as const), function: fc.record({ name: text, arguments: text }) }), {
        maxLength: 3,
      }),
    },
    { requiredKeys: ['role'] },
  ),
  fc.record({ role: fc.constant('tool' as const), tool_call_id: text, content: text }),
);
const request = fc.record({
  messages: fc.array(message, { maxLength: 8 }),
  tools: fc.option(fc.array(tool, { maxLength: 3 }), { nil: undefined }),
  tool_choice: fc.option(
    fc.oneof(
      fc.constantFrom('none' as const, 'auto' as const, 'required' as const),
      text.map((name) => ({ type: 'function' as const, function: { name } })),
    ),
    { nil: undefined },
  ),
});

function randomRequest({
  messages,
  tools,
  tool_choice,
}: {
  messages: ChatMessage[];
  tools: FunctionTool[] | undefined;
  tool_choice: ChatRequest['tool_choice'];
}): ChatRequest {
  return req(messages, { ...(tools ? { tools } : {}), ...(tool_choice ? { tool_choice } : {}) });
}

describe('before the tokenizer is loaded', () => {
  it('estimates ceil(length / 3.5) per string, with the same overheads', async () => {
    vi.resetModules();
    const fresh = await import('./tokens.js');
    expect(fresh.isTokenizerLoaded()).toBe(false);
    const est = (s: string): number => Math.ceil(s.length / FALLBACK_CHARS_PER_TOKEN);
    expect(fresh.countPromptTokens(req([{ role: 'user', content: 'Hello world' }]))).toBe(
      REPLY_PRIMING_TOKENS + TOKENS_PER_MESSAGE + est('user') + est('Hello world'),
    );
    for (const sample of SAMPLES) expect(fresh.promptTokenUpperBound(sample)).toBeGreaterThanOrEqual(fresh.countPromptTokens(sample));
    fc.assert(
      fc.property(request, (shape) => {
        const r = randomRequest(shape);
        expect(fresh.promptTokenUpperBound(r)).toBeGreaterThanOrEqual(fresh.countPromptTokens(r));
      }),
      { numRuns: 200 },
    );
    expect(fresh.isTokenizerLoaded()).toBe(false);
  });
});

describe('with the tokenizer', () => {
  beforeAll(async () => {
    await Promise.all([loadTokenizer(), loadTokenizer()]);
  });

  it('is loaded once', () => {
    expect(isTokenizerLoaded()).toBe(true);
  });

  it('counts a message as gpt-tokenizer does plus the documented overhead', () => {
    expect(countPromptTokens(req([{ role: 'user', content: 'Hello world' }]))).toBe(
      REPLY_PRIMING_TOKENS + TOKENS_PER_MESSAGE + tok('user') + tok('Hello world'),
    );
    const text = '東京の天気を教えてください。 👩‍👩‍👧‍👦 const x = 1;';
    expect(
      countPromptTokens(
        req([
          { role: 'system', content: text },
          { role: 'user', content: 'hi', name: 'bob' },
        ]),
      ),
    ).toBe(REPLY_PRIMING_TOKENS + 2 * TOKENS_PER_MESSAGE + tok('system') + tok(text) + tok('user') + tok('hi') + tok('bob') + TOKENS_PER_NAME);
  });

  it('agrees with gpt-tokenizer chat counting, tool definitions included', () => {
    const countChat = gpt4o.countChatCompletionTokens;
    if (!countChat) throw new Error('gpt-tokenizer gpt-4o lacks countChatCompletionTokens');
    const messages = [
      { role: 'system' as const, content: 'You are terse' },
      { role: 'user' as const, content: 'Weather in Paris?', name: 'alice' },
      { role: 'assistant' as const, content: 'Checking.' },
    ];
    const functions = [weatherTool.function, searchTool.function] as Parameters<typeof countChat>[0]['functions'];
    expect(countPromptTokens(req(messages))).toBe(countChat({ messages }));
    expect(countPromptTokens(req(messages, { tools: [weatherTool, searchTool] }))).toBe(countChat({ messages, functions }));
    expect(countPromptTokens(req(messages.slice(1), { tools: [weatherTool] }))).toBe(
      countChat({ messages: messages.slice(1), functions: functions?.slice(0, 1) }),
    );
    expect(countPromptTokens(req(messages, { tools: [weatherTool], tool_choice: 'none' }))).toBe(
      countChat({ messages, functions: functions?.slice(0, 1), function_call: 'none' }),
    );
    expect(countPromptTokens(req(messages, { tools: [weatherTool], tool_choice: { type: 'function', function: { name: 'get_weather' } } }))).toBe(
      countChat({ messages, functions: functions?.slice(0, 1), function_call: { name: 'get_weather' } }),
    );
  });

  it('counts tool calls, images and other parts with the documented allowances', () => {
    const call = { id: 'c', type: 'function' as const, function: { name: 'search', arguments: '{"q":"x"}' } };
    const base = countPromptTokens(req([{ role: 'assistant', content: null }]));
    expect(countPromptTokens(req([{ role: 'assistant', content: null, tool_calls: [call, call] }]))).toBe(
      base + 2 * (tok('search') + tok('{"q":"x"}') + TOKENS_PER_TOOL_CALL),
    );
    const parts: ContentPart[] = [
      { type: 'text', text: 'look' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
      { type: 'image_url', image_url: { url: 'https://x/y.png', detail: 'low' } },
      { type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } },
    ];
    expect(countPromptTokens(req([{ role: 'user', content: parts }]))).toBe(
      REPLY_PRIMING_TOKENS + TOKENS_PER_MESSAGE + tok('user') + tok('look') + IMAGE_TOKENS + IMAGE_LOW_DETAIL_TOKENS + OTHER_PART_TOKENS,
    );
  });

  it('counts long text in chunks: close to the whole-string count, in bounded time', () => {
    const overhead = REPLY_PRIMING_TOKENS + TOKENS_PER_MESSAGE + tok('user');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const whole = tok(readme);
    const chunked = countPromptTokens(req([{ role: 'user', content: readme }])) - overhead;
    expect(Math.abs(chunked - whole) / whole).toBeLessThan(0.01);

    // One unbroken run of 60,000 CJK characters: minutes as a single piece.
    let seed = 7;
    const run = Array.from({ length: 60_000 }, () => {
      seed = (seed * 48271) % 2147483647;
      return String.fromCharCode(0x4e00 + (seed % 2000));
    }).join('');
    const start = performance.now();
    const count = countPromptTokens(req([{ role: 'user', content: run }]));
    expect(performance.now() - start).toBeLessThan(3000);
    expect(count).toBeGreaterThan(60_000);
    expect(promptTokenUpperBound(req([{ role: 'user', content: run }]))).toBeGreaterThanOrEqual(count);
    // Surrogate pairs are never cut apart: an odd offset puts every forced cut inside one.
    const emoji = `漢${'😀'.repeat(1000)}`;
    expect(countPromptTokens(req([{ role: 'user', content: emoji }])) - overhead).toBe(tok(emoji));
  });

  it('treats special-token text as ordinary text', () => {
    expect(() => countPromptTokens(req([{ role: 'user', content: '<|endoftext|><|im_start|>' }]))).not.toThrow();
  });

  it('renders schema constructs beyond the basic types rather than dropping them', () => {
    const tool = (parameters: JsonObject): FunctionTool => ({ type: 'function', function: { name: 'f', parameters } });
    const plain = countPromptTokens(req([], { tools: [tool({ type: 'object', properties: { v: {} } })] }));
    const union = countPromptTokens(
      req([], {
        tools: [
          tool({
            type: 'object',
            properties: {
              v: {
                anyOf: [
                  { type: 'string', enum: ['alpha', 'beta'] },
                  { type: 'array', items: { type: 'number' } },
                ],
              },
            },
          }),
        ],
      }),
    );
    expect(union).toBeGreaterThan(plain);
  });

  it('bounds the count from above on varied prompts', () => {
    for (const sample of SAMPLES) {
      const count = countPromptTokens(sample);
      expect(count).toBeGreaterThan(0);
      expect(promptTokenUpperBound(sample)).toBeGreaterThanOrEqual(count);
    }
  });

  it('bounds the count from above on random requests', () => {
    fc.assert(
      fc.property(request, (shape) => {
        const r = randomRequest(shape);
        expect(promptTokenUpperBound(r)).toBeGreaterThanOrEqual(countPromptTokens(r));
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(text, (t) => {
        const r = req([{ role: 'user', content: t }]);
        expect(promptTokenUpperBound(r)).toBeGreaterThanOrEqual(countPromptTokens(r));
      }),
      { numRuns: 1000 },
    );
  });
});
