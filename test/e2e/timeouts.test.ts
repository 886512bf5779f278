import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postChat } from '../helpers/chat.js';
import { type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;

beforeAll(async () => {
  const fast = { timeouts: { connect_ms: 1000, first_byte_ms: 300, idle_ms: 300 } };
  stack = await startStack({
    providers: {
      'sb-openai': { sandbox: true, format: 'openai', ...fast },
      'sb-anthropic': { sandbox: true, format: 'anthropic', ...fast },
      'sb-gemini': { sandbox: true, format: 'gemini' },
      // Idle and first-byte timeouts far away: only the first-token timeout can end the wait.
      'sb-ft': { sandbox: true, format: 'anthropic', timeouts: { first_byte_ms: 5000, idle_ms: 5000, first_token_ms: 250 } },
      // Port 9 (discard) has no listener here: connections are refused at once.
      nowhere: { format: 'openai', base_url: 'http://127.0.0.1:9/v1', auth: 'none' },
    },
    models: {
      silent: { targets: ['sb-openai/no-response@t1', 'sb-gemini/gemini-2.5-flash'] },
      'slow-start': { targets: ['sb-anthropic/slow-first-token@t2', 'sb-gemini/gemini-2.5-flash'] },
      stalls: { targets: ['sb-openai/stall@t3', 'sb-gemini/gemini-2.5-flash'] },
      'first-token': { targets: ['sb-ft/slow-first-token@t7', 'sb-gemini/gemini-2.5-flash'] },
      unreachable: { targets: ['nowhere/gpt-4o', 'sb-gemini/gemini-2.5-flash'] },
    },
  });
});
afterAll(() => stack.close());

const chat = (model: string, stream: boolean, headers: Record<string, string> = {}) => postChat(stack.url, model, { stream, headers });

describe('timeouts', () => {
  it('a provider that never answers is cut off at the first-byte timeout and the next target answers', async () => {
    const r = await chat('silent', false);
    expect(r.status).toBe(200);
    expect(r.headers['x-switchyard-provider']).toBe('sb-gemini');
    expect(r.headers['x-switchyard-fallback']).toContain('sb-openai/no-response@t1:timeout');
    expect(r.ms).toBeGreaterThanOrEqual(280);
    expect(r.ms).toBeLessThan(2500);
  });

  it('a stream whose first token is slower than the idle timeout fails over before any content', async () => {
    const r = await chat('slow-start', true);
    expect(r.status).toBe(200);
    expect(r.headers['x-switchyard-provider']).toBe('sb-gemini');
    expect(r.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(r.ms).toBeLessThan(2500); // did not wait for the 3 s first token
  });

  it('a stream with headers and pings but no content is cut at the first-token timeout, on time, and fails over', async () => {
    const r = await chat('first-token', true);
    expect(r.status).toBe(200);
    expect(r.headers['x-switchyard-provider']).toBe('sb-gemini');
    expect(r.headers['x-switchyard-fallback']).toContain('sb-ft/slow-first-token@t7:timeout');
    expect(r.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(r.ms).toBeGreaterThanOrEqual(240);
    expect(r.ms).toBeLessThan(900);
  });

  it('a stream that stalls after content ends at the idle timeout with an in-band error and no [DONE]', async () => {
    const r = await chat('stalls', true);
    expect(r.status).toBe(200);
    expect(r.headers['x-switchyard-provider']).toBe('sb-openai');
    expect(r.text).toContain('"content"');
    expect(r.text).not.toContain('[DONE]');
    const last = JSON.parse(
      r.text
        .trim()
        .split('\n\n')
        .at(-1)!
        .replace(/^data: /, ''),
    ) as { error: { code: string; message: string } };
    expect(last.error.code).toBe('stream_interrupted');
    expect(last.error.message).toMatch(/silent for 300 ms/);
    expect(r.ms).toBeLessThan(2500);
  });

  it('a provider nobody listens on is a connection failure and the next target answers', async () => {
    const r = await chat('unreachable', false);
    expect(r.status).toBe(200);
    expect(r.headers['x-switchyard-fallback']).toContain('nowhere/gpt-4o:connection');
  });

  it('the request deadline ends a request that outlives it with 504', async () => {
    const small = await startStack({
      server: { request_timeout_ms: 400 },
      providers: { 'sb-openai': { sandbox: true, format: 'openai' } },
      models: { silent: { targets: ['sb-openai/no-response@t5'] }, stalls: { targets: ['sb-openai/stall@t6'] } },
    });
    try {
      const t0 = performance.now();
      const res = await request(`${small.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'silent', messages: [{ role: 'user', content: 'x' }] }),
      });
      const body = (await res.body.json()) as { error: { code: string; message: string } };
      expect(res.statusCode).toBe(504);
      expect(body.error.code).toBe('upstream_timeout');
      expect(body.error.message).toMatch(/deadline of 400 ms/);
      expect(performance.now() - t0).toBeLessThan(2000);

      // After content was sent, the deadline ends the stream in-band; the client is never left hanging.
      const t1 = performance.now();
      const stream = await request(`${small.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'stalls', stream: true, messages: [{ role: 'user', content: 'x' }] }),
      });
      const text = await stream.body.text();
      expect(stream.statusCode).toBe(200);
      expect(text).not.toContain('[DONE]');
      const last = JSON.parse(
        text
          .trim()
          .split('\n\n')
          .at(-1)!
          .replace(/^data: /, ''),
      ) as { error: { code: string; attempts: { outcome: string }[] } };
      expect(last.error.code).toBe('upstream_timeout');
      expect(last.error.attempts.map((a) => a.outcome)).toEqual(['aborted']);
      expect(performance.now() - t1).toBeLessThan(2000);
    } finally {
      await small.close();
    }
  });
});
