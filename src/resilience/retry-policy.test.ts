import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DISPOSITION, type Failure, type FailurePhase, type FailureReason, failure } from '../core/failure.js';
import { type Decision, decide, RETRY_DEFAULTS, RETRY_RULES, type RetryInput } from './retry-policy.js';

const half = (): number => 0.5;

/** A first failure on a fresh request with plenty of time: only the failure varies. */
function input(f: Failure, over: Partial<RetryInput> = {}): RetryInput {
  return { failure: f, retriesOnTarget: 0, attemptsUsed: 1, remainingMs: 60_000, rng: half, budgetAllows: true, ...over };
}

function fail(reason: FailureReason, extra: Parameters<typeof failure>[2] = {}): Failure {
  return failure(reason, `${reason} for test`, extra);
}

describe('retry policy defaults', () => {
  it('are 2 retries per target, 5 attempts, waits under half the deadline left', () => {
    expect(RETRY_DEFAULTS.maxRetriesPerTarget).toBe(2);
    expect(RETRY_DEFAULTS.maxAttempts).toBe(5);
    expect(RETRY_DEFAULTS.maxWaitFraction).toBe(0.5);
    expect(RETRY_DEFAULTS.backoff).toEqual({ baseMs: 200, maxMs: 10_000, multiplier: 2 });
  });

  it('the table has a row for every failure reason', () => {
    expect(Object.keys(RETRY_RULES).sort()).toEqual(Object.keys(DISPOSITION).sort());
  });
});

describe('retry table, row by row (default dispositions)', () => {
  // [reason, phase, expected decision on a first failure with time and budget to spare]
  const rows: [FailureReason, FailurePhase, Decision][] = [
    ['overloaded', 'headers', { action: 'retry', delayMs: 100, reason: 'backoff' }],
    ['server_error', 'headers', { action: 'retry', delayMs: 100, reason: 'backoff' }],
    ['server_error', 'body', { action: 'retry', delayMs: 100, reason: 'backoff' }],
    ['connection', 'connect', { action: 'retry', delayMs: 100, reason: 'backoff' }],
    ['connection', 'headers', { action: 'fallback', reason: 'not_retryable' }],
    ['connection', 'body', { action: 'fallback', reason: 'not_retryable' }],
    // No Retry-After: the first retry waits exactly baseMs (floor == ceiling), never 0.
    ['rate_limited', 'headers', { action: 'retry', delayMs: 200, reason: 'backoff' }],
    ['timeout', 'headers', { action: 'fallback', reason: 'not_retryable' }],
    ['timeout', 'connect', { action: 'fallback', reason: 'not_retryable' }],
    ['stream_interrupted', 'stream', { action: 'fallback', reason: 'not_retryable' }],
    ['context_length_exceeded', 'headers', { action: 'fallback', reason: 'not_retryable' }],
    ['auth', 'headers', { action: 'fallback', reason: 'not_retryable' }],
    ['not_found', 'headers', { action: 'fallback', reason: 'not_retryable' }],
    ['bad_request', 'headers', { action: 'stop', reason: 'fatal' }],
    ['content_filtered', 'headers', { action: 'stop', reason: 'fatal' }],
  ];
  for (const [reason, phase, expected] of rows) {
    it(`${reason} in phase ${phase} → ${expected.action}`, () => {
      expect(decide(input(fail(reason, { phase })))).toEqual(expected);
    });
  }
});

describe('disposition set by the adapter', () => {
  it('fatal stops even for a reason the table would retry', () => {
    expect(decide(input(fail('server_error', { disposition: 'fatal' })))).toEqual({ action: 'stop', reason: 'fatal' });
  });

  it("'fallback' never retries on the same target (e.g. a 429 for an exhausted quota)", () => {
    expect(decide(input(fail('rate_limited', { disposition: 'fallback' })))).toEqual({ action: 'fallback', reason: 'not_retryable' });
    expect(decide(input(fail('overloaded', { disposition: 'fallback' })))).toEqual({ action: 'fallback', reason: 'not_retryable' });
  });

  it("bad_request, auth and not_found with disposition 'fallback' → fallback", () => {
    for (const reason of ['bad_request', 'auth', 'not_found'] as const) {
      expect(decide(input(fail(reason, { disposition: 'fallback', local: { code: 'unsupported', param: 'n' } })))).toEqual({
        action: 'fallback',
        reason: 'not_retryable',
      });
    }
  });

  it("'retry' cannot make a silent provider retried on the same target", () => {
    expect(decide(input(fail('timeout', { disposition: 'retry', phase: 'headers' })))).toEqual({ action: 'fallback', reason: 'not_retryable' });
  });

  it('content_filtered stops even when an adapter marks it fallback', () => {
    expect(decide(input(fail('content_filtered', { disposition: 'fallback' })))).toEqual({ action: 'stop', reason: 'not_fallbackable' });
  });
});

describe('limits', () => {
  it('attempts exhausted → stop, for retryable and fallback failures alike', () => {
    expect(decide(input(fail('server_error'), { attemptsUsed: 5 }))).toEqual({ action: 'stop', reason: 'attempts_exhausted' });
    expect(decide(input(fail('timeout'), { attemptsUsed: 5 }))).toEqual({ action: 'stop', reason: 'attempts_exhausted' });
    expect(decide(input(fail('server_error'), { attemptsUsed: 4 }))).toEqual({ action: 'retry', delayMs: 100, reason: 'backoff' });
    expect(decide(input(fail('server_error'), { attemptsUsed: 2, maxAttempts: 2 }))).toEqual({ action: 'stop', reason: 'attempts_exhausted' });
  });

  it('no deadline left → stop', () => {
    expect(decide(input(fail('server_error'), { remainingMs: 0 }))).toEqual({ action: 'stop', reason: 'deadline_exceeded' });
    expect(decide(input(fail('auth'), { remainingMs: -5 }))).toEqual({ action: 'stop', reason: 'deadline_exceeded' });
  });

  it('retries on the target exhausted → fallback', () => {
    expect(decide(input(fail('overloaded'), { retriesOnTarget: 1 }))).toEqual({ action: 'retry', delayMs: 200, reason: 'backoff' });
    expect(decide(input(fail('overloaded'), { retriesOnTarget: 2 }))).toEqual({ action: 'fallback', reason: 'retries_exhausted' });
    expect(decide(input(fail('overloaded'), { retriesOnTarget: 0, maxRetriesPerTarget: 0 }))).toEqual({ action: 'fallback', reason: 'retries_exhausted' });
  });

  it('retry budget spent → fallback', () => {
    expect(decide(input(fail('server_error'), { budgetAllows: false }))).toEqual({ action: 'fallback', reason: 'budget_exhausted' });
    expect(decide(input(fail('server_error'), { breakerOpen: true }))).toEqual({ action: 'fallback', reason: 'breaker_open' });
  });

  it('backoff grows with the retries already made on the target and uses the given config', () => {
    expect(decide(input(fail('server_error'), { retriesOnTarget: 1, maxRetriesPerTarget: 5 }))).toEqual({ action: 'retry', delayMs: 200, reason: 'backoff' });
    expect(decide(input(fail('server_error'), { retriesOnTarget: 4, maxRetriesPerTarget: 5 }))).toEqual({ action: 'retry', delayMs: 1600, reason: 'backoff' });
    expect(decide(input(fail('server_error'), { backoff: { baseMs: 1000 } }))).toEqual({ action: 'retry', delayMs: 500, reason: 'backoff' });
  });

  it('a backoff wait that does not fit the deadline margin → fallback', () => {
    // 100 ms wait: fits under half of 201 ms, not under half of 200 ms.
    expect(decide(input(fail('server_error'), { remainingMs: 201 }))).toEqual({ action: 'retry', delayMs: 100, reason: 'backoff' });
    expect(decide(input(fail('server_error'), { remainingMs: 200 }))).toEqual({ action: 'fallback', reason: 'wait_exceeds_deadline' });
    expect(decide(input(fail('server_error'), { remainingMs: 150, maxWaitFraction: 1 }))).toEqual({ action: 'retry', delayMs: 100, reason: 'backoff' });
  });
});

describe('rate limits', () => {
  it('Retry-After that fits the deadline → wait exactly that long on the same target', () => {
    expect(decide(input(fail('rate_limited', { retryAfterMs: 2000 }), { remainingMs: 4001 }))).toEqual({
      action: 'retry',
      delayMs: 2000,
      reason: 'retry_after',
    });
  });

  it('Retry-After that does not fit → fallback at once, target cooled off for that long', () => {
    expect(decide(input(fail('rate_limited', { retryAfterMs: 2000 }), { remainingMs: 4000 }))).toEqual({
      action: 'fallback',
      reason: 'wait_exceeds_deadline',
      coolOffUntilMs: 2000,
    });
    expect(decide(input(fail('rate_limited', { retryAfterMs: 30_000 }), { remainingMs: 60_000, maxWaitFraction: 0.25 }))).toEqual({
      action: 'fallback',
      reason: 'wait_exceeds_deadline',
      coolOffUntilMs: 30_000,
    });
  });

  it('Retry-After with no retries or budget left → fallback with cool-off', () => {
    const f = fail('rate_limited', { retryAfterMs: 500 });
    expect(decide(input(f, { retriesOnTarget: 2 }))).toEqual({ action: 'fallback', reason: 'retries_exhausted', coolOffUntilMs: 500 });
    expect(decide(input(f, { budgetAllows: false }))).toEqual({ action: 'fallback', reason: 'budget_exhausted', coolOffUntilMs: 500 });
  });

  it('Retry-After: 0 may be retried at once, and cools nothing off', () => {
    expect(decide(input(fail('rate_limited', { retryAfterMs: 0 })))).toEqual({ action: 'retry', delayMs: 0, reason: 'retry_after' });
    expect(decide(input(fail('rate_limited', { retryAfterMs: 0 }), { retriesOnTarget: 2 }))).toEqual({ action: 'fallback', reason: 'retries_exhausted' });
  });

  it('without Retry-After: jittered backoff above a floor of baseMs, never 0 ms', () => {
    expect(decide(input(fail('rate_limited'), { rng: () => 0 }))).toEqual({ action: 'retry', delayMs: 200, reason: 'backoff' });
    // Second retry: floor 200 + 0.5 * (400 - 200).
    expect(decide(input(fail('rate_limited'), { retriesOnTarget: 1 }))).toEqual({ action: 'retry', delayMs: 300, reason: 'backoff' });
    expect(decide(input(fail('rate_limited'), { retriesOnTarget: 1, rng: () => 0 }))).toEqual({ action: 'retry', delayMs: 200, reason: 'backoff' });
  });

  it('without Retry-After and no time for the wait → fallback, no cool-off', () => {
    expect(decide(input(fail('rate_limited'), { remainingMs: 400 }))).toEqual({ action: 'fallback', reason: 'wait_exceeds_deadline' });
  });
});

describe('Retry-After on transient failures', () => {
  it('is a lower bound for the backoff (a 503 that says when)', () => {
    expect(decide(input(fail('overloaded', { retryAfterMs: 1500 })))).toEqual({ action: 'retry', delayMs: 1500, reason: 'retry_after' });
    expect(decide(input(fail('overloaded', { retryAfterMs: 50 })))).toEqual({ action: 'retry', delayMs: 100, reason: 'backoff' });
  });

  it('cools the target off when the decision is to move on', () => {
    expect(decide(input(fail('overloaded', { retryAfterMs: 1500 }), { retriesOnTarget: 2 }))).toEqual({
      action: 'fallback',
      reason: 'retries_exhausted',
      coolOffUntilMs: 1500,
    });
  });
});

describe('properties', () => {
  const reasons = Object.keys(DISPOSITION) as FailureReason[];
  const phases: FailurePhase[] = ['connect', 'headers', 'body', 'stream'];
  const arbInput = fc.record({
    reason: fc.constantFrom(...reasons),
    disposition: fc.constantFrom('retry' as const, 'fallback' as const, 'fatal' as const),
    phase: fc.constantFrom(...phases),
    retryAfterMs: fc.option(fc.integer({ min: 0, max: 120_000 }), { nil: undefined }),
    retriesOnTarget: fc.integer({ min: 0, max: 5 }),
    attemptsUsed: fc.integer({ min: 1, max: 8 }),
    remainingMs: fc.integer({ min: -100, max: 120_000 }),
    r: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    budgetAllows: fc.boolean(),
  });

  it('a retry always waits less than half the deadline left, within limits and budget', () => {
    fc.assert(
      fc.property(arbInput, (a) => {
        const d = decide(input(fail(a.reason, { disposition: a.disposition, phase: a.phase, retryAfterMs: a.retryAfterMs }), { ...a, rng: () => a.r }));
        if (d.action !== 'retry') return;
        expect(d.delayMs).toBeGreaterThanOrEqual(0);
        expect(d.delayMs).toBeLessThan(a.remainingMs * 0.5);
        expect(a.retriesOnTarget).toBeLessThan(2);
        expect(a.attemptsUsed).toBeLessThan(5);
        expect(a.budgetAllows).toBe(true);
        expect(a.disposition).toBe('retry');
        expect(['timeout', 'stream_interrupted', 'context_length_exceeded', 'content_filtered']).not.toContain(a.reason);
        if (a.reason === 'rate_limited' && a.retryAfterMs === undefined) expect(d.delayMs).toBeGreaterThanOrEqual(200);
        if (a.retryAfterMs !== undefined) expect(d.delayMs).toBeGreaterThanOrEqual(a.retryAfterMs);
      }),
    );
  });

  it('fatal always stops; cool-off is exactly the Retry-After', () => {
    fc.assert(
      fc.property(arbInput, (a) => {
        const d = decide(input(fail(a.reason, { disposition: a.disposition, phase: a.phase, retryAfterMs: a.retryAfterMs }), { ...a, rng: () => a.r }));
        if (a.disposition === 'fatal') expect(d).toEqual({ action: 'stop', reason: 'fatal' });
        if (d.action === 'fallback' && d.coolOffUntilMs !== undefined) expect(d.coolOffUntilMs).toBe(a.retryAfterMs);
      }),
    );
  });
});
