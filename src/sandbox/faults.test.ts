import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type SandboxServer, startSandbox } from './index.js';
import { chatCall, type RawResult, rawRequest, sseData, sseEvents } from './raw-client.js';
import type { SandboxFormat } from './types.js';

let sb: SandboxServer;

beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(() => sb.close());
beforeEach(() => sb.reset());

const FORMATS: SandboxFormat[] = ['openai', 'anthropic', 'gemini'];

function call(format: SandboxFormat, model: string, opts: Parameters<typeof chatCall>[3] = {}, timeoutMs = 5_000): Promise<RawResult> {
  const c = chatCall(sb.url, format, model, opts);
  return rawRequest(c.url, { body: c.body, headers: c.headers, timeoutMs });
}

function json(r: RawResult): unknown {
  return JSON.parse(r.body);
}

/** Content text carried by the parseable data lines of a stream, whichever the format. */
function streamedText(format: SandboxFormat, body: string): string {
  let text = '';
  for (const data of sseData(body)) {
    let ev: unknown;
    try {
      ev = JSON.parse(data);
    } catch {
      continue;
    }
    const e = ev as { choices?: { delta?: { content?: string } }[]; delta?: { text?: string }; candidates?: { content?: { parts?: { text?: string }[] } }[] };
    if (format === 'openai') text += e.choices?.[0]?.delta?.content ?? '';
    if (format === 'anthropic') text += e.delta?.text ?? '';
    if (format === 'gemini') text += e.candidates?.[0]?.content?.parts?.[0]?.text ?? '';
  }
  return text;
}

describe('rate limits', () => {
  it('rate-limit-once: 429 with Retry-After (and retry-after-ms for OpenAI), then ok', async () => {
    const first = await call('openai', 'rate-limit-once');
    expect(first.status).toBe(429);
    expect(first.headers['retry-after']).toBe('1');
    expect(first.headers['retry-after-ms']).toBe('1000');
    expect(json(first)).toMatchObject({ error: { type: 'requests', code: 'rate_limit_exceeded', param: null } });
    expect((await call('openai', 'rate-limit-once')).status).toBe(200);

    const a = await call('anthropic', 'rate-limit-once');
    expect(a.status).toBe(429);
    expect(a.headers['retry-after']).toBe('1');
    expect(a.headers['retry-after-ms']).toBeUndefined();
    expect(json(a)).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });

    const g = await call('gemini', 'rate-limit-once');
    expect(g.status).toBe(429);
    expect(json(g)).toMatchObject({ error: { code: 429, status: 'RESOURCE_EXHAUSTED' } });
    expect((await call('gemini', 'rate-limit-once')).status).toBe(200);
  });

  it('rate-limit: always 429 without Retry-After', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await call('openai', 'rate-limit');
      expect(r.status).toBe(429);
      expect(r.headers['retry-after']).toBeUndefined();
      expect(r.headers['retry-after-ms']).toBeUndefined();
    }
  });
});

describe('server errors', () => {
  it('error-500-once: 500 in each shape, then ok', async () => {
    const expected: Record<SandboxFormat, unknown> = {
      openai: { error: { type: 'server_error', code: null } },
      anthropic: { type: 'error', error: { type: 'api_error', message: 'Internal server error' } },
      gemini: { error: { code: 500, status: 'INTERNAL' } },
    };
    for (const f of FORMATS) {
      const first = await call(f, 'error-500-once');
      expect(first.status).toBe(500);
      expect(json(first)).toMatchObject(expected[f] as object);
      expect((await call(f, 'error-500-once')).status).toBe(200);
    }
  });

  it('error-503 and outage stay down', async () => {
    for (let i = 0; i < 2; i++) {
      expect((await call('openai', 'error-503')).status).toBe(503);
      const g = await call('gemini', 'outage');
      expect(g.status).toBe(503);
      expect(json(g)).toMatchObject({ error: { code: 503, status: 'UNAVAILABLE' } });
    }
    const a = await call('anthropic', 'error-503', { stream: true });
    expect(a.status).toBe(503);
    expect(json(a)).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
  });
});

describe('connection faults', () => {
  it('reset: the connection dies before any headers', async () => {
    const r = await call('openai', 'reset');
    expect(r.status).toBeNull();
    expect(r.error).not.toBeNull();
    expect(sb.attempts()[0]).toMatchObject({ scenario: 'reset', outcome: 'reset', status: null });
  });

  it('no-response: accepts and never answers until the client gives up', async () => {
    const started = Date.now();
    const r = await call('anthropic', 'no-response', {}, 300);
    expect(r.error).toBe('timeout');
    expect(r.status).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    // The sandbox notices the hang-up.
    for (let i = 0; i < 50 && !sb.attempts()[0]?.clientClosed; i++) await new Promise((r) => setTimeout(r, 10));
    expect(sb.attempts()[0]).toMatchObject({ outcome: 'no_response', status: null, clientClosed: true });
  });
});

describe('stream faults', () => {
  it('cut-after-5: five content tokens, then the connection closes with no terminal event', async () => {
    for (const f of FORMATS) {
      const r = await call(f, 'cut-after-5', { stream: true });
      expect(r.status).toBe(200);
      expect(r.complete).toBe(false);
      expect(r.error).not.toBeNull();
      expect(streamedText(f, r.body)).toBe(`Sandbox (${f}/cut-after-5) reply to: hello `);
      expect(r.body).not.toContain('[DONE]');
      expect(r.body).not.toContain('message_stop');
      expect(r.body).not.toContain('finish_reason":"stop');
      expect(r.body).not.toContain('finishReason');
    }
    expect(sb.attempts().map((a) => a.outcome)).toEqual(['cut', 'cut', 'cut']);
  });

  it('cut-after-N works for any N, and a non-stream cut delivers half a body', async () => {
    const r = await call('openai', 'cut-after-2', { stream: true });
    expect(streamedText('openai', r.body)).toBe('Sandbox (openai/cut-after-2) ');
    const plain = await call('openai', 'cut-after-2');
    expect(plain.status).toBe(200);
    expect(plain.complete).toBe(false);
    expect(() => JSON.parse(plain.body)).toThrow();
  });

  it('stall: three tokens, then silence on an open connection', async () => {
    const r = await call('gemini', 'stall', { stream: true }, 400);
    expect(r.status).toBe(200);
    expect(r.error).toBe('timeout');
    expect(sseData(r.body)).toHaveLength(3);
    expect(streamedText('gemini', r.body)).toBe('Sandbox (gemini/stall) reply ');
  });

  it('malformed-chunk: one unparseable data line mid-stream, then a normal finish', async () => {
    for (const f of FORMATS) {
      const r = await call(f, 'malformed-chunk', { stream: true });
      expect(r.complete).toBe(true);
      const bad = sseData(r.body).filter((d) => {
        if (d === '[DONE]') return false;
        try {
          JSON.parse(d);
          return false;
        } catch {
          return true;
        }
      });
      expect(bad).toHaveLength(1);
      expect(streamedText(f, r.body)).toBe(`Sandbox (${f}/malformed-chunk) reply to: hello world`);
    }
    const openai = await call('openai', 'malformed-chunk', { stream: true });
    expect(openai.body.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(sb.attempts().at(-1)?.outcome).toBe('malformed');
  });

  it('no-done: finish reason and usage arrive, the terminal event does not', async () => {
    const o = await call('openai', 'no-done', { stream: true, extra: { stream_options: { include_usage: true } } });
    expect(o.complete).toBe(true);
    const chunks = sseData(o.body);
    expect(chunks).not.toContain('[DONE]');
    expect(o.body).toContain('"finish_reason":"stop"');
    expect(JSON.parse(chunks.at(-1) ?? '')).toMatchObject({ choices: [], usage: { completion_tokens: 6 } });

    const a = await call('anthropic', 'no-done', { stream: true });
    const events = sseEvents(a.body);
    expect(events.at(-1)).toBe('message_delta');
    expect(events).not.toContain('message_stop');

    // Gemini streams have no terminal event: the last event with finishReason is the normal end.
    const g = await call('gemini', 'no-done', { stream: true });
    expect(JSON.parse(sseData(g.body).at(-1) ?? '')).toMatchObject({ candidates: [{ finishReason: 'STOP' }] });
  });

  it('slow-first-token: the first content token arrives after about 3 s', async () => {
    const started = Date.now();
    const r = await call('openai', 'slow-first-token', { stream: true }, 10_000);
    expect(r.complete).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_900);
    expect(Date.now() - started).toBeLessThan(6_000);
  });
});

describe('request rejections', () => {
  it('context-length in each provider shape and wording', async () => {
    const o = await call('openai', 'context-length');
    expect(o.status).toBe(400);
    expect(json(o)).toEqual({
      error: {
        message:
          "This model's maximum context length is 128000 tokens. However, your messages resulted in 128002 tokens. Please reduce the length of the messages.",
        type: 'invalid_request_error',
        param: 'messages',
        code: 'context_length_exceeded',
      },
    });
    const a = await call('anthropic', 'context-length');
    expect(a.status).toBe(400);
    expect(json(a)).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'prompt is too long: 200002 tokens > 200000 maximum' } });
    const g = await call('gemini', 'context-length', { stream: true });
    expect(g.status).toBe(400);
    expect(json(g)).toEqual({
      error: { code: 400, status: 'INVALID_ARGUMENT', message: 'The input token count (1048578) exceeds the maximum number of tokens allowed (1048576).' },
    });
  });

  it('content-filter: OpenAI 400 content_filter, Anthropic refusal, Gemini blocked prompt', async () => {
    const o = await call('openai', 'content-filter', { stream: true });
    expect(o.status).toBe(400);
    expect(json(o)).toMatchObject({ error: { code: 'content_filter', type: 'invalid_request_error' } });
    const a = await call('anthropic', 'content-filter', { stream: true });
    expect(a.status).toBe(200);
    expect(
      sseData(a.body)
        .map((d) => JSON.parse(d) as { type: string; delta?: { stop_reason?: string } })
        .find((e) => e.type === 'message_delta')?.delta?.stop_reason,
    ).toBe('refusal');
    const g = await call('gemini', 'content-filter', { stream: true });
    const events = sseData(g.body).map((d) => JSON.parse(d) as Record<string, unknown>);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ promptFeedback: { blockReason: 'SAFETY' } });
    expect(events[0]?.candidates).toBeUndefined();
    expect(sb.attempts().map((x) => x.outcome)).toEqual(['content_filter', 'content_filter', 'content_filter']);
  });

  it("reject-prefill: 400 only when the last turn is the assistant's", async () => {
    const expected: Record<SandboxFormat, object> = {
      openai: { error: { type: 'invalid_request_error', param: 'messages' } },
      anthropic: { type: 'error', error: { type: 'invalid_request_error' } },
      gemini: { error: { code: 400, status: 'INVALID_ARGUMENT' } },
    };
    for (const f of FORMATS) {
      const r = await call(f, 'reject-prefill', { messages: 'prefill' });
      expect(r.status).toBe(400);
      expect(json(r)).toMatchObject(expected[f]);
      expect(r.body.toLowerCase()).toContain('prefill');
      expect((await call(f, 'reject-prefill')).status).toBe(200);
      // The ok scenario accepts a prefill.
      expect((await call(f, 'ok', { messages: 'prefill' })).status).toBe(200);
    }
  });

  it('unknown routes 404 in the provider shape, bad JSON 400s', async () => {
    const r = await rawRequest(`${sb.url}/openai/v1/completions`, { body: {} });
    expect(r.status).toBe(404);
    expect(json(r)).toMatchObject({ error: { code: 'unknown_url' } });
    const bad = await rawRequest(`${sb.url}/gemini/v1beta/models/ok:generateContent`, { method: 'POST', headers: {}, body: undefined });
    expect(bad.status).toBe(400);
    expect(json(bad)).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } });
  });
});

describe('@tag isolation and slow models', () => {
  it('keeps separate state per tag', async () => {
    expect((await call('openai', 'error-500-once@t1')).status).toBe(500);
    expect((await call('openai', 'error-500-once@t1')).status).toBe(200);
    expect((await call('openai', 'error-500-once@t2')).status).toBe(500);
    expect((await call('openai', 'error-500-once@t2')).status).toBe(200);
    const entries = sb.attempts();
    expect(entries.map((a) => [a.model, a.scenario, a.status])).toEqual([
      ['error-500-once@t1', 'error-500-once', 500],
      ['error-500-once@t1', 'error-500-once', 200],
      ['error-500-once@t2', 'error-500-once', 500],
      ['error-500-once@t2', 'error-500-once', 200],
    ]);
  });

  it('unknown model names behave as ok', async () => {
    const r = await call('anthropic', 'claude-whatever');
    expect(r.status).toBe(200);
    expect(json(r)).toMatchObject({ model: 'claude-whatever', stop_reason: 'end_turn' });
    expect(sb.attempts()[0]?.scenario).toBe('ok');
  });
});
