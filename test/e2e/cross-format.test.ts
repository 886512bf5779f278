import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  stack = await startStack({
    models: {
      'via-openai': { targets: ['sb-openai/gpt-4o-mini'] },
      'via-anthropic': { targets: ['sb-anthropic/claude-sonnet-4-5'] },
      'via-gemini': { targets: ['sb-gemini/gemini-2.5-flash'] },
    },
  });
  openai = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: 'k', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: stack.url, apiKey: 'k', maxRetries: 0 });
});
afterAll(() => stack.close());

const lookup: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'lookup_order',
    description: 'Find an order',
    parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] },
  },
};

describe.each(['via-anthropic', 'via-gemini', 'via-openai'])('OpenAI SDK client, upstream %s', (model) => {
  it('answers non-stream with translated usage', async () => {
    const res = await openai.chat.completions.create({
      model,
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'Ping across formats' },
      ],
    });
    expect(res.choices[0]?.message.content).toContain('Ping across formats');
    expect(res.choices[0]?.finish_reason).toBe('stop');
    expect(res.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(res.usage?.total_tokens).toBe((res.usage?.prompt_tokens ?? 0) + (res.usage?.completion_tokens ?? 0));
  });

  it('streams to a complete answer', async () => {
    const stream = await openai.chat.completions.create({
      model,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Stream across formats' }],
    });
    let text = '';
    let finish: string | null = null;
    let usage = false;
    for await (const c of stream) {
      text += c.choices[0]?.delta.content ?? '';
      finish = c.choices[0]?.finish_reason ?? finish;
      usage ||= !!c.usage;
    }
    expect(text).toContain('Stream across formats');
    expect(finish).toBe('stop');
    expect(usage).toBe(true);
  });

  it('round-trips a tool call: call out, result back, answer using it', async () => {
    const first = await openai.chat.completions.create({ model, tools: [lookup], messages: [{ role: 'user', content: 'Where is my order?' }] });
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call?.type === 'function' && call.function.name).toBe('lookup_order');
    const args = JSON.parse(call!.type === 'function' ? call!.function.arguments : '') as { order_id: unknown };
    expect(typeof args.order_id).toBe('string');

    const second = await openai.chat.completions.create({
      model,
      tools: [lookup],
      messages: [
        { role: 'user', content: 'Where is my order?' },
        first.choices[0]!.message,
        { role: 'tool', tool_call_id: call!.id, content: 'order 42 shipped yesterday' },
      ],
    });
    expect(second.choices[0]?.message.content).toContain('order 42 shipped yesterday');
  });

  it('streams tool calls as deltas the SDK assembles', async () => {
    const stream = openai.chat.completions.stream({ model, tools: [lookup], messages: [{ role: 'user', content: 'Where is my order?' }] });
    const final = await stream.finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function.name).toBe('lookup_order');
    expect(() => JSON.parse(call!.type === 'function' ? call!.function.arguments : '')).not.toThrow();
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
  });
});

describe.each(['via-anthropic', 'via-gemini', 'via-openai'])('Anthropic SDK client on /v1/messages, upstream %s', (model) => {
  it('creates a message', async () => {
    const msg = await anthropic.messages.create({
      model,
      max_tokens: 100,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Hello Anthropic ingress' }],
    });
    expect(msg.type).toBe('message');
    expect(msg.role).toBe('assistant');
    const text = msg.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    expect(text).toContain('Hello Anthropic ingress');
    expect(msg.stop_reason).toBe('end_turn');
    expect(msg.usage.output_tokens).toBeGreaterThan(0);
  });

  it('streams a message the SDK accumulates', async () => {
    const stream = anthropic.messages.stream({ model, max_tokens: 100, messages: [{ role: 'user', content: 'Stream Anthropic ingress' }] });
    let deltas = 0;
    stream.on('text', () => deltas++);
    const msg = await stream.finalMessage();
    expect(deltas).toBeGreaterThan(1);
    expect(msg.content.map((b) => (b.type === 'text' ? b.text : '')).join('')).toContain('Stream Anthropic ingress');
    expect(msg.stop_reason).toBe('end_turn');
    expect(msg.usage.output_tokens).toBeGreaterThan(0);
  });

  it('calls tools and takes tool results', async () => {
    const tools: Anthropic.Tool[] = [
      {
        name: 'lookup_order',
        description: 'Find an order',
        input_schema: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] },
      },
    ];
    const first = await anthropic.messages
      .stream({ model, max_tokens: 100, tools, messages: [{ role: 'user', content: 'Where is my order?' }] })
      .finalMessage();
    const use = first.content.find((b) => b.type === 'tool_use');
    expect(first.stop_reason).toBe('tool_use');
    expect(use?.type === 'tool_use' && use.name).toBe('lookup_order');
    expect(typeof (use?.type === 'tool_use' ? (use.input as { order_id?: unknown }).order_id : undefined)).toBe('string');

    const second = await anthropic.messages.create({
      model,
      max_tokens: 100,
      tools,
      messages: [
        { role: 'user', content: 'Where is my order?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use!.type === 'tool_use' ? use!.id : '', content: 'order 7 is in transit' }] },
      ],
    });
    expect(second.content.map((b) => (b.type === 'text' ? b.text : '')).join('')).toContain('order 7 is in transit');
  });
});

describe('Anthropic ingress errors', () => {
  it('returns Anthropic-shaped errors the SDK raises', async () => {
    await expect(anthropic.messages.create({ model: 'nope', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(
      Anthropic.NotFoundError,
    );
    await expect(
      anthropic.messages.create({ model: 'via-openai', messages: [{ role: 'user', content: 'x' }] } as unknown as Anthropic.MessageCreateParamsNonStreaming),
    ).rejects.toBeInstanceOf(Anthropic.BadRequestError);
  });
});
