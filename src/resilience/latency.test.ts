import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LATENCY_DEFAULTS, LatencyEstimator } from './latency.js';

describe('LatencyEstimator', () => {
  it('defaults to the last 200 samples of the last minute', () => {
    expect(LATENCY_DEFAULTS).toEqual({ capacity: 200, windowMs: 60_000 });
    const e = new LatencyEstimator();
    expect([e.capacity, e.windowMs]).toEqual([200, 60_000]);
  });

  it('knows nothing before the first sample', () => {
    const e = new LatencyEstimator();
    expect(e.count(0)).toBe(0);
    expect(e.quantile(0.5, 0)).toBeUndefined();
  });

  it('nearest-rank quantiles over 1..100 ms', () => {
    const e = new LatencyEstimator();
    // Added in a scrambled order: the estimator must sort, not trust arrival order.
    for (let i = 0; i < 100; i++) e.add(((i * 37) % 100) + 1, 1000);
    expect(e.count(1000)).toBe(100);
    expect(e.quantile(0.5, 1000)).toBe(50);
    expect(e.quantile(0.95, 1000)).toBe(95);
    expect(e.quantile(0.99, 1000)).toBe(99);
    expect(e.quantile(1, 1000)).toBe(100);
    expect(e.quantile(0, 1000)).toBe(1);
  });

  it('a quantile is always an observed sample, and ranks do not drift in floating point', () => {
    const e = new LatencyEstimator();
    for (let i = 1; i <= 100; i++) e.add(i * 10, 0);
    // 0.55 * 100 is 55.00000000000001: rank 55, i.e. 550 ms, not 560 ms.
    expect(e.quantile(0.55, 0)).toBe(550);
    expect(e.quantile(0.551, 0)).toBe(560);
  });

  it('clamps a quantile outside [0, 1]', () => {
    const e = new LatencyEstimator();
    for (const ms of [5, 10, 20]) e.add(ms, 0);
    expect(e.quantile(1.5, 0)).toBe(20);
    expect(e.quantile(-1, 0)).toBe(5);
    expect(e.quantile(Number.NaN, 0)).toBe(20);
  });

  it('ignores samples older than the window', () => {
    const e = new LatencyEstimator({ windowMs: 1000 });
    e.add(900, 0);
    e.add(100, 500);
    expect(e.count(999)).toBe(2);
    expect(e.quantile(1, 999)).toBe(900);
    expect(e.count(1000)).toBe(1);
    expect(e.quantile(1, 1000)).toBe(100);
    expect(e.count(1500)).toBe(0);
    expect(e.quantile(0.5, 1500)).toBeUndefined();
  });

  it('keeps only the last `capacity` samples', () => {
    const e = new LatencyEstimator({ capacity: 3 });
    for (const ms of [1000, 2000, 3000, 4, 5]) e.add(ms, 0);
    expect(e.count(0)).toBe(3);
    expect(e.quantile(0, 0)).toBe(4);
    expect(e.quantile(1, 0)).toBe(3000);
  });

  it('drops measuring bugs: negative, NaN, infinite latencies or times', () => {
    const e = new LatencyEstimator();
    e.add(-1, 0);
    e.add(Number.NaN, 0);
    e.add(Number.POSITIVE_INFINITY, 0);
    e.add(10, Number.NaN);
    expect(e.count(0)).toBe(0);
    e.add(0, 0);
    expect(e.count(0)).toBe(1);
  });

  it('rejects nonsense options', () => {
    expect(() => new LatencyEstimator({ capacity: 0 })).toThrow(RangeError);
    expect(() => new LatencyEstimator({ capacity: 2.5 })).toThrow(RangeError);
    expect(() => new LatencyEstimator({ windowMs: 0 })).toThrow(RangeError);
  });

  it('property: agrees with a sort of the most recent samples', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ ms: fc.integer({ min: 0, max: 10_000 }), dt: fc.integer({ min: 0, max: 2_000 }) }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 70 }), // across the ring's growth from 8 slots
        fc.double({ min: 0, max: 1, noNaN: true }),
        (samples, capacity, q) => {
          const e = new LatencyEstimator({ capacity, windowMs: 5_000 });
          let now = 0;
          const log: { ms: number; at: number }[] = [];
          for (const s of samples) {
            now += s.dt;
            e.add(s.ms, now);
            log.push({ ms: s.ms, at: now });
          }
          const kept = log
            .slice(-capacity)
            .filter((s) => now - s.at < 5_000)
            .map((s) => s.ms)
            .sort((a, b) => a - b);
          expect(e.count(now)).toBe(kept.length);
          const got = e.quantile(q, now);
          if (kept.length === 0) return expect(got).toBeUndefined();
          expect(kept).toContain(got);
          const rank = Math.min(kept.length, Math.max(1, Math.ceil(q * kept.length - 1e-9)));
          expect(got).toBe(kept[rank - 1]);
        },
      ),
    );
  });
});
