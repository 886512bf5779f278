import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    server: { max_body_bytes: 2048 },
    models: { fast: { targets: ['sb-openai/gpt-4o-mini'] }, stalls: { targets: ['sb-openai/stall@abort'] } },
  });
});
afterAll(() => stack.close());

async function post(path: string, body: string | object, headers: Record<string, string> = {}) {
  const res = await request(`${stack.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const json = (await res.body.json()) as { error: { message: string; type: string; param: string | null; code: string } };
  return { status: res.statusCode, headers: res.headers, error: json.error };
}

describe('bad input gets a clear OpenAI-shaped error', () => {
  it('malformed JSON → 400 invalid_json', async () => {
    const r = await post('/v1/chat/completions', '{"model": "fast", "messages": [');
    expect(r.status).toBe(400);
    expect(r.error).toMatchObject({ code: 'invalid_json', type: 'invalid_request_error', param: null });
    expect(r.error.message).toMatch(/not valid JSON/);
  });

  it.each([
    [{ messages: [{ role: 'user', content: 'x' }] }, 'model', /model is required/],
    [{ model: 'fast', messages: 'hi' }, 'messages', /messages must be an array, got string/],
    [{ model: 'fast', messages: [] }, 'messages', /at least one/],
    [{ model: 'fast', messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role', /must be one of system, developer, user, assistant, tool/],
    [{ model: 'fast', messages: [{ role: 'user', content: 42 }] }, 'messages[0].content', /string or an array of content parts, got number/],
    [{ model: 'fast', messages: [{ role: 'user', content: [{ type: 'video', url: 'x' }] }] }, 'messages[0].content[0].type', /must be 'text', 'image_url'/],
    [{ model: 'fast', messages: [{ role: 'user', content: 'x' }], temperature: 3 }, 'temperature', /between 0 and 2, got 3/],
    [{ model: 'fast', messages: [{ role: 'user', content: 'x' }], max_tokens: -1 }, 'max_tokens', /positive integer/],
    [{ model: 'fast', messages: [{ role: 'user', content: 'x' }], stream: 'yes' }, 'stream', /must be a boolean, got string/],
    [
      { model: 'fast', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'bad name!' } }] },
      'tools[0].function.name',
      /1-64 characters/,
    ],
    [
      { model: 'fast', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'yaml' } },
      'response_format.type',
      /'text', 'json_object' or 'json_schema'/,
    ],
    [{ model: 'fast', messages: [{ role: 'user', content: 'x' }], fallbacks: ['nope/x'] }, 'fallbacks[0]', /names no configured provider/],
    [{ model: 'fast', messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id', /must be a string/],
  ])('%j → 400 on %s', async (body, param, message) => {
    const r = await post('/v1/chat/completions', body);
    expect(r.status).toBe(400);
    expect(r.error.code).toBe('invalid_request');
    expect(r.error.param).toBe(param);
    expect(r.error.message).toMatch(message);
  });

  it('unknown model → 404 listing the known models', async () => {
    const r = await post('/v1/chat/completions', { model: 'gpt-9', messages: [{ role: 'user', content: 'x' }] });
    expect(r.status).toBe(404);
    expect(r.error.code).toBe('model_not_found');
    expect(r.error.param).toBe('model');
    expect(r.error.message).toContain('fast');
    expect(r.error.message).toContain('stalls');
  });

  it('unknown provider in provider/model → 404 naming the configured providers', async () => {
    const r = await post('/v1/chat/completions', { model: 'nope/gpt-4o', messages: [{ role: 'user', content: 'x' }] });
    expect(r.status).toBe(404);
    expect(r.error.message).toMatch(/provider 'nope' is not configured.*sb-openai/);
  });

  it('oversized body with Content-Length → 413 before the body is read', async () => {
    // Declare a large body but send none of it: the answer must come anyway.
    const answer = await new Promise<string>((resolve, reject) => {
      const port = Number(new URL(stack.url).port);
      const sock = connect(port, '127.0.0.1', () => {
        sock.write(`POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 10000000\r\n\r\n{"model":`);
      });
      let data = '';
      sock.on('data', (d) => {
        data += d.toString();
        if (data.includes('}}')) {
          sock.destroy();
          resolve(data);
        }
      });
      sock.on('error', reject);
      setTimeout(() => reject(new Error(`no answer; got: ${data}`)), 5000);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413/);
    expect(answer).toContain('"code":"body_too_large"');
    expect(answer).toContain('2048 bytes');
  });

  it('oversized chunked body → 413 as soon as the limit passes', async () => {
    const big = JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'x'.repeat(5000) }] });
    const res = await request(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Readable.from([big.slice(0, 1000), big.slice(1000)]),
    });
    expect(res.statusCode).toBe(413);
    expect(((await res.body.json()) as { error: { code: string } }).error.code).toBe('body_too_large');
  });

  it('wrong method and unknown route are explained', async () => {
    const get = await request(`${stack.url}/v1/chat/completions`);
    expect(get.statusCode).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expect(((await get.body.json()) as { error: { message: string } }).error.message).toMatch(/accepts POST, not GET/);
    const none = await request(`${stack.url}/v2/whatever`);
    expect(none.statusCode).toBe(404);
    expect(((await none.body.json()) as { error: { code: string } }).error.code).toBe('route_not_found');
  });

  it('client abort mid-stream aborts the upstream at once and the gateway keeps serving', async () => {
    const ac = new AbortController();
    const res = await request(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'stalls', stream: true, messages: [{ role: 'user', content: 'hang on' }] }),
      signal: ac.signal,
    });
    expect(res.statusCode).toBe(200);
    // Read the first content, then walk away while the upstream is stalled.
    const it = res.body[Symbol.asyncIterator]();
    const first = await it.next();
    expect(String(first.value)).toContain('data:');
    ac.abort();
    // The gateway hangs up on the upstream (which would stall for minutes): at once, allowing for a busy machine.
    await expect.poll(() => stack.sandbox.attempts().find((a) => a.model === 'stall@abort')?.clientClosed, { timeout: 2000, interval: 20 }).toBe(true);

    const after = await request(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'still alive?' }] }),
    });
    expect(after.statusCode).toBe(200);
    expect(JSON.stringify(await after.body.json())).toContain('still alive?');
  });
});

describe('requests a target cannot carry', () => {
  it.each(['sb-anthropic', 'sb-gemini'])('an audio part sent to %s is refused with the part named', async (provider) => {
    const res = await request(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: `${provider}/m`,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'listen' },
              { type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } },
            ],
          },
        ],
      }),
    });
    const body = (await res.body.json()) as { error: { code: string; param: string | null; message: string } };
    expect(res.statusCode).toBe(400);
    expect(body.error.code).toBe('capability_unsupported');
    expect(body.error.param).toBe('messages[0].content[1].type');
    expect(body.error.message).toMatch(/'input_audio' part/);
  });

  it('keep the adapter’s own error code and field when no target can take them', async () => {
    const res = await request(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sb-anthropic/claude-haiku-4-5', n: 2, messages: [{ role: 'user', content: 'x' }] }),
    });
    const body = (await res.body.json()) as { error: { code: string; param: string | null; message: string } };
    expect(res.statusCode).toBe(400);
    expect(body.error.code).toBe('capability_unsupported');
    expect(body.error.param).toBe('n');
    expect(body.error.message).toMatch(/n must be 1/);
  });
});
