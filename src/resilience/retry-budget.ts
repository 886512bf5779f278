/**
 * Per-target retry budget: retries stay at most `ratio` of requests plus a small floor.
 *
 * Per-request limits (2 retries per target) are not enough on their own: when a provider fails
 * every request under load, each request retrying twice triples the load on a provider that is
 * already down. The budget caps retries across all requests to that target, so at 100 % errors it
 * sees about (1 + ratio) times the client's request count, plus the floor.
 *
 * A token bucket whose tokens expire: every request deposits `ratio` of a token, the floor
 * provides `minPerSecond` tokens per second, every retry spends one, and deposits and spends older
 * than `windowMs` no longer count. The expiry is the cap: a quiet hour cannot bank a burst of
 * retries, and the floor alone allows `minPerSecond * windowMs / 1000` retries per window, so a
 * target with little traffic can still retry at all.
 *
 * Time is kept in slices of windowMs / SLICES; a slice is the unit that expires. This bounds the
 * memory to a few numbers per target whatever the request rate. Retries in any SLICES consecutive
 * slices never exceed floor + ratio * requests in those slices.
 */

export interface RetryBudgetOptions {
  /** Share of requests that may be retried. */
  ratio?: number;
  /** Retries allowed per second whatever the traffic, so low-traffic targets can retry at all. */
  minPerSecond?: number;
  /** How long a deposit or spend counts. */
  windowMs?: number;
}

export const RETRY_BUDGET_DEFAULTS: Readonly<Required<RetryBudgetOptions>> = Object.freeze({
  ratio: 0.1,
  minPerSecond: 1,
  windowMs: 10_000,
});

const SLICES = 10;
/** 0.1 * 10 is 1 exactly, but 0.1 * 30 is 3.0000000000000004: compare with a little slack. */
const EPSILON = 1e-9;

export class RetryBudget {
  readonly ratio: number;
  readonly minPerSecond: number;
  readonly windowMs: number;
  private readonly sliceMs: number;
  private readonly ids: number[] = new Array<number>(SLICES).fill(Number.NEGATIVE_INFINITY);
  private readonly requests: number[] = new Array<number>(SLICES).fill(0);
  private readonly retries: number[] = new Array<number>(SLICES).fill(0);
  private latest = Number.NEGATIVE_INFINITY;

  constructor(options: RetryBudgetOptions = {}) {
    this.ratio = options.ratio ?? RETRY_BUDGET_DEFAULTS.ratio;
    this.minPerSecond = options.minPerSecond ?? RETRY_BUDGET_DEFAULTS.minPerSecond;
    this.windowMs = options.windowMs ?? RETRY_BUDGET_DEFAULTS.windowMs;
    if (!(Number.isFinite(this.ratio) && this.ratio >= 0)) throw new RangeError(`retry budget ratio must be >= 0, got ${this.ratio}`);
    if (!(Number.isFinite(this.minPerSecond) && this.minPerSecond >= 0))
      throw new RangeError(`retry budget minPerSecond must be >= 0, got ${this.minPerSecond}`);
    if (!(Number.isFinite(this.windowMs) && this.windowMs > 0)) throw new RangeError(`retry budget windowMs must be > 0, got ${this.windowMs}`);
    this.sliceMs = this.windowMs / SLICES;
  }

  /** Every request sent to the target (first attempts, fallbacks and hedges; not retries). */
  onRequest(now: number): void {
    this.requests[this.slot(now)]! += 1;
  }

  /** Asked before deciding; spends nothing, since the decision may still be a fallback. */
  canRetry(now: number): boolean {
    return this.balance(now) >= 1 - EPSILON;
  }

  /** A retry was actually sent. */
  onRetry(now: number): void {
    this.retries[this.slot(now)]! += 1;
  }

  /** Tokens available now (may be fractional), for metrics and the dashboard. */
  balance(now: number): number {
    const current = this.sliceId(now);
    let requests = 0;
    let retries = 0;
    for (let i = 0; i < SLICES; i++) {
      const id = this.ids[i]!;
      if (id > current - SLICES && id <= current) {
        requests += this.requests[i]!;
        retries += this.retries[i]!;
      }
    }
    return (this.minPerSecond * this.windowMs) / 1000 + this.ratio * requests - retries;
  }

  /**
   * Callers on different paths may pass timestamps slightly out of order; time never runs
   * backwards here, so an older timestamp cannot evict a newer slice from the ring.
   */
  private sliceId(now: number): number {
    if (now > this.latest && Number.isFinite(now)) this.latest = now;
    // Before any finite timestamp, slice 0 stands in, so the ring is never indexed with NaN.
    return Number.isFinite(this.latest) ? Math.floor(this.latest / this.sliceMs) : 0;
  }

  private slot(now: number): number {
    const id = this.sliceId(now);
    const i = ((id % SLICES) + SLICES) % SLICES;
    if (this.ids[i] !== id) {
      this.ids[i] = id;
      this.requests[i] = 0;
      this.retries[i] = 0;
    }
    return i;
  }
}
