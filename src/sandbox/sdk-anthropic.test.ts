import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxServer, startSandbox } from './index.js';

let sb: SandboxServer;
let client: Anthropic;

beforeAll(async () => {
  sb = await startSandbox();
  client = new Anthropic({ baseURL: `${sb.url}/anthropic`, apiKey: 'x', maxRetries: 0 });
});
afterAll(() => sb.close());

const tools: Anthropic.Tool[] = [
  {
    name: 'lookup',
    description: 'find a record',
    input_schema: { type: 'object', properties: { id: { type: 'integer' }, verbose: { type: 'boolean' } }, required: ['id', 'verbose'] },
  },
  { name: 'search', input_schema: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } },
];

describe('sandbox speaks Anthropic to the official SDK', () => {
  it('answers a message with text, echoed model, end_turn and usage', async () => {
    const msg = await client.messages.create({
      model: 'ok@a1',
      max_tokens: 256,
      system: 'you are terse',
      messages: [{ role: 'user', content: 'Tell me a joke' }],
    });
    expect(msg.type).toBe('message');
    expect(msg.model).toBe('ok@a1');
    expect(msg.content).toEqual([{ type: 'text', text: 'Sandbox (anthropic/ok@a1) reply to: Tell me a joke' }]);
    expect(msg.stop_reason).toBe('end_turn');
    expect(msg.usage.input_tokens).toBe(7);
    expect(msg.usage.output_tokens).toBe(8);
  });

  it('streams the exact event sequence', async () => {
    const stream = await client.messages.create({
      model: 'ok',
      max_tokens: 256,
      stream: true,
      messages: [{ role: 'user', content: 'stream me' }],
    });
    const types: string[] = [];
    let text = '';
    let stop: string | null = null;
    let outputTokens = 0;
    for await (const ev of stream) {
      types.push(ev.type);
      if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') text += ev.delta.text;
      if (ev.type === 'message_delta') {
        stop = ev.delta.stop_reason;
        outputTokens = ev.usage.output_tokens;
      }
    }
    // The SDK drops ping events; everything else arrives in Anthropic's order.
    expect(types).toEqual([
      'message_start',
      'content_block_start',
      ...Array<string>(6).fill('content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(text).toBe('Sandbox (anthropic/ok) reply to: stream me');
    expect(stop).toBe('end_turn');
    expect(outputTokens).toBe(6);
  });

  it('streams parallel tool_use blocks as input_json_delta that the SDK assembles', async () => {
    const final = await client.messages.stream({ model: 'ok', max_tokens: 256, tools, messages: [{ role: 'user', content: 'find 7' }] }).finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    const uses = final.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    expect(uses.map((u) => u.name)).toEqual(['lookup', 'search']);
    expect(uses[0]?.input).toEqual({ id: 1, verbose: true });
    expect(uses[1]?.input).toEqual({ q: 'sample q' });
    expect(uses[0]?.id).toMatch(/^toolu_/);
  });

  it('honours tool_choice tool, none and disable_parallel_tool_use', async () => {
    const one = await client.messages.create({
      model: 'ok',
      max_tokens: 64,
      tools,
      tool_choice: { type: 'tool', name: 'search' },
      messages: [{ role: 'user', content: 'q' }],
    });
    expect(one.content.map((b) => (b.type === 'tool_use' ? b.name : b.type))).toEqual(['search']);
    const single = await client.messages.create({
      model: 'ok',
      max_tokens: 64,
      tools,
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      messages: [{ role: 'user', content: 'q' }],
    });
    expect(single.content).toHaveLength(1);
    const none = await client.messages.create({
      model: 'ok',
      max_tokens: 64,
      tools,
      tool_choice: { type: 'none' },
      messages: [{ role: 'user', content: 'q' }],
    });
    expect(none.content[0]?.type).toBe('text');
  });

  it('replies with the tool_result content when the last turn carries one', async () => {
    const msg = await client.messages.create({
      model: 'ok',
      max_tokens: 64,
      tools,
      messages: [
        { role: 'user', content: 'find 7' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { id: 7 } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'record seven' }] }] },
      ],
    });
    expect(msg.stop_reason).toBe('end_turn');
    expect(msg.content).toEqual([{ type: 'text', text: 'Sandbox (anthropic/ok) received tool result: record seven' }]);
  });

  it('answers content-filter with stop_reason refusal, streamed and not', async () => {
    const msg = await client.messages.create({ model: 'content-filter', max_tokens: 64, messages: [{ role: 'user', content: 'bad' }] });
    expect(msg.stop_reason).toBe('refusal');
    const final = await client.messages.stream({ model: 'content-filter', max_tokens: 64, messages: [{ role: 'user', content: 'bad' }] }).finalMessage();
    expect(final.stop_reason).toBe('refusal');
  });

  it('surfaces errors in Anthropic shape to the SDK', async () => {
    const err: unknown = await client.messages
      .create({ model: 'context-length', max_tokens: 64, messages: [{ role: 'user', content: 'hi there' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    if (err instanceof Anthropic.APIError) {
      expect(err.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
      expect(err.message).toMatch(/prompt is too long: \d+ tokens > 200000 maximum/);
    }
    const limited: unknown = await client.messages
      .create({ model: 'rate-limit', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
    if (limited instanceof Anthropic.APIError) expect(limited.headers?.get('retry-after')).toBeNull();
  });

  it('rejects prefill for reject-prefill and accepts it for ok', async () => {
    const messages: Anthropic.MessageParam[] = [
      { role: 'user', content: 'pick one' },
      { role: 'assistant', content: 'The answer is' },
    ];
    const err: unknown = await client.messages.create({ model: 'reject-prefill', max_tokens: 64, messages }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    if (err instanceof Anthropic.APIError) expect(err.message).toContain('does not support assistant message prefill');
    const ok = await client.messages.create({ model: 'reject-prefill', max_tokens: 64, messages: [{ role: 'user', content: 'pick one' }] });
    expect(ok.stop_reason).toBe('end_turn');
  });

  it('returns JSON for output_config json_schema', async () => {
    const msg = await client.messages.create({
      model: 'ok',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'json' }],
      output_config: { format: { type: 'json_schema', schema: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] } } },
    });
    const block = msg.content[0];
    expect(JSON.parse(block?.type === 'text' ? block.text : '')).toEqual({ n: 1.5 });
  });
});

describe('Anthropic header checks', () => {
  const post = (headers: Record<string, string>): Promise<Response> =>
    fetch(`${sb.url}/anthropic/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model: 'ok', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    });

  it('401s in Anthropic shape without x-api-key or anthropic-version', async () => {
    const noKey = await post({ 'anthropic-version': '2023-06-01' });
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error', message: 'x-api-key: header is required' } });
    const noVersion = await post({ 'x-api-key': 'k' });
    expect(noVersion.status).toBe(401);
    expect(await noVersion.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error', message: 'anthropic-version: header is required' } });
    const ok = await post({ 'x-api-key': 'k', 'anthropic-version': 'any' });
    expect(ok.status).toBe(200);
  });
});
