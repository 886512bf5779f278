import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postChat } from '../helpers/chat.js';
import { type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    models: {
      'rl-once': { targets: ['sb-openai/rate-limit-once@r1', 'sb-gemini/gemini-2.5-flash'] },
      'rl-far': { targets: ['sb-openai/rate-limit-once@r2', 'sb-gemini/gemini-2.5-flash'] },
      'rl-always': { targets: ['sb-anthropic/rate-limit@r3', 'sb-gemini/gemini-2.5-flash'] },
      'err-once': { targets: ['sb-openai/error-500-once@r4', 'sb-gemini/gemini-2.5-flash'] },
      resets: { targets: ['sb-openai/reset@r5', 'sb-gemini/gemini-2.5-flash'] },
      breaker: { targets: ['sb-openai/error-503@r6', 'sb-gemini/gemini-2.5-flash'] },
      'stream-once': { targets: ['sb-anthropic/error-500-once@r7', 'sb-gemini/gemini-2.5-flash'] },
    },
  });
});
afterAll(() => stack.close());

const chat = (model: string, opts: { stream?: boolean; headers?: Record<string, string> } = {}) => postChat(stack.url, model, opts);

describe('retries and failover decisions', () => {
  it('429 with Retry-After that fits the deadline: waits what it asked, then the same target answers', async () => {
    const r = await chat('rl-once');
    expect(r.status).toBe(200);
    expect(r.headers['x-switchyard-provider']).toBe('sb-openai');
    expect(r.headers['x-switchyard-attempts']).toBe('2');
    expect(r.ms).toBeGreaterThanOrEqual(950); // Retry-After: 1 s
  });

  it('429 with Retry-After past what the deadline allows: fails over at once and keeps the target out until then', async () => {
    const first = await chat('rl-far', { headers: { 'x-switchyard-timeout-ms': '1500' } });
    expect(first.status).toBe(200);
    expect(first.headers['x-switchyard-provider']).toBe('sb-gemini');
    expect(first.ms).toBeLessThan(900); // did not wait the 1 s
    const cooling = await chat('rl-far');
    expect(cooling.headers['x-switchyard-provider']).toBe('sb-gemini');
    expect(cooling.headers['x-switchyard-attempts']).toBe('1'); // the primary was not asked again
    await new Promise((r) => setTimeout(r, 1100));
    const back = await chat('rl-far');
    expect(back.headers['x-switchyard-provider']).toBe('sb-openai'); // back in rotation after the time it named
  });

  it('429 without Retry-After: backs off (never 0 ms), then fails over', async () => {
    const r = await chat('rl-always');
    expect(r.status).toBe(200);
    expect(r.headers['x-switchyard-provider']).toBe('sb-gemini');
    expect(r.headers['x-switchyard-attempts']).toBe('4');
    expect(r.ms).toBeGreaterThanOrEqual(400); // two waits of at least 200 ms
  });

  it('500 once then healthy: the same target is retried and answers', async () => {
    const r = await chat('err-once');
    expect(r.status).toBe(200);
    expect(r.headers['x-switchyard-provider']).toBe('sb-openai');
    expect(r.headers['x-switchyard-fallback']).toBe('sb-openai/error-500-once@r4:server_error -> sb-openai/error-500-once@r4');
  });

  it('a stream whose first attempt fails before content is retried invisibly', async () => {
    const r = await chat('stream-once', { stream: true });
    expect(r.status).toBe(200);
    expect(r.headers['x-switchyard-provider']).toBe('sb-anthropic');
    expect(r.headers['x-switchyard-attempts']).toBe('2');
    expect(r.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('a reset before any response byte is retried on the same target, then fails over', async () => {
    const r = await chat('resets');
    expect(r.status).toBe(200);
    expect(r.headers['x-switchyard-provider']).toBe('sb-gemini');
    expect(String(r.headers['x-switchyard-fallback'])).toMatch(/^(sb-openai\/reset@r5:connection,){2}sb-openai\/reset@r5:connection -> /);
  });

  it('repeated failures open the breaker: later requests skip the target, and /admin/targets shows it', async () => {
    await chat('breaker'); // 3 failures on the primary
    await chat('breaker'); // 3 more: past the consecutive-failure threshold (5)
    const before = stack.sandbox.attempts().filter((a) => a.model === 'error-503@r6').length;
    const r = await chat('breaker');
    expect(r.headers['x-switchyard-provider']).toBe('sb-gemini');
    expect(r.headers['x-switchyard-attempts']).toBe('1');
    expect(stack.sandbox.attempts().filter((a) => a.model === 'error-503@r6').length).toBe(before);
    const admin = (await (await request(`${stack.url}/admin/targets`)).body.json()) as { targets: { target: string; breaker: { state: string } }[] };
    expect(admin.targets.find((t) => t.target === 'sb-openai/error-503@r6')?.breaker.state).toBe('open');
    const metrics = await (await request(`${stack.url}/metrics`)).body.text();
    expect(metrics).toContain('switchyard_breaker_state{target="sb-openai/error-503@r6"} 2');
    expect(metrics).toMatch(/switchyard_breaker_transitions_total\{target="sb-openai\/error-503@r6",from="closed",to="open"\} 1/);
  });

  it('x-switchyard-timeout-ms sets the deadline, and a bad value is refused', async () => {
    // The first token would come after 3 s: a 300 ms deadline ends the request with 504 long before.
    const late = await chat('sb-openai/slow-first-token@r8', { headers: { 'x-switchyard-timeout-ms': '300' } });
    expect(late.status).toBe(504);
    expect(late.ms).toBeLessThan(2000);
    const bad = await chat('err-once', { headers: { 'x-switchyard-timeout-ms': 'soon' } });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).error.param).toBe('x-switchyard-timeout-ms');
  });
});

describe('resilience settings from the config', () => {
  it('a short breaker cooldown brings a recovered primary back quickly; attempts are capped', async () => {
    const tuned = await startStack(
      {
        resilience: { max_attempts: 2, breaker: { consecutive_failures: 2, cooldown_ms: 300, max_cooldown_ms: 300 } },
        models: { flaky: { targets: ['sb-openai/recovers@t1', 'sb-gemini/gemini-2.5-flash'] } },
      },
      // The primary answers 503 to its first two requests, then recovers.
      { models: { recovers: { fail_first: 2, error_status: 503 } } },
    );
    try {
      const post = async () => {
        const res = await request(`${tuned.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'flaky', messages: [{ role: 'user', content: 'x' }] }),
        });
        await res.body.dump();
        return res.headers;
      };
      const calls = (model: string) => tuned.sandbox.attempts().filter((a) => a.model === model).length;
      const admin = async () =>
        ((await (await request(`${tuned.url}/admin/targets`)).body.json()) as { targets: { target: string; breaker: { state: string } }[] }).targets.find(
          (t) => t.target === 'sb-openai/recovers@t1',
        )?.breaker.state;

      const first = await post();
      // max_attempts 2: one retry on the primary used the budget, so no fallback attempt remained.
      expect(first['x-switchyard-provider']).toBeUndefined();
      expect(calls('recovers@t1')).toBe(2);
      expect(calls('gemini-2.5-flash')).toBe(0);
      // Two failures in a row opened the breaker: the next request skips the primary.
      expect(await admin()).toBe('open');
      const opened = performance.now();
      const skipping = await post();
      expect(skipping['x-switchyard-provider']).toBe('sb-gemini');
      expect(calls('recovers@t1')).toBe(2);
      // After the 300 ms cooldown the breaker lets a probe through, the recovered primary answers it
      // and is back in rotation, well within a second.
      await expect.poll(admin, { timeout: 2000, interval: 20 }).toBe('half_open');
      const back = await post();
      expect(back['x-switchyard-provider']).toBe('sb-openai');
      expect(await admin()).toBe('closed');
      expect(performance.now() - opened).toBeLessThan(1500);
      const again = await post();
      expect(again['x-switchyard-provider']).toBe('sb-openai');
    } finally {
      await tuned.close();
    }
  });
});

describe('per-target in-flight limits', () => {
  it('a full target queues, overflows to the next candidate, and hands its slot to the waiter', async () => {
    const s = await startStack({
      providers: {
        'sb-openai': { sandbox: true, format: 'openai', concurrency: { max_in_flight: 1, queue_size: 1, queue_timeout_ms: 5000 } },
        'sb-gemini': { sandbox: true, format: 'gemini' },
      },
      models: {
        // slow-first-token: each answer takes ~3 s, so the single slot stays taken.
        capped: { targets: ['sb-openai/slow-first-token@q1', 'sb-gemini/gemini-2.5-flash'] },
        alone: { targets: ['sb-openai/slow-first-token@q2'] },
      },
    });
    try {
      const first = postChat(s.url, 'capped'); // takes the slot
      await new Promise((r) => setTimeout(r, 100));
      const queued = postChat(s.url, 'capped'); // waits in the queue (size 1)
      await new Promise((r) => setTimeout(r, 100));
      const admin = (await (await request(`${s.url}/admin/targets`)).body.json()) as {
        targets: { target: string; in_flight?: { active: number; waiting: number } }[];
      };
      expect(admin.targets.find((t) => t.target === 'sb-openai/slow-first-token@q1')?.in_flight).toEqual({ active: 1, waiting: 1, max: 1 });
      const overflow = await postChat(s.url, 'capped'); // queue full: straight to the fallback
      expect(overflow.status).toBe(200);
      expect(overflow.headers['x-switchyard-provider']).toBe('sb-gemini');
      expect(overflow.headers['x-switchyard-fallback']).toBe('sb-openai/slow-first-token@q1:overloaded -> sb-gemini/gemini-2.5-flash');
      const other = await postChat(s.url, 'alone'); // another target of the same provider has its own slot
      expect(other.status).toBe(200);
      expect((await first).headers['x-switchyard-provider']).toBe('sb-openai');
      expect((await queued).headers['x-switchyard-provider']).toBe('sb-openai'); // got the slot when the first finished
    } finally {
      await s.close();
    }
  });

  it('a full target with no queue and no other candidate: 503 upstream_overloaded with Retry-After', async () => {
    const s = await startStack({
      providers: { 'sb-openai': { sandbox: true, format: 'openai', concurrency: { max_in_flight: 1 } } },
      models: { alone: { targets: ['sb-openai/slow-first-token@q3'] } },
    });
    try {
      const first = postChat(s.url, 'alone');
      await new Promise((r) => setTimeout(r, 100));
      const refused = await postChat(s.url, 'alone');
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('1');
      expect(JSON.parse(refused.text).error.code).toBe('upstream_overloaded');
      expect(JSON.parse(refused.text).error.message).toMatch(/limit of 1 requests in flight/);
      expect((await first).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});

describe('active health probes', () => {
  it('a primary that recovers takes traffic again within a few probe intervals, long before its cooldown', async () => {
    const { parseScenarioFile } = await import('../../src/sandbox/index.js');
    const s = await startStack(
      {
        resilience: { breaker: { consecutive_failures: 2, cooldown_ms: 60_000, max_cooldown_ms: 60_000 }, health: { interval_ms: 200 } },
        models: { m: { targets: ['sb-openai/flaky', 'sb-gemini/gemini-2.5-flash'] } },
      },
      parseScenarioFile({ models: { flaky: { outage: { start_after_ms: 0, duration_ms: 700 } } } }, 'test'),
    );
    try {
      const started = performance.now();
      const during = await postChat(s.url, 'm');
      expect(during.headers['x-switchyard-provider']).toBe('sb-gemini'); // the outage opened the primary's breaker
      const skipped = await postChat(s.url, 'm');
      expect(skipped.headers['x-switchyard-attempts']).toBe('1'); // open: not asked
      // The outage is over 0.7 s after the first request; probes run every ~0.2 s.
      await expect.poll(() => s.logs.some((l) => l.event === 'health_probe' && l.fields.ok === true), { timeout: 5000, interval: 20 }).toBe(true);
      const recoveredAfter = performance.now() - started;
      const after = await postChat(s.url, 'm');
      expect(after.headers['x-switchyard-provider']).toBe('sb-openai');
      expect(s.logs.some((l) => l.event === 'health_probe' && l.fields.ok === false)).toBe(true); // probed during the outage
      // Back within a few probe intervals of the outage's end (with room for a loaded machine), not after the 60 s cooldown.
      expect(recoveredAfter).toBeLessThan(700 + 5 * 200 + 1000);
    } finally {
      await s.close();
    }
  });
});
