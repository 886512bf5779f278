import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;
let client: OpenAI;

beforeAll(async () => {
  stack = await startStack({
    models: {
      fast: { targets: ['sb-openai/gpt-4o-mini'] },
      embed: { targets: ['sb-openai/text-embedding-3-small'] },
    },
  });
  client = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: 'test-key', maxRetries: 0 });
});
afterAll(() => stack.close());

const weatherTool: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city', 'days'] },
  },
};
const timeTool: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_time', parameters: { type: 'object', properties: { zone: { type: 'string' } }, required: ['zone'] } },
};

describe('OpenAI SDK → Switchyard → OpenAI-format sandbox', () => {
  it('answers a chat completion and names the answering model in body and headers', async () => {
    const { data, response } = await client.chat.completions
      .create({
        model: 'fast',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hello there' },
        ],
        temperature: 0.2,
        seed: 7,
        max_completion_tokens: 50,
        user: 'u1',
      })
      .withResponse();
    expect(data.choices[0]?.message.content).toContain('Hello there');
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.model).toBe('gpt-4o-mini');
    expect(data.usage?.total_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-switchyard-provider')).toBe('sb-openai');
    expect(response.headers.get('x-switchyard-model')).toBe('gpt-4o-mini');
    expect(response.headers.get('x-switchyard-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('x-switchyard-sandbox')).toBe('true');
  });

  it('addresses a provider directly as provider/model', async () => {
    const res = await client.chat.completions.create({ model: 'sb-openai/some-model', messages: [{ role: 'user', content: 'direct' }] });
    expect(res.model).toBe('some-model');
  });

  it('streams, ending with usage when include_usage is set', async () => {
    const stream = await client.chat.completions.create({
      model: 'fast',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Stream me a reply' }],
    });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined | null;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(chunks).toBeGreaterThan(3);
    expect(text).toContain('Stream me a reply');
    expect(finish).toBe('stop');
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('streams without usage chunks when the client did not ask for them', async () => {
    const stream = await client.chat.completions.create({ model: 'fast', stream: true, messages: [{ role: 'user', content: 'no usage' }] });
    for await (const chunk of stream) {
      expect(chunk.usage ?? undefined).toBeUndefined();
      expect(chunk.choices.length).toBe(1);
    }
  });

  it('returns parallel tool calls, and streams them as tool-call deltas', async () => {
    const res = await client.chat.completions.create({
      model: 'fast',
      messages: [{ role: 'user', content: 'Weather and time in Paris?' }],
      tools: [weatherTool, timeTool],
      tool_choice: 'auto',
      parallel_tool_calls: true,
    });
    const calls = res.choices[0]?.message.tool_calls ?? [];
    expect(res.choices[0]?.finish_reason).toBe('tool_calls');
    expect(calls.map((c) => (c.type === 'function' ? c.function.name : ''))).toEqual(['get_weather', 'get_time']);

    const stream = client.chat.completions.stream({
      model: 'fast',
      messages: [{ role: 'user', content: 'Weather and time in Paris?' }],
      tools: [weatherTool, timeTool],
    });
    let deltas = 0;
    stream.on('chunk', (c) => (deltas += c.choices[0]?.delta.tool_calls?.length ?? 0));
    const final = await stream.finalChatCompletion();
    const streamed = final.choices[0]?.message.tool_calls ?? [];
    expect(deltas).toBeGreaterThan(2); // names and argument fragments arrive in pieces
    expect(streamed).toHaveLength(2);
    const args = JSON.parse(streamed[0]!.type === 'function' ? streamed[0]!.function.arguments : '{}') as Record<string, unknown>;
    expect(typeof args.city).toBe('string');
    expect(typeof args.days).toBe('number');
  });

  it('follows a tool result with an answer that uses it', async () => {
    const res = await client.chat.completions.create({
      model: 'fast',
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris","days":1}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny, 21C' },
      ],
    });
    expect(res.choices[0]?.message.content).toContain('sunny, 21C');
  });

  it('answers JSON mode and json_schema with valid JSON', async () => {
    const obj = await client.chat.completions.create({
      model: 'fast',
      response_format: { type: 'json_object' },
      messages: [{ role: 'user', content: 'JSON please' }],
    });
    expect(() => JSON.parse(obj.choices[0]!.message.content!)).not.toThrow();
    const schema = await client.chat.completions.create({
      model: 'fast',
      messages: [{ role: 'user', content: 'a person' }],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'person',
          schema: { type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } }, required: ['name', 'age'] },
        },
      },
    });
    const parsed = JSON.parse(schema.choices[0]!.message.content!) as { name: unknown; age: unknown };
    expect(typeof parsed.name).toBe('string');
    expect(typeof parsed.age).toBe('number');
  });

  it('carries image content parts to the upstream', async () => {
    const res = await client.chat.completions.create({
      model: 'sb-openai/gpt-4o-mini@image',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
      ],
    });
    expect(res.choices[0]?.message.content).toContain('What is this?');
    // What the sandbox received: the image part, unchanged, next to the text.
    const received = stack.sandbox.attempts().find((a) => a.model === 'gpt-4o-mini@image')?.request as { messages: { content: unknown }[] };
    expect(received.messages[0]?.content).toEqual([
      { type: 'text', text: 'What is this?' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
    ]);
  });

  it('creates embeddings', async () => {
    const res = await client.embeddings.create({ model: 'embed', input: ['one', 'two'], dimensions: 4 });
    expect(res.data).toHaveLength(2);
    expect(res.data[0]?.embedding).toHaveLength(4);
    expect(res.data[0]?.embedding).not.toEqual(res.data[1]?.embedding);
  });

  it('falls over to a per-request embeddings fallback on another wire format', async () => {
    const { data, response } = await client.embeddings
      .create({
        model: 'sb-openai/error-503@emb',
        input: 'hello',
        encoding_format: 'float',
        fallbacks: ['sb-gemini/text-embedding-004'],
      } as OpenAI.EmbeddingCreateParams)
      .withResponse();
    expect(response.headers.get('x-switchyard-provider')).toBe('sb-gemini');
    expect(response.headers.get('x-switchyard-route')).toBe(
      'route=sb-openai/error-503@emb; class=default; strategy=priority; why="only eligible target of its tier"; target=sb-gemini/text-embedding-004',
    );
    expect(data.data[0]?.embedding.length).toBeGreaterThan(0);
  });

  it('lists the public model names', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id).sort()).toEqual(['embed', 'fast']);
  });
});
