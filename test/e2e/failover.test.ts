import OpenAI from 'openai';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postChat } from '../helpers/chat.js';
import { type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;
let client: OpenAI;

beforeAll(async () => {
  stack = await startStack({
    models: {
      'down-then-ok': { targets: ['sb-openai/error-503@a', 'sb-anthropic/claude-haiku-4-5'] },
      filtered: { targets: ['sb-openai/content-filter@b', 'sb-gemini/gemini-2.5-flash'] },
      'all-down': { targets: ['sb-openai/error-503@c', 'sb-gemini/error-503@c'] },
      'reset-then-ok': { targets: ['sb-openai/reset@d', 'sb-gemini/gemini-2.5-flash'] },
      cut: { targets: ['sb-openai/cut-after-5@e', 'sb-gemini/gemini-2.5-flash'] },
      malformed: { targets: ['sb-openai/malformed-chunk@f'] },
      'no-done': { targets: ['sb-openai/no-done@g'] },
    },
  });
  client = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: 'k', maxRetries: 0 });
});
afterAll(() => stack.close());

const rawStream = (model: string) => postChat(stack.url, model, { stream: true, content: 'tell me a story' });

describe('failover across targets', () => {
  it('a failing primary is retried, then falls over to the next target, and the headers say so', async () => {
    const { data, response } = await client.chat.completions.create({ model: 'down-then-ok', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(data.model).toBe('claude-haiku-4-5');
    expect(response.headers.get('x-switchyard-provider')).toBe('sb-anthropic');
    // 503 is transient: the first attempt and two retries with backoff, then the fallback.
    expect(response.headers.get('x-switchyard-attempts')).toBe('4');
    expect(response.headers.get('x-switchyard-fallback')).toBe(
      'sb-openai/error-503@a:overloaded,sb-openai/error-503@a:overloaded,sb-openai/error-503@a:overloaded -> sb-anthropic/claude-haiku-4-5',
    );
  });

  it('a per-request fallbacks list extends the plan', async () => {
    const res = await client.chat.completions.create({
      model: 'sb-openai/error-503@h',
      messages: [{ role: 'user', content: 'hi' }],
      // @ts-expect-error Switchyard's own body field
      fallbacks: ['sb-gemini/gemini-2.5-flash'],
    });
    expect(res.model).toBe('gemini-2.5-flash');
  });

  it('a content-filter rejection is final: no other target is tried', async () => {
    const geminiCalls = () => stack.sandbox.attempts().filter((a) => a.format === 'gemini').length;
    const before = geminiCalls();
    const err = (await client.chat.completions
      .create({ model: 'filtered', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err.error as { code: string }).code).toBe('content_filtered');
    expect(geminiCalls()).toBe(before);
  });

  it('when every target fails, one error lists every attempt', async () => {
    const res = await request(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'all-down', messages: [{ role: 'user', content: 'x' }] }),
    });
    const body = (await res.body.json()) as {
      error: { code: string; message: string; attempts: { target: string; outcome: string; status: number; duration_ms: number }[] };
    };
    expect(res.statusCode).toBe(503);
    expect(body.error.code).toBe('upstream_overloaded');
    // One attempt budget for the request (5): three on the primary, then two on the fallback.
    expect(body.error.attempts.map((a) => [a.target, a.outcome, a.status])).toEqual([
      ['sb-openai/error-503@c', 'overloaded', 503],
      ['sb-openai/error-503@c', 'overloaded', 503],
      ['sb-openai/error-503@c', 'overloaded', 503],
      ['sb-gemini/error-503@c', 'overloaded', 503],
      ['sb-gemini/error-503@c', 'overloaded', 503],
    ]);
    expect(body.error.attempts.every((a) => typeof a.duration_ms === 'number')).toBe(true);
  });
});

describe('streams never pass off a truncated answer as complete', () => {
  it('a connection reset before any content fails over invisibly', async () => {
    const r = await rawStream('reset-then-ok');
    expect(r.status).toBe(200);
    expect(r.headers['x-switchyard-provider']).toBe('sb-gemini');
    expect(r.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('a cut after content ends with an in-band error, no finish_reason and no [DONE]', async () => {
    const r = await rawStream('cut');
    expect(r.status).toBe(200);
    expect(r.headers['x-switchyard-provider']).toBe('sb-openai');
    expect(r.text).toContain('"content"');
    expect(r.text).not.toContain('[DONE]');
    expect(r.text).not.toMatch(/"finish_reason":"(stop|length)"/);
    const last = r.text.trim().split('\n\n').at(-1)!;
    expect(JSON.parse(last.replace(/^data: /, '')).error.code).toBe('stream_interrupted');
  });

  it('the SDK raises the in-band error instead of returning a short answer', async () => {
    const stream = await client.chat.completions.create({ model: 'cut', stream: true, messages: [{ role: 'user', content: 'x' }] });
    await expect(
      (async () => {
        for await (const _ of stream) {
          /* consume */
        }
      })(),
    ).rejects.toThrow(/failed after content was sent/);
  });

  it('a malformed chunk is skipped and logged; the answer completes', async () => {
    const r = await rawStream('malformed');
    expect(r.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(r.text).toMatch(/"finish_reason":"stop"/);
    expect(stack.logs.some((l) => l.event === 'stream_malformed_chunk_skipped')).toBe(true);
  });

  it('a complete stream without [DONE] is finalised with usage', async () => {
    const stream = await client.chat.completions.create({
      model: 'no-done',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'x' }],
    });
    let usage = false;
    let finish: string | null = null;
    for await (const c of stream) {
      usage ||= !!c.usage;
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe('stop');
    expect(usage).toBe(true);
  });
});
