/**
 * Capped exponential backoff with full jitter.
 *
 * Full jitter (a uniform draw between 0 and the exponential ceiling) rather than a fixed or "equal"
 * jitter: when one provider fails, many requests fail together, and a fixed delay would bring them
 * back together too, all at once. Spreading them over the whole interval costs a little extra
 * latency on average and takes the load off the provider while it recovers.
 */

export interface BackoffConfig {
  /** Ceiling of the first retry's delay. */
  readonly baseMs: number;
  /** No delay ever exceeds this, however many retries came before. */
  readonly maxMs: number;
  /** Growth of the ceiling from one retry to the next. */
  readonly multiplier: number;
}

export const DEFAULT_BACKOFF: BackoffConfig = Object.freeze({
  baseMs: 200,
  maxMs: 10_000,
  multiplier: 2,
});

/** Defaults filled in and checked, so a bad config fails at load time rather than as NaN delays. */
export function resolveBackoff(config: Partial<BackoffConfig> = {}): BackoffConfig {
  const c = { ...DEFAULT_BACKOFF, ...stripUndefined(config) };
  if (!(Number.isFinite(c.baseMs) && c.baseMs >= 0)) throw new RangeError(`backoff baseMs must be a finite number >= 0, got ${c.baseMs}`);
  if (!(Number.isFinite(c.maxMs) && c.maxMs >= 0)) throw new RangeError(`backoff maxMs must be a finite number >= 0, got ${c.maxMs}`);
  if (!(Number.isFinite(c.multiplier) && c.multiplier >= 1)) throw new RangeError(`backoff multiplier must be a finite number >= 1, got ${c.multiplier}`);
  return c;
}

/** The largest delay retry number `attempt` (1-based) may draw: min(maxMs, baseMs * multiplier^(attempt-1)). */
export function backoffCeiling(attempt: number, config: Partial<BackoffConfig> = {}): number {
  const { baseMs, maxMs, multiplier } = resolveBackoff(config);
  // A zero base stays zero: 0 * Infinity (a huge attempt number) would be NaN.
  if (baseMs === 0) return 0;
  // The power overflows to Infinity after ~1000 doublings; Math.min brings it back to maxMs.
  return Math.min(maxMs, baseMs * multiplier ** (retryNumber(attempt) - 1));
}

/** Delay before retry number `attempt` (1-based): rng() * ceiling, in [0, ceiling]. */
export function backoffDelay(attempt: number, rng: () => number, config: Partial<BackoffConfig> = {}): number {
  return unit(rng) * backoffCeiling(attempt, config);
}

/**
 * Full jitter above a floor: floor + rng() * (ceiling - floor). Used where a 0 ms wait is known to
 * be useless (a rate limit without Retry-After would just be hit again at once). The floor never
 * lifts the delay above the ceiling, so maxMs still holds.
 */
export function backoffDelayAtLeast(attempt: number, rng: () => number, floorMs: number, config: Partial<BackoffConfig> = {}): number {
  const hi = backoffCeiling(attempt, config);
  const lo = Math.min(Math.max(0, floorMs), hi);
  return lo + unit(rng) * (hi - lo);
}

/**
 * Retry numbers below 1, fractional or NaN are caller slips; the first retry is the safest reading.
 * Huge ones are bounded so that 1 ** Infinity (NaN) cannot happen with a multiplier of 1.
 */
function retryNumber(attempt: number): number {
  if (Number.isNaN(attempt)) return 1;
  return Math.max(1, Math.floor(Math.min(attempt, 1_000_000)));
}

/** An rng outside its [0, 1) contract must not push a delay outside [0, ceiling]. */
function unit(rng: () => number): number {
  const r = rng();
  return r > 0 ? Math.min(r, 1) : 0;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
