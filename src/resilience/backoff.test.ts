import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffCeiling, backoffDelay, backoffDelayAtLeast, DEFAULT_BACKOFF, resolveBackoff } from './backoff.js';

const half = (): number => 0.5;
const almostOne = (): number => 0.999999;
const zero = (): number => 0;

describe('backoff', () => {
  it('defaults to 200 ms base, 10 s cap, doubling', () => {
    expect(DEFAULT_BACKOFF).toEqual({ baseMs: 200, maxMs: 10_000, multiplier: 2 });
    expect(Object.isFrozen(DEFAULT_BACKOFF)).toBe(true);
  });

  it('ceiling doubles from baseMs and stops at maxMs', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((a) => backoffCeiling(a))).toEqual([200, 400, 800, 1600, 3200, 6400, 10_000, 10_000]);
  });

  it('full jitter: the delay is rng() times the ceiling', () => {
    expect(backoffDelay(1, half)).toBe(100);
    expect(backoffDelay(3, half)).toBe(400);
    expect(backoffDelay(10, half)).toBe(5000);
    expect(backoffDelay(4, zero)).toBe(0);
    expect(backoffDelay(4, almostOne)).toBeCloseTo(1599.9984, 6);
  });

  it('honours a custom config and partial overrides', () => {
    expect(backoffDelay(2, half, { baseMs: 100, multiplier: 3 })).toBe(150);
    expect(backoffDelay(5, half, { baseMs: 100, multiplier: 3, maxMs: 2000 })).toBe(1000);
    expect(backoffCeiling(2, { baseMs: undefined, maxMs: 300 })).toBe(300);
  });

  it('reads a retry number below 1, fractional or NaN as the first retry', () => {
    expect(backoffCeiling(0)).toBe(200);
    expect(backoffCeiling(-3)).toBe(200);
    expect(backoffCeiling(2.9)).toBe(400);
    expect(backoffCeiling(Number.NaN)).toBe(200);
  });

  it('stays finite for huge retry numbers, whatever the multiplier', () => {
    expect(backoffCeiling(5000)).toBe(10_000);
    expect(backoffCeiling(Number.POSITIVE_INFINITY)).toBe(10_000);
    expect(backoffCeiling(Number.POSITIVE_INFINITY, { multiplier: 1 })).toBe(200);
    expect(backoffCeiling(Number.POSITIVE_INFINITY, { baseMs: 0 })).toBe(0);
  });

  it('keeps a misbehaving rng inside [0, ceiling]', () => {
    expect(backoffDelay(1, () => 1.7)).toBe(200);
    expect(backoffDelay(1, () => -0.3)).toBe(0);
    expect(backoffDelay(1, () => Number.NaN)).toBe(0);
  });

  it('rejects configs that would produce nonsense delays', () => {
    expect(() => resolveBackoff({ baseMs: -1 })).toThrow(RangeError);
    expect(() => resolveBackoff({ maxMs: Number.NaN })).toThrow(RangeError);
    expect(() => resolveBackoff({ multiplier: 0.5 })).toThrow(RangeError);
    expect(() => backoffDelay(1, half, { multiplier: Number.POSITIVE_INFINITY })).toThrow(RangeError);
  });

  it('with a floor: never below it, never above the ceiling', () => {
    // First retry: ceiling == floor == baseMs, so the wait is exactly baseMs whatever the draw.
    expect(backoffDelayAtLeast(1, zero, 200)).toBe(200);
    expect(backoffDelayAtLeast(1, almostOne, 200)).toBe(200);
    // Second retry: uniform over [200, 400).
    expect(backoffDelayAtLeast(2, half, 200)).toBe(300);
    expect(backoffDelayAtLeast(2, zero, 200)).toBe(200);
    // A floor above the cap is lowered to the cap.
    expect(backoffDelayAtLeast(5, half, 5000, { maxMs: 1000 })).toBe(1000);
    expect(backoffDelayAtLeast(3, half, 5000)).toBe(800);
    expect(backoffDelayAtLeast(2, half, -50)).toBe(200);
  });

  it('property: every delay lies in [0, min(maxMs, base * m^(n-1))]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -5, max: 2000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.double({ min: 0, max: 5000, noNaN: true }),
        fc.double({ min: 0, max: 120_000, noNaN: true }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        (attempt, r, baseMs, maxMs, multiplier) => {
          const config = { baseMs, maxMs, multiplier };
          const cap = baseMs === 0 ? 0 : Math.min(maxMs, baseMs * multiplier ** (Math.max(1, attempt) - 1));
          const d = backoffDelay(attempt, () => r, config);
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThanOrEqual(cap);
          expect(d).toBeLessThanOrEqual(maxMs);
          expect(Number.isFinite(d)).toBe(true);
        },
      ),
    );
  });

  it('property: the ceiling never shrinks from one retry to the next', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.double({ min: 1, max: 4, noNaN: true }), (attempt, multiplier) => {
        expect(backoffCeiling(attempt + 1, { multiplier })).toBeGreaterThanOrEqual(backoffCeiling(attempt, { multiplier }));
      }),
    );
  });

  it('property: a floored delay lies in [min(floor, ceiling), ceiling]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.double({ min: 0, max: 20_000, noNaN: true }),
        (attempt, r, floor) => {
          const hi = backoffCeiling(attempt);
          const d = backoffDelayAtLeast(attempt, () => r, floor);
          expect(d).toBeGreaterThanOrEqual(Math.min(floor, hi));
          expect(d).toBeLessThanOrEqual(hi);
        },
      ),
    );
  });
});
