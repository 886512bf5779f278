/**
 * Recent latency of one target, for adaptive hedging (hedge after the p95 this target usually
 * takes) and for the dashboard.
 *
 * A ring of the last `capacity` samples with their timestamps; samples older than `windowMs` are
 * ignored, so a provider that was slow an hour ago is judged by how it does now. Bounded memory
 * per target whatever the traffic; exact quantiles over what it holds (no sketch error), which at
 * a few hundred samples costs one small sort per question, asked once per request at most.
 *
 * The ring starts small and doubles up to `capacity` as samples arrive: a target seen once (a
 * model a client named, say) costs a few hundred bytes, not the full ring.
 *
 * Which latency is recorded is the caller's choice: the one the hedge waits on (time to headers,
 * or to the first token of a stream).
 */

export interface LatencyEstimatorOptions {
  /** Samples kept; older ones are overwritten. */
  capacity?: number;
  /** Samples older than this are ignored. */
  windowMs?: number;
}

export const LATENCY_DEFAULTS: Readonly<Required<LatencyEstimatorOptions>> = Object.freeze({
  capacity: 200,
  windowMs: 60_000,
});

/** Slots a new ring starts with. */
const INITIAL_SLOTS = 8;

export class LatencyEstimator {
  readonly capacity: number;
  readonly windowMs: number;
  private values: Float64Array;
  private times: Float64Array;
  /** Next slot to write; also the count of samples until the ring is full. */
  private next = 0;
  private size = 0;

  constructor(options: LatencyEstimatorOptions = {}) {
    this.capacity = options.capacity ?? LATENCY_DEFAULTS.capacity;
    this.windowMs = options.windowMs ?? LATENCY_DEFAULTS.windowMs;
    if (!(Number.isInteger(this.capacity) && this.capacity > 0)) throw new RangeError(`latency capacity must be a positive integer, got ${this.capacity}`);
    if (!(this.windowMs > 0)) throw new RangeError(`latency windowMs must be > 0, got ${this.windowMs}`);
    this.values = new Float64Array(Math.min(this.capacity, INITIAL_SLOTS));
    this.times = new Float64Array(this.values.length);
  }

  /** A negative or non-finite latency is a measuring bug; it must not drag the quantiles. */
  add(ms: number, now: number): void {
    if (!(Number.isFinite(ms) && ms >= 0 && Number.isFinite(now))) return;
    // Until the ring is full, samples fill it in order: growing keeps them where they are.
    if (this.size === this.values.length && this.size < this.capacity) this.grow();
    this.values[this.next] = ms;
    this.times[this.next] = now;
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
  }

  private grow(): void {
    const length = Math.min(this.capacity, this.values.length * 2);
    const values = new Float64Array(length);
    const times = new Float64Array(length);
    values.set(this.values);
    times.set(this.times);
    this.values = values;
    this.times = times;
  }

  /** Samples that still count at `now`. */
  count(now: number): number {
    let n = 0;
    for (let i = 0; i < this.size; i++) if (this.fresh(i, now)) n++;
    return n;
  }

  /**
   * Nearest-rank quantile (the smallest sample at or above a share q of the samples), so the
   * answer is always a latency that was actually observed. undefined when nothing is recent.
   * q outside [0, 1] is clamped: a misconfigured quantile should degrade, not fail requests.
   */
  quantile(q: number, now: number): number | undefined {
    const fresh: number[] = [];
    for (let i = 0; i < this.size; i++) if (this.fresh(i, now)) fresh.push(this.values[i]!);
    if (fresh.length === 0) return undefined;
    fresh.sort((a, b) => a - b);
    const share = Number.isNaN(q) ? 1 : Math.min(1, Math.max(0, q));
    // The slack keeps 0.1 * 30 (3.0000000000000004) at rank 3 rather than 4.
    const rank = Math.min(fresh.length, Math.max(1, Math.ceil(share * fresh.length - 1e-9)));
    return fresh[rank - 1];
  }

  /** Forget every sample. */
  reset(): void {
    this.next = 0;
    this.size = 0;
  }

  private fresh(i: number, now: number): boolean {
    return now - this.times[i]! < this.windowMs;
  }
}
