import { describe, expect, it } from 'vitest';
import { failure } from '../core/failure.js';
import { RETRY_BUDGET_DEFAULTS, RetryBudget } from './retry-budget.js';
import { decide } from './retry-policy.js';

describe('RetryBudget', () => {
  it('defaults: 10 % of requests, 1 per second floor, 10 s window', () => {
    expect(RETRY_BUDGET_DEFAULTS).toEqual({ ratio: 0.1, minPerSecond: 1, windowMs: 10_000 });
    const b = new RetryBudget();
    expect([b.ratio, b.minPerSecond, b.windowMs]).toEqual([0.1, 1, 10_000]);
  });

  it('a fresh target may spend the floor of one window, and no more', () => {
    const b = new RetryBudget();
    expect(b.balance(0)).toBe(10);
    let granted = 0;
    while (b.canRetry(0) && granted < 100) {
      b.onRetry(0);
      granted++;
    }
    expect(granted).toBe(10);
    expect(b.balance(0)).toBe(0);
  });

  it('every request deposits ratio of a token', () => {
    const b = new RetryBudget({ minPerSecond: 0 });
    expect(b.canRetry(0)).toBe(false);
    for (let i = 0; i < 9; i++) b.onRequest(0);
    expect(b.canRetry(0)).toBe(false);
    b.onRequest(0);
    expect(b.balance(0)).toBe(1);
    expect(b.canRetry(0)).toBe(true);
    b.onRetry(0);
    expect(b.canRetry(0)).toBe(false);
  });

  it('counts deposits that fall just short of a whole token in floating point', () => {
    // 0.7 * 90 is 62.99999999999999: 63 tokens, not 62.
    const b = new RetryBudget({ ratio: 0.7, minPerSecond: 0 });
    for (let i = 0; i < 90; i++) b.onRequest(0);
    let granted = 0;
    while (b.canRetry(0) && granted < 100) {
      b.onRetry(0);
      granted++;
    }
    expect(granted).toBe(63);
  });

  it('canRetry spends nothing: only onRetry does', () => {
    const b = new RetryBudget({ minPerSecond: 0.1 }); // floor: 1 token per 10 s window
    expect(b.canRetry(0)).toBe(true);
    expect(b.canRetry(0)).toBe(true);
    b.onRetry(0);
    expect(b.canRetry(0)).toBe(false);
  });

  it('deposits and spends expire after the window, so neither can be banked', () => {
    const b = new RetryBudget({ minPerSecond: 0 });
    for (let i = 0; i < 20; i++) b.onRequest(0);
    expect(b.balance(0)).toBe(2);
    expect(b.balance(9_999)).toBe(2);
    expect(b.balance(10_000)).toBe(0); // the slice [0, 1000) left the window

    const c = new RetryBudget(); // floor 10
    for (let i = 0; i < 10; i++) c.onRetry(500);
    expect(c.canRetry(5_000)).toBe(false);
    expect(c.canRetry(9_999)).toBe(false);
    expect(c.canRetry(10_000)).toBe(true);
    expect(c.balance(10_000)).toBe(10);
  });

  it('an out-of-order timestamp counts in the latest slice instead of evicting it', () => {
    const b = new RetryBudget({ minPerSecond: 0 });
    for (let i = 0; i < 10; i++) b.onRequest(12_000);
    // 2_000 maps to the same ring slot as 12_000; it must not reset it.
    b.onRequest(2_000);
    expect(b.balance(12_000)).toBeCloseTo(1.1, 12);
  });

  it('rejects nonsense options', () => {
    expect(() => new RetryBudget({ ratio: -0.1 })).toThrow(RangeError);
    expect(() => new RetryBudget({ minPerSecond: Number.NaN })).toThrow(RangeError);
    expect(() => new RetryBudget({ windowMs: 0 })).toThrow(RangeError);
  });
});

/**
 * 1000 client requests to a provider failing every one of them; each request may retry up to
 * twice (the per-request default), as the retry policy decides with the budget's answer.
 */
function simulateOutage(budget: RetryBudget | undefined, requests: number, spacingMs: number): { retries: number; upstream: number } {
  let retries = 0;
  let upstream = 0;
  for (let i = 0; i < requests; i++) {
    const now = i * spacingMs;
    budget?.onRequest(now);
    upstream++;
    for (let onTarget = 0; ; onTarget++) {
      const d = decide({
        failure: failure('server_error', 'boom', { status: 500 }),
        retriesOnTarget: onTarget,
        attemptsUsed: onTarget + 1,
        remainingMs: 60_000,
        rng: () => 0.5,
        budgetAllows: budget === undefined ? true : budget.canRetry(now),
      });
      if (d.action !== 'retry') break;
      budget?.onRetry(now);
      retries++;
      upstream++;
    }
  }
  return { retries, upstream };
}

describe('RetryBudget under a 100 % failure load', () => {
  it('without a budget, per-request limits alone triple the load', () => {
    expect(simulateOutage(undefined, 1000, 10)).toEqual({ retries: 2000, upstream: 3000 });
  });

  it('1000 requests in 10 s: retries stay within 10 % plus one window of floor', () => {
    const { retries, upstream } = simulateOutage(new RetryBudget(), 1000, 10);
    // One 10 s window: floor 10 + 0.1 * 1000 deposits.
    expect(retries).toBeLessThanOrEqual(110);
    expect(retries).toBeGreaterThanOrEqual(100);
    expect(upstream / 1000).toBeLessThanOrEqual(1.11);
  });

  it('1000 requests in 1 s: the floor matters less, the ratio holds', () => {
    const { retries, upstream } = simulateOutage(new RetryBudget(), 1000, 1);
    expect(retries).toBeLessThanOrEqual(110);
    expect(retries).toBeGreaterThanOrEqual(100);
    expect(upstream).toBeLessThanOrEqual(1110);
  });

  it('10 000 requests over 100 s: ≤ ratio of requests + floor per second of the run (plus one window)', () => {
    const { retries, upstream } = simulateOutage(new RetryBudget(), 10_000, 10);
    const bound = 0.1 * 10_000 + 1 * (100 + 10);
    expect(retries).toBeLessThanOrEqual(bound);
    expect(retries).toBeGreaterThanOrEqual(1000);
    expect(upstream / 10_000).toBeLessThanOrEqual(1.15);
  });
});
