import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sample } from '../helpers/prometheus.js';
import { type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;

/** What the gateway's own /metrics endpoint serves. */
const metrics = {
  async render(): Promise<string> {
    const res = await request(`${stack.url}/metrics`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    return res.body.text();
  },
};

beforeAll(async () => {
  stack = await startStack({
    models: {
      plain: { targets: ['sb-openai/gpt-4o-mini'] },
      failover: { targets: ['sb-openai/error-503@m1', 'sb-gemini/gemini-2.5-flash'] },
      streamed: { targets: ['sb-anthropic/claude-sonnet-4'] },
    },
  });
});
afterAll(() => stack.close());

async function chat(model: string, stream = false) {
  const res = await request(`${stack.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'hello' }] }),
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
}

/**
 * The `request` event fires when the gateway's response closes, which can be a moment after the
 * client has read it: scrape until the finished requests are all counted.
 */
async function scrapeAfter(requests: number): Promise<string> {
  const deadline = Date.now() + 2000;
  for (;;) {
    const text = await metrics.render();
    if (requestsCounted(text) >= requests || Date.now() > deadline) return text;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Requests counted so far, over every label set. */
function requestsCounted(text: string): number {
  let counted = 0;
  for (const line of text.split('\n')) if (line.startsWith('switchyard_requests_total{')) counted += Number(line.slice(line.lastIndexOf(' ') + 1));
  return counted;
}

describe('metrics through a real gateway', () => {
  it('counts requests, attempts by outcome, retries and fallbacks', async () => {
    // Requests other tests of this file made (in whatever order they ran) are already counted.
    const start = await metrics.render();
    const earlier = requestsCounted(start);
    const durations = (text: string, stream: string) =>
      sample(text, 'switchyard_request_duration_seconds_count', { route: '/v1/chat/completions', stream }) ?? 0;
    const [jsonBefore, streamBefore] = [durations(start, 'false'), durations(start, 'true')];
    const ok = await chat('plain');
    expect(ok.status).toBe(200);

    const failover = await chat('failover');
    expect(failover.status).toBe(200);
    expect(failover.headers['x-switchyard-provider']).toBe('sb-gemini');
    // Tried, retried twice with backoff (maxRetriesPerTarget), left for the fallback, which answered.
    expect(failover.headers['x-switchyard-attempts']).toBe('4');
    const primaryFailures = 3;

    const streamed = await chat('streamed', true);
    expect(streamed.status).toBe(200);
    expect(streamed.text.trimEnd().endsWith('data: [DONE]')).toBe(true);

    const direct = await chat('sb-openai/a-model-nobody-declared');
    expect(direct.status).toBe(200);

    const text = await scrapeAfter(earlier + 4);
    const route = '/v1/chat/completions';
    expect(sample(text, 'switchyard_requests_total', { route, stream: 'false', status: '200', code: '' })).toBe(3);
    expect(sample(text, 'switchyard_requests_total', { route, stream: 'true', status: '200', code: '' })).toBe(1);
    expect(durations(text, 'false')).toBe(jsonBefore + 3);
    expect(durations(text, 'true')).toBe(streamBefore + 1);

    const attempts = (target: string, provider: string, outcome: string) => sample(text, 'switchyard_upstream_attempts_total', { target, provider, outcome });
    expect(attempts('sb-openai/gpt-4o-mini', 'sb-openai', 'ok')).toBe(1);
    expect(attempts('sb-openai/error-503@m1', 'sb-openai', 'overloaded')).toBe(primaryFailures);
    expect(attempts('sb-openai/error-503@m1', 'sb-openai', 'ok')).toBeUndefined();
    expect(attempts('sb-gemini/gemini-2.5-flash', 'sb-gemini', 'ok')).toBe(1);
    expect(attempts('sb-anthropic/claude-sonnet-4', 'sb-anthropic', 'ok')).toBe(1);
    // A model the config does not declare is counted, under its provider's catch-all label.
    expect(attempts('sb-openai/other', 'sb-openai', 'ok')).toBe(1);
    expect(text).not.toContain('a-model-nobody-declared');

    expect(sample(text, 'switchyard_upstream_attempt_duration_seconds_count', { provider: 'sb-openai', outcome: 'overloaded' })).toBe(primaryFailures);
    expect(sample(text, 'switchyard_upstream_attempt_duration_seconds_count', { provider: 'sb-openai', outcome: 'ok' })).toBe(2);

    expect(sample(text, 'switchyard_retries_total', { target: 'sb-openai/error-503@m1', reason: 'backoff' })).toBe(primaryFailures - 1);
    expect(sample(text, 'switchyard_fallbacks_total', { target: 'sb-openai/error-503@m1', reason: 'retries_exhausted' })).toBe(1);
    expect(text).not.toMatch(/^switchyard_hedges_total\{/m);

    expect(sample(text, 'switchyard_first_token_seconds_count', { target: 'sb-anthropic/claude-sonnet-4', stream: 'true' })).toBe(1);
    expect(sample(text, 'switchyard_first_token_seconds_count', { target: 'sb-gemini/gemini-2.5-flash', stream: 'false' })).toBe(1);
  });

  it('counts a refused request with its status and error code', async () => {
    const before =
      sample(await metrics.render(), 'switchyard_requests_total', { route: '/v1/chat/completions', stream: 'false', status: '400', code: 'invalid_request' }) ??
      0;
    const res = await request(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"model":"plain"}',
    });
    await res.body.text();
    expect(res.statusCode).toBe(400);
    const deadline = Date.now() + 2000;
    let now = before;
    while (now === before && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
      now =
        sample(await metrics.render(), 'switchyard_requests_total', {
          route: '/v1/chat/completions',
          stream: 'false',
          status: '400',
          code: 'invalid_request',
        }) ?? 0;
    }
    expect(now).toBe(before + 1);
  });
});
