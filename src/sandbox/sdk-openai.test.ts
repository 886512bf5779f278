import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxServer, startSandbox } from './index.js';

let sb: SandboxServer;
let client: OpenAI;

beforeAll(async () => {
  sb = await startSandbox();
  client = new OpenAI({ baseURL: `${sb.url}/openai/v1`, apiKey: 'x', maxRetries: 0 });
});
afterAll(() => sb.close());

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, days: { type: 'integer' }, unit: { type: 'string', enum: ['c', 'f'] } },
      required: ['city', 'unit'],
    },
  },
};
const timeTool = {
  type: 'function' as const,
  function: { name: 'get_time', parameters: { type: 'object', properties: { zone: { type: 'string' } }, required: ['zone'] } },
};

describe('sandbox speaks OpenAI to the official SDK', () => {
  it('answers a chat completion with the documented text, echoed model and usage', async () => {
    const res = await client.chat.completions.create({
      model: 'ok@sdk1',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'What is the capital of France?' },
      ],
    });
    expect(res.object).toBe('chat.completion');
    expect(res.model).toBe('ok@sdk1');
    expect(res.choices[0]?.message.content).toBe('Sandbox (openai/ok@sdk1) reply to: What is the capital of France?');
    expect(res.choices[0]?.finish_reason).toBe('stop');
    // 2 system words + 6 user words in; 10 words out.
    expect(res.usage).toMatchObject({ prompt_tokens: 8, completion_tokens: 10, total_tokens: 18 });
  });

  it('streams word tokens and a usage-only final chunk when include_usage is set', async () => {
    const stream = await client.chat.completions.create({
      model: 'ok',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hello streaming world' }],
    });
    const contents: string[] = [];
    const finishes: (string | null)[] = [];
    let usageChunk: OpenAI.Chat.Completions.ChatCompletionChunk | undefined;
    for await (const chunk of stream) {
      if (chunk.choices.length === 0) usageChunk = chunk;
      for (const c of chunk.choices) {
        if (c.delta.content) contents.push(c.delta.content);
        finishes.push(c.finish_reason);
      }
    }
    expect(contents.join('')).toBe('Sandbox (openai/ok) reply to: hello streaming world');
    expect(contents.length).toBe(7);
    expect(finishes.filter((f) => f !== null)).toEqual(['stop']);
    expect(usageChunk?.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 7, total_tokens: 10 });
  });

  it('sends no usage chunk without include_usage', async () => {
    const stream = await client.chat.completions.create({ model: 'ok', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.choices.length === 1 && c.usage === undefined)).toBe(true);
  });

  it('answers declared tools with parallel tool calls whose arguments follow the schemas', async () => {
    const res = await client.chat.completions.create({
      model: 'ok',
      messages: [{ role: 'user', content: 'weather and time in Paris?' }],
      tools: [weatherTool, timeTool],
    });
    const calls = res.choices[0]?.message.tool_calls ?? [];
    expect(res.choices[0]?.finish_reason).toBe('tool_calls');
    expect(calls.map((c) => (c.type === 'function' ? c.function.name : ''))).toEqual(['get_weather', 'get_time']);
    const first = calls[0];
    const args: unknown = first && first.type === 'function' ? JSON.parse(first.function.arguments) : null;
    expect(args).toEqual({ city: 'sample city', unit: 'c' });
    expect(new Set(calls.map((c) => c.id)).size).toBe(2);
  });

  it('streams tool calls as argument fragments that reassemble into valid JSON', async () => {
    const stream = await client.chat.completions.create({
      model: 'ok',
      stream: true,
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [weatherTool, timeTool],
      parallel_tool_calls: false,
    });
    const args: string[] = [];
    const names: string[] = [];
    let fragments = 0;
    let finish: string | null = null;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      for (const tc of choice?.delta.tool_calls ?? []) {
        if (tc.function?.name) names[tc.index] = tc.function.name;
        if (tc.function?.arguments) {
          args[tc.index] = (args[tc.index] ?? '') + tc.function.arguments;
          fragments++;
        }
      }
      if (choice?.finish_reason) finish = choice.finish_reason;
    }
    expect(names).toEqual(['get_weather']);
    expect(fragments).toBeGreaterThan(1);
    expect(JSON.parse(args[0] ?? '')).toEqual({ city: 'sample city', unit: 'c' });
    expect(finish).toBe('tool_calls');
  });

  it('honours tool_choice none and named tool choice', async () => {
    const none = await client.chat.completions.create({
      model: 'ok',
      messages: [{ role: 'user', content: 'no tools' }],
      tools: [weatherTool],
      tool_choice: 'none',
    });
    expect(none.choices[0]?.message.tool_calls).toBeUndefined();
    expect(none.choices[0]?.message.content).toContain('reply to: no tools');
    const named = await client.chat.completions.create({
      model: 'ok',
      messages: [{ role: 'user', content: 'time' }],
      tools: [weatherTool, timeTool],
      tool_choice: { type: 'function', function: { name: 'get_time' } },
    });
    const call = named.choices[0]?.message.tool_calls?.[0];
    expect(named.choices[0]?.message.tool_calls).toHaveLength(1);
    expect(call?.type === 'function' ? call.function.name : '').toBe('get_time');
  });

  it('replies with the tool result when the last message is one', async () => {
    const res = await client.chat.completions.create({
      model: 'ok',
      messages: [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
      ],
      tools: [weatherTool],
    });
    expect(res.choices[0]?.message.tool_calls).toBeUndefined();
    expect(res.choices[0]?.message.content).toBe('Sandbox (openai/ok) received tool result: {"temp":21}');
  });

  it('returns JSON matching a json_schema, and {"answer"} for json_object', async () => {
    const schema = {
      type: 'object',
      properties: { name: { type: 'string' }, age: { type: 'integer', minimum: 18 }, tags: { type: 'array', items: { type: 'string' } } },
      required: ['name', 'age', 'tags'],
      additionalProperties: false,
    };
    const res = await client.chat.completions.create({
      model: 'ok',
      messages: [{ role: 'user', content: 'a person' }],
      response_format: { type: 'json_schema', json_schema: { name: 'person', schema, strict: true } },
    });
    expect(JSON.parse(res.choices[0]?.message.content ?? '')).toEqual({ name: 'sample name', age: 18, tags: ['sample tags'] });

    const stream = await client.chat.completions.create({
      model: 'ok',
      stream: true,
      messages: [{ role: 'user', content: 'json please' }],
      response_format: { type: 'json_object' },
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(JSON.parse(text)).toEqual({ answer: 'Sandbox (openai/ok) reply to: json please' });
  });

  it('truncates at max_tokens with finish_reason length', async () => {
    const res = await client.chat.completions.create({ model: 'ok', max_tokens: 2, messages: [{ role: 'user', content: 'long answer' }] });
    expect(res.choices[0]?.message.content).toBe('Sandbox (openai/ok) ');
    expect(res.choices[0]?.finish_reason).toBe('length');
  });

  it('embeds deterministically, honouring dimensions (and the SDK default base64 encoding)', async () => {
    const a = await client.embeddings.create({ model: 'embed', input: ['alpha', 'beta'] });
    expect(a.data).toHaveLength(2);
    expect(a.data[0]?.embedding).toHaveLength(8);
    expect(a.usage).toEqual({ prompt_tokens: 2, total_tokens: 2 });
    const norm = Math.hypot(...(a.data[0]?.embedding ?? []));
    expect(norm).toBeCloseTo(1, 4);
    const b = await client.embeddings.create({ model: 'embed', input: 'alpha', dimensions: 16, encoding_format: 'float' });
    expect(b.data[0]?.embedding).toHaveLength(16);
    // Same input, same vector: the base64 (float32) and float forms agree to float32 precision.
    const c = await client.embeddings.create({ model: 'embed', input: 'alpha', encoding_format: 'float' });
    const fromBase64 = a.data[0]?.embedding ?? [];
    expect(c.data[0]?.embedding).toHaveLength(8);
    c.data[0]?.embedding.forEach((v, i) => {
      expect(v).toBeCloseTo(fromBase64[i] ?? NaN, 5);
    });
    expect(c.data[0]?.embedding).not.toEqual(b.data[0]?.embedding.slice(0, 8));
    expect(a.data[1]?.embedding[0]).not.toBeCloseTo(fromBase64[0] ?? NaN, 5);
  });

  it('lists the built-in scenarios as models', async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toContain('ok');
    expect(ids).toContain('rate-limit-once');
  });

  it('surfaces injected errors to the SDK with status, code and retry headers', async () => {
    const err: unknown = await client.chat.completions
      .create({ model: 'rate-limit-once@sdk', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    if (err instanceof OpenAI.APIError) {
      expect(err.code).toBe('rate_limit_exceeded');
      expect(err.headers?.get('retry-after')).toBe('1');
      expect(err.headers?.get('retry-after-ms')).toBe('1000');
    }
    const ok = await client.chat.completions.create({ model: 'rate-limit-once@sdk', messages: [{ role: 'user', content: 'hi' }] });
    expect(ok.choices[0]?.message.content).toContain('reply to: hi');

    const ctx: unknown = await client.chat.completions
      .create({ model: 'context-length', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(ctx).toBeInstanceOf(OpenAI.BadRequestError);
    if (ctx instanceof OpenAI.APIError) {
      expect(ctx.code).toBe('context_length_exceeded');
      expect(ctx.message).toContain("This model's maximum context length is 128000 tokens");
    }
  });
});
