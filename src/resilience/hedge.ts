/**
 * Hedging: when an attempt is slower than this target usually is, send a second one (to the next
 * target) and take whichever answers first. It trims the latency tail at the cost of extra
 * upstream load, so three things bound it here: when to hedge (hedgeDelay), how much extra load
 * overall (HedgeBudget), and which requests may be hedged at all (shouldHedge).
 */
import type { LatencyEstimator } from './latency.js';

export type HedgePolicy =
  | { mode: 'fixed'; delayMs: number }
  | {
      mode: 'adaptive';
      /** Hedge once the attempt is slower than this quantile of the target's recent latency. */
      quantile?: number;
      minMs: number;
      maxMs: number;
      /** Used while the estimator knows too little to be trusted. */
      fallbackMs: number;
      /** Fewer recent samples than this count as "too little". */
      minSamples?: number;
    };

export const HEDGE_DEFAULTS = Object.freeze({
  quantile: 0.95,
  // A p95 over fewer than 20 samples is the single slowest one: noise, not a tail.
  minSamples: 20,
  ratio: 0.1,
  burst: 1,
});

/** Milliseconds to wait on the first attempt before sending a hedge. */
export function hedgeDelay(policy: HedgePolicy, estimator: LatencyEstimator | undefined, now: number): number {
  if (policy.mode === 'fixed') return Math.max(0, policy.delayMs);
  const minSamples = policy.minSamples ?? HEDGE_DEFAULTS.minSamples;
  if (estimator === undefined || estimator.count(now) < minSamples) return policy.fallbackMs;
  const observed = estimator.quantile(policy.quantile ?? HEDGE_DEFAULTS.quantile, now);
  if (observed === undefined) return policy.fallbackMs;
  // The floor keeps a fast target from being hedged on every jitter; the ceiling keeps a slow one
  // from never being hedged at all.
  return Math.min(policy.maxMs, Math.max(policy.minMs, observed));
}

export interface HedgeBudgetOptions {
  /** Hedges earned per request. */
  ratio?: number;
  /** Most hedges that may go out back to back; also what a fresh gateway starts with. */
  burst?: number;
}

/**
 * A capped token bucket: each request earns `ratio` of a hedge, each hedge spends one, and no more
 * than `burst` can be saved. The cap matters more here than for retries: a latency spike makes
 * every in-flight request want to hedge at the same moment, which would double the load on
 * providers exactly when they are slow.
 *
 * `now` is taken, though the bucket does not need it, so every budget the executor holds has the
 * same time-aware contract and a windowed one can replace it without touching callers.
 */
export class HedgeBudget {
  readonly ratio: number;
  readonly burst: number;
  private available: number;

  constructor(options: HedgeBudgetOptions = {}) {
    this.ratio = options.ratio ?? HEDGE_DEFAULTS.ratio;
    this.burst = options.burst ?? HEDGE_DEFAULTS.burst;
    if (!(Number.isFinite(this.ratio) && this.ratio >= 0)) throw new RangeError(`hedge budget ratio must be >= 0, got ${this.ratio}`);
    if (!(Number.isFinite(this.burst) && this.burst >= 0)) throw new RangeError(`hedge budget burst must be >= 0, got ${this.burst}`);
    this.available = this.burst;
  }

  onRequest(_now: number): void {
    this.available = Math.min(this.burst, this.available + this.ratio);
  }

  /** Spends a token when one is there; false (spending nothing) otherwise. */
  tryAcquire(_now: number): boolean {
    // 10 deposits of 0.1 add up to 0.9999999999999999: a little slack makes them one token.
    if (this.available < 1 - 1e-9) return false;
    this.available = Math.max(0, this.available - 1);
    return true;
  }

  /** Tokens available (may be fractional), for metrics. */
  get tokens(): number {
    return this.available;
  }
}

export interface ShouldHedgeInput {
  enabled: boolean;
  /**
   * The request must not run twice (e.g. tool calls with side effects the caller flagged): a
   * hedge would run it twice whichever answer wins.
   */
  nonIdempotent: boolean;
  hedgesSent: number;
  maxHedges: number;
  /** Required: an unbounded hedger should be a deliberate budget, not a forgotten argument. */
  budget: { tryAcquire(now: number): boolean };
  now: number;
}

/**
 * Whether to send a hedge now. The budget is asked last because asking spends a token: a hedge
 * refused for any other reason must not use up another request's share.
 */
export function shouldHedge(input: ShouldHedgeInput): boolean {
  if (!input.enabled || input.nonIdempotent) return false;
  if (input.hedgesSent >= input.maxHedges) return false;
  return input.budget.tryAcquire(input.now);
}
