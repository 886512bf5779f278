/**
 * A hard timeout for a whole bench run: once it fires, every wait made through it returns at once,
 * so the bench stops what it started and reports what it saw instead of hanging.
 */
export class HardTimeout {
  timedOut = false;
  private wake: () => void = () => undefined;
  private readonly fired = new Promise<void>((resolve) => {
    this.wake = resolve;
  });
  private readonly timer: NodeJS.Timeout;

  constructor(ms: number) {
    this.timer = setTimeout(() => {
      this.timedOut = true;
      process.stderr.write(`hard timeout (${ms / 1000} s): stopping and reporting what was seen\n`);
      this.wake();
    }, ms);
  }

  /** Waits for p, or for the hard timeout, whichever is first. */
  bounded<T>(p: Promise<T>): Promise<T | undefined> {
    return Promise.race([p, this.fired.then(() => undefined)]);
  }

  /** A sleep that the hard timeout cuts short (and that leaves no timer behind). */
  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      void this.fired.then(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}
