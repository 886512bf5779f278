import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postChat } from '../helpers/chat.js';
import { sample } from '../helpers/prometheus.js';
import { type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack(
    {
      models: {
        m: { targets: ['sb-openai/flaky', 'sb-anthropic/steady'] },
        // Round robin spreads live traffic over the tier, so the targets can be compared.
        lat: { strategy: 'round_robin', targets: ['sb-openai/laggard', 'sb-gemini/brisk', 'sb-anthropic/brisk'] },
      },
      resilience: {
        max_retries_per_target: 0,
        // A breaker this lenient never opens: what takes the target out here is outlier detection.
        breaker: { failure_rate: 1, consecutive_failures: 1000, min_requests: 1000 },
        health: { enabled: false },
        outlier: { interval_ms: 100, window_ms: 30_000, min_requests: 20, latency_min_ms: 50 },
      },
    },
    { models: { flaky: { error_rate: 0.3, error_status: 500 }, laggard: { first_token_ms: 400 }, brisk: { first_token_ms: 5 } } },
  );
});
afterAll(() => stack.close());

interface AdminTarget {
  target: string;
  breaker: { state: string };
  ejected?: { reason: string; detail: string; remaining_ms: number };
}

async function admin(): Promise<AdminTarget[]> {
  return ((await (await request(`${stack.url}/admin/targets`)).body.json()) as { targets: AdminTarget[] }).targets;
}

async function flakyAttempts(): Promise<number> {
  const log = (await (await request(`${stack.sandbox.url}/_sandbox/attempts`)).body.json()) as { model: string }[];
  return log.filter((a) => a.model === 'flaky').length;
}

describe('passive outlier detection', () => {
  it('a target failing 30 % of live traffic (too few to open its breaker) is ejected; traffic goes to its peer', async () => {
    // Every request succeeds: a failure on the flaky primary fails over to its peer.
    for (let i = 0; i < 40; i++) expect((await postChat(stack.url, 'm')).status).toBe(200);
    let flaky: AdminTarget | undefined;
    for (let i = 0; i < 50 && !flaky?.ejected; i++) {
      await new Promise((r) => setTimeout(r, 50));
      flaky = (await admin()).find((t) => t.target === 'sb-openai/flaky');
    }
    expect(flaky?.breaker.state).toBe('closed');
    expect(flaky?.ejected).toMatchObject({ reason: 'failure_rate' });
    expect(flaky?.ejected?.detail).toMatch(/^failure rate \d+\.\d% over \d+ requests ≥ 10\.0%/);
    expect(flaky!.ejected!.remaining_ms).toBeGreaterThan(20_000);

    const before = await flakyAttempts();
    for (let i = 0; i < 10; i++) {
      const r = await postChat(stack.url, 'm');
      expect(r.headers['x-switchyard-provider']).toBe('sb-anthropic');
      expect(r.headers['x-switchyard-attempts']).toBe('1');
    }
    expect(await flakyAttempts()).toBe(before);

    const metrics = await (await request(`${stack.url}/metrics`)).body.text();
    expect(sample(metrics, 'switchyard_outlier_ejections_total', { target: 'sb-openai/flaky', reason: 'failure_rate' })).toBe(1);
    expect(stack.logs.some((l) => l.event === 'outlier_ejected' && l.fields.target === 'sb-openai/flaky')).toBe(true);
  });

  it('a target answering far slower than its tier peers is ejected on latency; the round robin then skips it', async () => {
    // 11 rounds of 6 requests at a time: each target gets its 20 samples. The laggard answers in
    // 400 ms, the others in 5 ms: far enough apart that a busy machine cannot blur it.
    for (let round = 0; round < 11; round++) {
      const replies = await Promise.all([0, 1, 2, 3, 4, 5].map(() => postChat(stack.url, 'lat')));
      for (const r of replies) expect(r.status).toBe(200);
    }
    let laggard: AdminTarget | undefined;
    for (let i = 0; i < 50 && !laggard?.ejected; i++) {
      await new Promise((r) => setTimeout(r, 50));
      laggard = (await admin()).find((t) => t.target === 'sb-openai/laggard');
    }
    expect(laggard?.ejected?.reason).toBe('latency');
    expect(laggard?.ejected?.detail).toMatch(/^p95 \d+ ms ≥ 3 × peers' median p95 \d+ ms$/);
    const served = new Set<string>();
    for (let i = 0; i < 6; i++) served.add((await postChat(stack.url, 'lat')).headers['x-switchyard-provider'] as string);
    expect([...served].sort()).toEqual(['sb-anthropic', 'sb-gemini']);
  });
});
