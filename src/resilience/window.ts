/**
 * Outcomes (success / failure) over the last `windowMs`, kept in a fixed ring of buckets so a
 * breaker costs the same memory at 1 request a minute as at 10,000 a second.
 *
 * Buckets are aligned to absolute time (bucket k covers [k·bucketMs, (k+1)·bucketMs)), not to the
 * first request, so every breaker in the process ages out its history at the same instants and a
 * test can name the exact millisecond an outcome stops counting: an outcome recorded in bucket k
 * counts until `now` reaches (k + buckets)·bucketMs and not one millisecond longer. The price of
 * constant memory is that an outcome is remembered for between windowMs − bucketMs and windowMs.
 */

export interface WindowOptions {
  /** Span of history that counts, in ms. Must be a whole multiple of `buckets`. */
  windowMs: number;
  /** How many slices the span is cut into; more buckets age history out more smoothly. */
  buckets: number;
}

export const DEFAULT_WINDOW: Readonly<WindowOptions> = Object.freeze({ windowMs: 60_000, buckets: 10 });

export interface WindowCounts {
  total: number;
  failures: number;
}

export class SlidingWindow {
  readonly windowMs: number;
  readonly buckets: number;
  readonly bucketMs: number;
  // Parallel arrays rather than bucket objects: they are allocated once and never resized.
  private readonly epochs: number[];
  private readonly totals: number[];
  private readonly fails: number[];
  /** Newest bucket index seen; time never runs backwards inside the window (see `epochAt`). */
  private latest = Number.NEGATIVE_INFINITY;

  constructor(options: Partial<WindowOptions> = {}) {
    const { windowMs, buckets } = { ...DEFAULT_WINDOW, ...options };
    if (!Number.isInteger(buckets) || buckets < 1) throw new RangeError(`window buckets must be a positive integer, got ${buckets}`);
    // An integer bucket width keeps the boundaries exact; a fractional one would let float
    // rounding move an expiry by a millisecond.
    if (!Number.isInteger(windowMs) || windowMs < buckets || windowMs % buckets !== 0) {
      throw new RangeError(`windowMs must be a positive whole multiple of buckets (${buckets}), got ${windowMs}`);
    }
    this.windowMs = windowMs;
    this.buckets = buckets;
    this.bucketMs = windowMs / buckets;
    this.epochs = new Array<number>(buckets).fill(Number.NEGATIVE_INFINITY);
    this.totals = new Array<number>(buckets).fill(0);
    this.fails = new Array<number>(buckets).fill(0);
  }

  record(ok: boolean, now: number): void {
    const epoch = this.epochAt(now);
    this.latest = epoch;
    const i = this.slot(epoch);
    if (this.epochs[i] !== epoch) {
      // The slot still holds a bucket at least one full window old: reuse it.
      this.epochs[i] = epoch;
      this.totals[i] = 0;
      this.fails[i] = 0;
    }
    this.totals[i] = (this.totals[i] ?? 0) + 1;
    if (!ok) this.fails[i] = (this.fails[i] ?? 0) + 1;
  }

  counts(now: number): WindowCounts {
    const oldest = this.epochAt(now) - this.buckets + 1;
    let total = 0;
    let failures = 0;
    for (let i = 0; i < this.buckets; i++) {
      if ((this.epochs[i] ?? Number.NEGATIVE_INFINITY) < oldest) continue;
      total += this.totals[i] ?? 0;
      failures += this.fails[i] ?? 0;
    }
    return { total, failures };
  }

  /** Forget everything, e.g. when a breaker closes after a successful probe. */
  reset(): void {
    this.epochs.fill(Number.NEGATIVE_INFINITY);
    this.totals.fill(0);
    this.fails.fill(0);
    this.latest = Number.NEGATIVE_INFINITY;
  }

  /**
   * A wall clock can step backwards (NTP, VM resume). Treating such a `now` as the newest time
   * already seen keeps the outcome counted instead of writing it into a slot that belongs to a
   * newer bucket, and never brings expired buckets back.
   */
  private epochAt(now: number): number {
    return Math.max(Math.floor(now / this.bucketMs), this.latest);
  }

  private slot(epoch: number): number {
    return ((epoch % this.buckets) + this.buckets) % this.buckets;
  }
}
