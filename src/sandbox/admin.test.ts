import { describe, expect, it } from 'vitest';
import { startSandbox } from './index.js';
import { chatCall, rawRequest } from './raw-client.js';

describe('sandbox admin routes and lifecycle', () => {
  it('logs every attempt, serves the log over HTTP and clears it on reset', async () => {
    const lines: string[] = [];
    const sb = await startSandbox({ log: (l) => lines.push(l) });
    try {
      const o = chatCall(sb.url, 'openai', 'error-500-once@adm', { stream: true });
      await rawRequest(o.url, { body: o.body, headers: o.headers });
      await rawRequest(o.url, { body: o.body, headers: o.headers });
      const g = chatCall(sb.url, 'gemini', 'ok', {});
      await rawRequest(g.url, { body: g.body, headers: g.headers });
      await rawRequest(`${sb.url}/openai/v1/embeddings`, { body: { model: 'emb', input: 'x' } });

      const res = await fetch(`${sb.url}/_sandbox/attempts`);
      const list = (await res.json()) as unknown[];
      expect(list).toEqual(sb.attempts());
      expect(list).toMatchObject([
        {
          seq: 1,
          format: 'openai',
          endpoint: 'chat',
          model: 'error-500-once@adm',
          path: '/openai/v1/chat/completions',
          stream: true,
          scenario: 'error-500-once',
          outcome: 'error',
          status: 500,
          clientClosed: false,
        },
        { seq: 2, format: 'openai', model: 'error-500-once@adm', stream: true, outcome: 'ok', status: 200 },
        {
          seq: 3,
          format: 'gemini',
          endpoint: 'chat',
          model: 'ok',
          path: '/gemini/v1beta/models/ok:generateContent',
          stream: false,
          scenario: 'ok',
          outcome: 'ok',
          status: 200,
        },
        { seq: 4, format: 'openai', endpoint: 'embeddings', model: 'emb', outcome: 'ok', status: 200 },
      ]);
      expect(typeof sb.attempts()[0]?.time).toBe('string');
      expect(Number.isNaN(Date.parse(sb.attempts()[0]?.time ?? ''))).toBe(false);
      expect(lines[0]).toContain('scenario=error-500-once');
      expect(lines[0]).toContain('status=500');

      // Reset clears both the log and the once-counters.
      const reset = await fetch(`${sb.url}/_sandbox/reset`, { method: 'POST' });
      expect(reset.status).toBe(200);
      expect(sb.attempts()).toEqual([]);
      expect((await rawRequest(o.url, { body: o.body, headers: o.headers })).status).toBe(500);
      sb.reset();
      expect((await rawRequest(o.url, { body: o.body, headers: o.headers })).status).toBe(500);
    } finally {
      await sb.close();
    }
  });

  it('lists built-in scenarios and file models', async () => {
    const sb = await startSandbox({ scenarios: { models: { mine: { base: 'slow' } } }, seed: 3 });
    try {
      const body = (await (await fetch(`${sb.url}/_sandbox/scenarios`)).json()) as {
        seed: number;
        builtin: { name: string; description: string }[];
        models: Record<string, unknown>;
      };
      expect(body.seed).toBe(3);
      expect(body.builtin.map((b) => b.name)).toEqual(expect.arrayContaining(['ok', 'rate-limit-once', 'no-done', 'reject-prefill', 'slow']));
      expect(body.builtin.every((b) => b.description.length > 10)).toBe(true);
      expect(body.models).toEqual({ mine: { base: 'slow' } });
    } finally {
      await sb.close();
    }
  });

  it('close() returns promptly with hung, stalled and slow requests in flight', async () => {
    const sb = await startSandbox();
    const pending = ['no-response', 'stall', 'slow-first-token'].map((model) => {
      const c = chatCall(sb.url, 'anthropic', model, { stream: true });
      return rawRequest(c.url, { body: c.body, headers: c.headers, timeoutMs: 10_000 });
    });
    for (let i = 0; i < 100 && sb.attempts().length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await sb.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    const results = await Promise.all(pending);
    expect(results.every((r) => !r.complete && r.error !== null && r.error !== 'timeout')).toBe(true);
    // Closing twice is harmless.
    await sb.close();
  });

  it('binds to 127.0.0.1 on an ephemeral port by default', async () => {
    const sb = await startSandbox();
    try {
      expect(sb.url).toBe(`http://127.0.0.1:${sb.port}`);
      expect(sb.port).toBeGreaterThan(0);
    } finally {
      await sb.close();
    }
  });
});
