import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { compile } from '../../src/config/compile.js';
import { MAX_JSON_DEPTH } from '../../src/http/json-depth.js';
import { createGateway, type Gateway } from '../../src/http/server.js';
import { openaiAdapter } from '../../src/providers/openai/adapter.js';
import { type Stack, startStack } from '../helpers/stack.js';

/**
 * Issue 8, items 3, 4, 5 and 8: what a hostile or careless client sends is refused at ingress with
 * a 400 that says where, never reaches a provider's path, cannot trip a breaker and cannot hold a
 * connection open.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    server: { body_idle_timeout_ms: 300 },
    models: {
      any: { targets: ['sb-openai/gpt-4o-mini'] },
      pair: { targets: ['sb-openai/p1', 'sb-anthropic/p2'] },
    },
    resilience: { breaker: { consecutive_failures: 2, min_requests: 2 } },
  });
});
afterAll(() => stack.close());
afterEach(() => {
  vi.restoreAllMocks();
  stack.sandbox.reset();
});

/** An OpenAI- or Anthropic-shaped error body (or a success body, read only for its status). */
interface ErrorJson {
  type?: string;
  error: { message: string; type: string; param: string | null; code: string; attempts?: { target: string; outcome: string }[] };
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await request(`${stack.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, json: JSON.parse(text) as ErrorJson };
}

/** `levels` nested single-key objects ending in a string: `{"a":{"a":…"x"}}`. */
function nested(levels: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
}

const user = [{ role: 'user', content: 'hi' }];

describe('JSON nesting is capped at ingress', () => {
  it(`refuses a body deeper than ${MAX_JSON_DEPTH} levels with a 400 that names the path, before any provider is asked`, async () => {
    // The body itself is level 1, metadata level 2.
    const r = await post('/v1/chat/completions', { model: 'any', messages: user, metadata: { deep: nested(MAX_JSON_DEPTH) } });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('invalid_request');
    expect(r.json.error.param).toMatch(/^metadata\.deep(\.a)+$/);
    expect(r.json.error.message).toContain(`deeper than ${MAX_JSON_DEPTH} levels at metadata.deep.a`);
    expect(stack.sandbox.attempts()).toEqual([]);
  });

  it('names array positions in the path, and refuses on /v1/messages in Anthropic shape', async () => {
    let input: unknown = 1;
    for (let i = 0; i < MAX_JSON_DEPTH; i++) input = [input];
    const body = {
      model: 'any',
      max_tokens: 10,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: { list: input } }] },
      ],
    };
    const r = await post('/v1/messages', body);
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(r.json.error.message).toContain('at messages[1].content[0].input.list[0][0]');
  });

  it.each(['sb-openai', 'sb-anthropic', 'sb-gemini'])(
    'carries the deepest allowed body to %s (tool schema, json_schema, metadata) without a crash',
    async (provider) => {
      // Leave room for the enclosing levels: body, tools[], tools[0], function, parameters, properties.
      const schema = { type: 'object', properties: { v: { type: 'object', properties: nested(Math.floor((MAX_JSON_DEPTH - 8) / 2) * 2) } } };
      const r = await post('/v1/chat/completions', {
        model: `${provider}/gpt-4o-mini`,
        messages: user,
        tools: [{ type: 'function', function: { name: 'f', parameters: schema } }],
        tool_choice: 'none',
        metadata: { deep: nested(MAX_JSON_DEPTH - 3) },
      });
      expect(r.status).toBe(200);
    },
  );
});

describe('a failure while preparing the request is the gateway’s own', () => {
  it('is a 500 internal_error with the request id, tried once, never sent, and moves no breaker', async () => {
    vi.spyOn(openaiAdapter, 'buildChatRequest').mockImplementation(() => {
      throw new RangeError('Maximum call stack size exceeded');
    });
    for (let i = 0; i < 3; i++) {
      const r = await post('/v1/chat/completions', { model: 'pair', messages: user });
      expect(r.status).toBe(500);
      expect(r.json.error.code).toBe('internal_error');
      expect(r.json.error.message).not.toContain('Maximum call stack');
      expect(r.json.error.attempts).toHaveLength(1);
      expect(r.json.error.attempts?.[0]).toMatchObject({ target: 'sb-openai/p1', outcome: 'internal' });
      expect(r.headers['x-switchyard-request-id']).toBeTypeOf('string');
    }
    // Never retried, never handed to the next target: nothing reached a provider.
    expect(stack.sandbox.attempts()).toEqual([]);
    const targets = (await (await request(`${stack.url}/admin/targets`)).body.json()) as {
      targets: { target: string; breaker: { state: string; failures: number } }[];
    };
    const p1 = targets.targets.find((t) => t.target === 'sb-openai/p1');
    expect(p1?.breaker).toMatchObject({ state: 'closed', failures: 0 });
    expect(stack.logs.filter((l) => l.event === 'internal_error').map((l) => String(l.fields.error))).toEqual(
      Array(3).fill(expect.stringContaining('RangeError: Maximum call stack size exceeded')),
    );
    // The provider is healthy: once the gateway is, the next request is answered.
    vi.restoreAllMocks();
    expect((await post('/v1/chat/completions', { model: 'pair', messages: user })).status).toBe(200);
  });
});

/** A raw connection that sends the head and then the body at the caller's pace; resolves with what came back and when the socket closed. */
function slowClient(head: string): { socket: Socket; done: Promise<{ text: string; closedAfterMs: number }> } {
  const { port } = new URL(stack.url);
  const socket = connect(Number(port), '127.0.0.1');
  const started = performance.now();
  socket.write(head);
  let text = '';
  socket.on('data', (d: Buffer) => {
    text += d.toString();
  });
  const done = new Promise<{ text: string; closedAfterMs: number }>((resolve) =>
    socket.on('close', () => resolve({ text, closedAfterMs: performance.now() - started })),
  );
  socket.on('error', () => {});
  return { socket, done };
}

describe('reading the body is bounded in time', () => {
  const head = (length: number, extra = ''): string =>
    `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n${extra}\r\n`;

  it('a body that stalls longer than body_idle_timeout_ms gets 408 and the connection is closed', async () => {
    const { socket, done } = slowClient(`${head(100)}{"model":`);
    const { text, closedAfterMs } = await done;
    expect(text).toMatch(/^HTTP\/1\.1 408/);
    expect(text).toContain('"code":"request_timeout"');
    expect(text).toContain('server.body_idle_timeout_ms');
    expect(closedAfterMs).toBeLessThan(3000);
    socket.destroy();
  });

  it('a body trickling in one byte at a time still ends at the request deadline (x-switchyard-timeout-ms)', async () => {
    const { socket, done } = slowClient(head(1000, 'x-switchyard-timeout-ms: 1000\r\n'));
    // One byte every 100 ms never lets the idle timer (300 ms) fire.
    const drip = setInterval(() => socket.write(' '), 100);
    const { text, closedAfterMs } = await done;
    clearInterval(drip);
    expect(text).toMatch(/^HTTP\/1\.1 408/);
    expect(text).toContain('request deadline of 1000 ms exceeded');
    expect(closedAfterMs).toBeGreaterThanOrEqual(900);
    expect(closedAfterMs).toBeLessThan(4000);
  });

  it('a client that leaves mid-body is client_closed, not an internal error', async () => {
    const before = stack.logs.length;
    const { socket, done } = slowClient(`${head(100)}{"model":`);
    await new Promise((r) => setTimeout(r, 50));
    socket.destroy();
    await done;
    await new Promise((r) => setTimeout(r, 100));
    expect(stack.logs.slice(before).filter((l) => l.event === 'internal_error')).toEqual([]);
  });

  it('the server sets its own request and headers timeouts', () => {
    expect(stack.gateway.server.requestTimeout).toBe(600_000);
    expect(stack.gateway.server.headersTimeout).toBe(60_000);
  });
});

describe('headers are parsed strictly', () => {
  it.each(['0x10', '1e3', '5.0', '', '+5', '0', '99999999999'])('x-switchyard-timeout-ms: %j → 400', async (value) => {
    const r = await post('/v1/chat/completions', { model: 'any', messages: user }, { 'x-switchyard-timeout-ms': value });
    expect(r.status).toBe(400);
    expect(r.json.error.param).toBe('x-switchyard-timeout-ms');
  });

  it('x-switchyard-timeout-ms: 5000 is taken', async () => {
    expect((await post('/v1/chat/completions', { model: 'any', messages: user }, { 'x-switchyard-timeout-ms': '5000' })).status).toBe(200);
  });

  it.each(['yes', 'False', '0', ''])('x-switchyard-idempotent: %j → 400', async (value) => {
    const r = await post('/v1/chat/completions', { model: 'any', messages: user }, { 'x-switchyard-idempotent': value });
    expect(r.status).toBe(400);
    expect(r.json.error.param).toBe('x-switchyard-idempotent');
  });
});

// ---------------------------------------------------------------------------------------------
// Model ids in provider paths: one recording upstream behind one provider per wire format.

const FORMATS = ['openai', 'azure', 'anthropic', 'gemini', 'bedrock'] as const;
let recorder: Server;
let seen: string[];
let gateway: Gateway;
let gatewayUrl: string;

function providers(base: string): Record<string, unknown> {
  return {
    openai: { format: 'openai', base_url: `${base}/v1`, auth: 'none' },
    azure: { format: 'azure', base_url: base, api_key: '${KEY}' },
    anthropic: { format: 'anthropic', base_url: base, api_key: '${KEY}' },
    gemini: { format: 'gemini', base_url: base, api_key: '${KEY}' },
    bedrock: { format: 'bedrock', base_url: base, region: 'us-east-1', aws_access_key_id: '${KEY}', aws_secret_access_key: '${KEY}' },
  };
}

describe('model ids never reach another path on a provider', () => {
  beforeAll(async () => {
    seen = [];
    recorder = createServer((req: IncomingMessage, res) => {
      seen.push(req.url ?? '');
      req.resume();
      req.on('end', () => {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"error":{"message":"no such model","type":"invalid_request_error","code":"model_not_found"}}');
      });
    });
    await new Promise<void>((r) => recorder.listen(0, '127.0.0.1', r));
    const port = (recorder.address() as { port: number }).port;
    const config = compile({ providers: providers(`http://127.0.0.1:${port}`), models: {} }, { env: { KEY: 'k'.repeat(24) }, source: 'test' });
    gateway = createGateway(config, () => {}, { processMetrics: false });
    gatewayUrl = `http://127.0.0.1:${(await gateway.listen(0, '127.0.0.1')).port}`;
  });
  afterAll(async () => {
    await gateway.close();
    await new Promise((r) => recorder.close(r));
  });

  const hostile = ['../../x', 'a/../../x', '..', 'x?key=1', 'x#frag', 'x\u0000y', 'x\ny', 'http://evil.example/x', 'a\\..\\x', './x'];

  it.each(FORMATS.flatMap((f) => hostile.map((id) => [f, id] as const)))('%s: model id %j is refused at ingress and nothing is sent', async (format, id) => {
    seen.length = 0;
    for (const path of ['/v1/chat/completions', '/v1/messages']) {
      const res = await request(`${gatewayUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: `${format}/${id}`, max_tokens: 5, messages: user }),
      });
      const body = (await res.body.json()) as { error: { message: string } };
      expect(res.statusCode).toBe(400);
      expect(body.error.message).toMatch(/^model must not contain/);
    }
    expect(seen).toEqual([]);
  });

  it('refuses hostile ids in request fallbacks too', async () => {
    seen.length = 0;
    const res = await request(`${gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/x', fallbacks: ['gemini/../../x'], messages: user }),
    });
    expect(res.statusCode).toBe(400);
    expect(((await res.body.json()) as { error: { param: string } }).error.param).toBe('fallbacks[0]');
    expect(seen).toEqual([]);
  });

  it.each([
    ['openai', 'weird id:v1@x', '/v1/chat/completions'],
    ['azure', 'weird id:v1@x', '/openai/deployments/weird%20id%3Av1%40x/chat/completions?api-version=2024-10-21'],
    ['anthropic', 'weird id:v1@x', '/v1/messages'],
    ['gemini', 'weird id:v1@x', '/v1beta/models/weird%20id%3Av1%40x:generateContent'],
    ['gemini', 'tunedModels/my%2e%2e', '/v1beta/tunedModels/my%252e%252e:generateContent'],
    ['bedrock', 'us.anthropic.claude:0/x y', '/model/us.anthropic.claude%3A0%2Fx%20y/converse'],
  ])('%s: model id %j reaches exactly %s', async (format, id, path) => {
    seen.length = 0;
    const res = await request(`${gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: `${format}/${id}`, messages: user }),
    });
    await res.body.dump();
    expect(res.statusCode).toBe(404);
    expect(seen).toEqual([path]);
  });
});
