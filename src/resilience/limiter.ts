/**
 * A per-target cap on requests in flight, with a bounded FIFO queue. Past the cap a request waits
 * in the queue (up to `queueTimeoutMs`); past the queue it is turned away at once, so a slow
 * provider cannot collect an unbounded pile of waiting requests.
 */
export interface LimiterOptions {
  maxInFlight: number;
  queueSize: number;
  queueTimeoutMs: number;
}

interface Waiter {
  grant: (ok: boolean) => void;
  timer: NodeJS.Timeout;
}

export class InFlightLimiter {
  private inFlight = 0;
  private readonly queue: Waiter[] = [];

  constructor(readonly options: LimiterOptions) {
    if (!(Number.isInteger(options.maxInFlight) && options.maxInFlight > 0))
      throw new RangeError(`maxInFlight must be a positive integer, got ${options.maxInFlight}`);
  }

  /** A slot now, without waiting: false when the target is full. */
  tryAcquire(): boolean {
    if (this.inFlight >= this.options.maxInFlight) return false;
    this.inFlight++;
    return true;
  }

  /**
   * A slot, waiting in the queue when the target is full. Resolves false when the queue is full,
   * the wait times out, or `onAbort` fires first (the request is gone).
   */
  acquire(onAbort: (fn: () => void) => () => void): Promise<boolean> {
    if (this.tryAcquire()) return Promise.resolve(true);
    if (this.queue.length >= this.options.queueSize) return Promise.resolve(false);
    return new Promise((resolve) => {
      let off = (): void => {};
      const waiter: Waiter = {
        grant: (ok) => {
          clearTimeout(waiter.timer);
          off();
          resolve(ok);
        },
        timer: setTimeout(() => this.leave(waiter), this.options.queueTimeoutMs),
      };
      this.queue.push(waiter);
      off = onAbort(() => this.leave(waiter));
    });
  }

  /** Gives a slot back; the longest waiter, if any, takes it over. */
  release(): void {
    const next = this.queue.shift();
    if (next) next.grant(true);
    else this.inFlight = Math.max(0, this.inFlight - 1);
  }

  get active(): number {
    return this.inFlight;
  }

  get waiting(): number {
    return this.queue.length;
  }

  private leave(waiter: Waiter): void {
    const i = this.queue.indexOf(waiter);
    if (i === -1) return;
    this.queue.splice(i, 1);
    waiter.grant(false);
  }
}
