import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HEDGE_DEFAULTS, HedgeBudget, type HedgePolicy, hedgeDelay, shouldHedge } from './hedge.js';
import { LatencyEstimator } from './latency.js';

/** An estimator holding latencies 1..n ms (scaled), all recorded at time 0. */
function estimatorWith(n: number, scale = 10): LatencyEstimator {
  const e = new LatencyEstimator();
  for (let i = 1; i <= n; i++) e.add(i * scale, 0);
  return e;
}

const adaptive: HedgePolicy = { mode: 'adaptive', minMs: 200, maxMs: 5000, fallbackMs: 1500 };

describe('hedgeDelay', () => {
  it('fixed: the configured delay, whatever the estimator says', () => {
    expect(hedgeDelay({ mode: 'fixed', delayMs: 750 }, undefined, 0)).toBe(750);
    expect(hedgeDelay({ mode: 'fixed', delayMs: 750 }, estimatorWith(100), 0)).toBe(750);
    expect(hedgeDelay({ mode: 'fixed', delayMs: -5 }, undefined, 0)).toBe(0);
  });

  it('adaptive: the p95 of recent latency by default', () => {
    expect(HEDGE_DEFAULTS.quantile).toBe(0.95);
    // Samples 10..1000 ms: p95 is 950 ms.
    expect(hedgeDelay(adaptive, estimatorWith(100), 0)).toBe(950);
    expect(hedgeDelay({ ...adaptive, quantile: 0.5 }, estimatorWith(100), 0)).toBe(500);
  });

  it('adaptive without an estimator or with too few samples: the fallback delay', () => {
    expect(HEDGE_DEFAULTS.minSamples).toBe(20);
    expect(hedgeDelay(adaptive, undefined, 0)).toBe(1500);
    expect(hedgeDelay(adaptive, estimatorWith(19), 0)).toBe(1500);
    expect(hedgeDelay(adaptive, estimatorWith(20), 0)).toBe(200); // p95 of 10..200 ms is 190, clamped up
    expect(hedgeDelay({ ...adaptive, minSamples: 5 }, estimatorWith(5, 100), 0)).toBe(500);
  });

  it('adaptive counts only recent samples toward "enough"', () => {
    const e = estimatorWith(100); // recorded at 0, window 60 s
    expect(hedgeDelay(adaptive, e, 59_999)).toBe(950);
    expect(hedgeDelay(adaptive, e, 60_000)).toBe(1500);
  });

  it('adaptive clamps into [minMs, maxMs]', () => {
    expect(hedgeDelay(adaptive, estimatorWith(100, 1), 0)).toBe(200); // p95 = 95 ms
    expect(hedgeDelay(adaptive, estimatorWith(100, 100), 0)).toBe(5000); // p95 = 9500 ms
    expect(hedgeDelay(adaptive, estimatorWith(100, 4), 0)).toBe(380); // p95 = 380 ms, inside
  });

  it('property: adaptive with enough samples is always within [minMs, maxMs]', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 20, maxLength: 200 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (samples, q) => {
          const e = new LatencyEstimator();
          for (const ms of samples) e.add(ms, 0);
          const d = hedgeDelay({ ...adaptive, quantile: q }, e, 0);
          expect(d).toBeGreaterThanOrEqual(200);
          expect(d).toBeLessThanOrEqual(5000);
        },
      ),
    );
  });
});

describe('HedgeBudget', () => {
  it('starts with its burst and refuses once it is spent', () => {
    const b = new HedgeBudget({ burst: 3 });
    expect([b.tryAcquire(0), b.tryAcquire(0), b.tryAcquire(0), b.tryAcquire(0)]).toEqual([true, true, true, false]);
  });

  it('earns ratio of a hedge per request (10 requests → 1 hedge at 0.1)', () => {
    const b = new HedgeBudget({ ratio: 0.1, burst: 1 });
    expect(b.tryAcquire(0)).toBe(true);
    for (let i = 0; i < 9; i++) b.onRequest(0);
    expect(b.tryAcquire(0)).toBe(false);
    b.onRequest(0);
    expect(b.tryAcquire(0)).toBe(true);
    expect(b.tryAcquire(0)).toBe(false);
  });

  it('cannot save more than its burst, however quiet it was', () => {
    const b = new HedgeBudget({ ratio: 0.5, burst: 2 });
    for (let i = 0; i < 1000; i++) b.onRequest(i);
    expect(b.tokens).toBe(2);
    expect([b.tryAcquire(0), b.tryAcquire(0), b.tryAcquire(0)]).toEqual([true, true, false]);
  });

  it('defaults: 10 % of requests, a burst of 1', () => {
    const b = new HedgeBudget();
    expect([b.ratio, b.burst]).toEqual([0.1, 1]);
  });

  it('a burst below 1 never hedges', () => {
    const b = new HedgeBudget({ burst: 0.5, ratio: 1 });
    b.onRequest(0);
    expect(b.tryAcquire(0)).toBe(false);
  });

  it('rejects nonsense options', () => {
    expect(() => new HedgeBudget({ ratio: -1 })).toThrow(RangeError);
    expect(() => new HedgeBudget({ burst: Number.NaN })).toThrow(RangeError);
  });

  it('property: hedges never exceed burst + ratio * requests', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 10 }),
        fc.array(fc.boolean(), { maxLength: 500 }),
        (ratio, burst, ops) => {
          const b = new HedgeBudget({ ratio, burst });
          let requests = 0;
          let hedges = 0;
          for (const isRequest of ops) {
            if (isRequest) {
              b.onRequest(0);
              requests++;
            } else if (b.tryAcquire(0)) hedges++;
          }
          expect(hedges).toBeLessThanOrEqual(burst + ratio * requests + 1e-6);
        },
      ),
    );
  });
});

describe('shouldHedge', () => {
  const base = { enabled: true, nonIdempotent: false, hedgesSent: 0, maxHedges: 1, now: 0 };

  it('hedges when enabled, repeatable, under the cap and within budget', () => {
    expect(shouldHedge({ ...base, budget: new HedgeBudget() })).toBe(true);
  });

  it('never when disabled, non-idempotent or at the cap, and then spends no token', () => {
    const budget = new HedgeBudget({ burst: 1 });
    expect(shouldHedge({ ...base, enabled: false, budget })).toBe(false);
    expect(shouldHedge({ ...base, nonIdempotent: true, budget })).toBe(false);
    expect(shouldHedge({ ...base, hedgesSent: 1, budget })).toBe(false);
    expect(shouldHedge({ ...base, hedgesSent: 2, maxHedges: 3, budget })).toBe(true); // the token was still there
  });

  it('not when the budget is spent, and each granted hedge spends one token', () => {
    const budget = new HedgeBudget({ burst: 2, ratio: 0 });
    expect(shouldHedge({ ...base, budget })).toBe(true);
    expect(shouldHedge({ ...base, budget })).toBe(true);
    expect(shouldHedge({ ...base, budget })).toBe(false);
  });

  it('passes its time to the budget', () => {
    const seen: number[] = [];
    expect(
      shouldHedge({
        ...base,
        now: 1234,
        budget: {
          tryAcquire: (now) => {
            seen.push(now);
            return true;
          },
        },
      }),
    ).toBe(true);
    expect(seen).toEqual([1234]);
  });
});
