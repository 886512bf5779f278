import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postChat } from '../helpers/chat.js';
import { type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;
const hedges: { primary: string; hedge: string; delayMs: number }[] = [];

beforeAll(async () => {
  stack = await startStack(
    {
      models: {
        // The primary's first token comes after 3 s; a hedge after 100 ms goes to another provider.
        hedged: { targets: ['sb-openai/slow-first-token@h1', 'sb-gemini/gemini-2.5-flash'], hedge: { delay_ms: 100, budget_ratio: 1 } },
        'hedged-stream': { targets: ['sb-anthropic/slow-first-token@h2', 'sb-openai/gpt-4o-mini'], hedge: { delay_ms: 100, budget_ratio: 1 } },
        'hedged-fast': { targets: ['sb-openai/gpt-4o-mini', 'sb-gemini/gemini-2.5-flash'], hedge: { delay_ms: 2000 } },
        'not-hedged': { targets: ['sb-openai/slow-first-token@h3', 'sb-gemini/gemini-2.5-flash'], hedge: { delay_ms: 100, budget_ratio: 1 } },
        // A primary that never answers, hedged on a long, paced stream (about 2.4 s from the first token to the end).
        'hedged-long-stream': { targets: ['sb-anthropic/no-response@h4', 'sb-openai/long-stream'], hedge: { delay_ms: 100, budget_ratio: 1 } },
      },
    },
    { models: { 'long-stream': { tokens: 40, token_ms: 60 } } },
  );
  stack.gateway.events.on('hedge', (h) => hedges.push(h));
});
afterAll(() => stack.close());

const chat = (model: string, stream: boolean, headers: Record<string, string> = {}) => postChat(stack.url, model, { stream, headers });

describe('hedging', () => {
  it('a slow primary is hedged on another provider; the first answer wins and the loser is aborted at once', async () => {
    const r = await chat('hedged', false);
    expect(r.status).toBe(200);
    expect(r.headers['x-switchyard-provider']).toBe('sb-gemini');
    expect(r.headers['x-switchyard-fallback']).toBe('sb-openai/slow-first-token@h1:hedge_lost -> sb-gemini/gemini-2.5-flash');
    expect(r.ms).toBeLessThan(1500);
    expect(JSON.parse(r.text).usage.completion_tokens).toBeGreaterThan(0); // the winner's usage only
    // The gateway hung up on the loser.
    await expect.poll(() => stack.sandbox.attempts().find((a) => a.model === 'slow-first-token@h1')?.clientClosed, { timeout: 1000, interval: 5 }).toBe(true);
    expect(hedges.at(-1)).toEqual({ primary: 'sb-openai/slow-first-token@h1', hedge: 'sb-gemini/gemini-2.5-flash', delayMs: 100 });
  });

  it('streams race too: the first to deliver content takes the client, the other is aborted', async () => {
    const r = await chat('hedged-stream', true);
    expect(r.status).toBe(200);
    expect(r.headers['x-switchyard-provider']).toBe('sb-openai');
    expect(r.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(r.text).not.toContain('sb-anthropic'); // nothing of the loser reached the client
    expect(r.ms).toBeLessThan(1500);
    await expect.poll(() => stack.sandbox.attempts().find((a) => a.model === 'slow-first-token@h2')?.clientClosed, { timeout: 1000, interval: 5 }).toBe(true);
  });

  it('a primary that answers before the delay is never hedged', async () => {
    const before = hedges.length;
    const r = await chat('hedged-fast', false);
    expect(r.headers['x-switchyard-provider']).toBe('sb-openai');
    expect(r.headers['x-switchyard-attempts']).toBe('1');
    expect(hedges.length).toBe(before);
  });

  it('a request marked non-idempotent is never hedged', async () => {
    const before = hedges.length;
    const geminiCalls = () => stack.sandbox.attempts().filter((a) => a.format === 'gemini').length;
    const geminiBefore = geminiCalls();
    const r = await chat('not-hedged', false, { 'x-switchyard-idempotent': 'false' });
    expect(r.status).toBe(200);
    expect(r.headers['x-switchyard-provider']).toBe('sb-openai');
    expect(r.ms).toBeGreaterThan(2500); // it waited for the slow primary
    expect(hedges.length).toBe(before);
    expect(geminiCalls()).toBe(geminiBefore); // the hedge target was never asked
  });
});

describe('a streaming race', () => {
  it("the loser is hung up on as soon as the winner's first chunk is committed, well before the winner's stream ends", async () => {
    const res = await request(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'hedged-long-stream', stream: true, messages: [{ role: 'user', content: 'hello' }] }),
    });
    expect(res.headers['x-switchyard-provider']).toBe('sb-openai');
    let received = '';
    let ended = false;
    const reading = (async () => {
      for await (const part of res.body) received += String(part);
      ended = true;
    })();
    const loser = () => stack.sandbox.attempts().find((a) => a.model === 'no-response@h4');
    // The winner's first content reached the client...
    await expect.poll(() => received.includes('Sandbox'), { timeout: 5000, interval: 5 }).toBe(true);
    // ...and the loser's connection is closed while the winner is still streaming.
    await expect.poll(() => loser()?.clientClosed, { timeout: 1000, interval: 5 }).toBe(true);
    expect(ended).toBe(false);
    await reading;
    expect(received.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });
});

describe('after a race where every racer failed', () => {
  it('the walk goes on with the targets the race did not try', async () => {
    const s = await startStack({
      providers: {
        'sb-openai': { sandbox: true, format: 'openai', timeouts: { first_byte_ms: 300 } },
        'sb-gemini': { sandbox: true, format: 'gemini' },
      },
      models: {
        // Primary silent (first-byte timeout); the hedge skips the second OpenAI target and goes
        // to Gemini, which fails; the walk must then try the skipped target, not Gemini again.
        race: {
          targets: ['sb-openai/no-response@w1', 'sb-openai/gpt-4o-mini', 'sb-gemini/error-503@w1'],
          hedge: { delay_ms: 50, budget_ratio: 1 },
        },
      },
    });
    try {
      const res = await request(`${s.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'race', messages: [{ role: 'user', content: 'x' }] }),
      });
      const body = await res.body.text();
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-switchyard-model']).toBe('gpt-4o-mini');
      expect(JSON.parse(body).model).toBe('gpt-4o-mini');
      expect(s.sandbox.attempts().filter((a) => a.model === 'error-503@w1')).toHaveLength(1);
    } finally {
      await s.close();
    }
  });
});
