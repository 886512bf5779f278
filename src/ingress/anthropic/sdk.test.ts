import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatChunk, ChatRequest } from '../../api/chat.js';
import type { ModelInfo, ProviderConfig } from '../../config/types.js';
import { GatewayError } from '../../core/errors.js';
import type { StreamEvent } from '../../core/upstream.js';
import { anthropicAdapter } from '../../providers/anthropic/index.js';
import { encodeAnthropicSSE, toAnthropicErrorBody } from './errors.js';
import { ChunksToAnthropicEvents } from './events.js';
import { messagesToChatRequest } from './request.js';
import { chatResponseToMessage } from './response.js';

/**
 * The official Anthropic SDK as the client of the ingress, over a real socket on 127.0.0.1.
 * The "upstream" is an Anthropic stream decoded by the Anthropic egress adapter, so a stream
 * travels Anthropic → OpenAI chunks → Anthropic and must come out as the SDK's same message.
 */

const ev = (event: string, data: object): StreamEvent => ({ event, data: JSON.stringify({ type: event, ...data }) });

const upstreamEvents: StreamEvent[] = [
  ev('message_start', {
    message: {
      id: 'msg_up',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5-20250929',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 40, output_tokens: 1, cache_read_input_tokens: 10, cache_creation_input_tokens: 0 },
    },
  }),
  ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
  ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Checking both ' } }),
  ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'cities.' } }),
  ev('content_block_stop', { index: 0 }),
  ev('content_block_start', { index: 1, content_block: { type: 'tool_use', id: 'toolu_P', name: 'get_weather', input: {} } }),
  ev('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '{"city": "Pa' } }),
  ev('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: 'ris"}' } }),
  ev('content_block_stop', { index: 1 }),
  ev('content_block_start', { index: 2, content_block: { type: 'tool_use', id: 'toolu_R', name: 'get_weather', input: {} } }),
  ev('content_block_delta', { index: 2, delta: { type: 'input_json_delta', partial_json: '{"city": "Rome", "unit": "c"}' } }),
  ev('content_block_stop', { index: 2 }),
  ev('message_delta', { delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 77 } }),
  ev('message_stop', {}),
];

function decodedUpstream(request: ChatRequest): ChatChunk[] {
  const model: ModelInfo = { id: 'claude-sonnet-4-5', capabilities: new Set(['chat']), compliance: [] };
  const provider = { name: 'anthropic', format: 'anthropic', baseUrl: 'http://127.0.0.1:1', headers: {} } as unknown as ProviderConfig;
  const decoder = anthropicAdapter.streamDecoder({ request, target: { provider, model }, requestId: 'req_1', created: 1 });
  return upstreamEvents.flatMap((e) => decoder.decode(e)).flatMap((i) => (i.kind === 'chunk' ? [i.chunk] : []));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return JSON.parse(Buffer.concat(parts).toString('utf8')) as unknown;
}

let server: Server;
let client: Anthropic;
const seen: ChatRequest[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    void (async () => {
      const body = await readJson(req);
      let chat: ChatRequest;
      try {
        chat = messagesToChatRequest(body);
      } catch (e) {
        const err = e instanceof GatewayError ? e : new GatewayError('internal_error', 'unexpected');
        res.writeHead(err.status, { 'content-type': 'application/json' }).end(JSON.stringify(toAnthropicErrorBody(err)));
        return;
      }
      seen.push(chat);
      if (chat.model === 'missing') {
        const err = new GatewayError('model_not_found', 'No model named "missing".', { param: 'model' });
        res.writeHead(err.status, { 'content-type': 'application/json' }).end(JSON.stringify(toAnthropicErrorBody(err)));
        return;
      }
      if (chat.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const t = new ChunksToAnthropicEvents(chat.model);
        for (const c of decodedUpstream(chat)) for (const e of t.push(c)) res.write(encodeAnthropicSSE(e));
        for (const e of t.finish()) res.write(encodeAnthropicSSE(e));
        res.end();
        return;
      }
      const message = chatResponseToMessage(
        {
          id: 'msg_plain',
          object: 'chat.completion',
          created: 1,
          model: 'gpt-4o',
          choices: [{ index: 0, message: { role: 'assistant', content: 'Bonjour.' }, finish_reason: 'stop', logprobs: null }],
          usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 },
        },
        chat.model,
      );
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(message));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new Anthropic({ apiKey: 'sk-test', baseURL: `http://127.0.0.1:${port}`, maxRetries: 0 });
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('Anthropic SDK against the ingress', () => {
  it('accumulates the translated stream into the original message', async () => {
    const stream = client.messages.stream({
      model: 'smart',
      max_tokens: 256,
      system: 'You are a weather bot.',
      tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      messages: [{ role: 'user', content: 'Weather in Paris and Rome?' }],
    });
    const texts: string[] = [];
    stream.on('text', (delta) => texts.push(delta));
    const message = await stream.finalMessage();

    expect(seen.at(-1)?.messages[0]).toEqual({ role: 'system', content: 'You are a weather bot.' });
    expect(texts.join('')).toBe('Checking both cities.');
    expect(message.model).toBe('smart');
    expect(message.id).toBe('msg_up');
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content.map((b) => (b.type === 'tool_use' ? { id: b.id, name: b.name, input: b.input } : b))).toEqual([
      { type: 'text', text: 'Checking both cities.' },
      { id: 'toolu_P', name: 'get_weather', input: { city: 'Paris' } },
      { id: 'toolu_R', name: 'get_weather', input: { city: 'Rome', unit: 'c' } },
    ]);
    expect(message.usage).toMatchObject({ input_tokens: 40, output_tokens: 77, cache_read_input_tokens: 10 });
  });

  it('parses a non-streaming response', async () => {
    const message = await client.messages.create({ model: 'smart', max_tokens: 64, messages: [{ role: 'user', content: 'Say hello in French.' }] });
    expect(message).toMatchObject({
      id: 'msg_plain',
      type: 'message',
      role: 'assistant',
      model: 'smart',
      content: [{ type: 'text', text: 'Bonjour.' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 9, output_tokens: 3 },
    });
  });

  it('raises the SDK error class that matches the gateway error', async () => {
    const notFound = await client.messages.create({ model: 'missing', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(Anthropic.NotFoundError);
    expect((notFound as InstanceType<typeof Anthropic.NotFoundError>).error).toEqual({
      type: 'error',
      error: { type: 'not_found_error', message: 'model: No model named "missing".' },
    });

    const bad = await client.messages
      .create({ model: 'smart', max_tokens: 8, temperature: 3, messages: [{ role: 'user', content: 'x' }] } as Anthropic.MessageCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(Anthropic.BadRequestError);
    expect((bad as InstanceType<typeof Anthropic.BadRequestError>).message).toMatch(/temperature/);
  });
});
