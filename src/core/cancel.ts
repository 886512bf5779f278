/**
 * Cancellation for one request or attempt: a flag, a reason, and the functions to call once. Not
 * an EventEmitter or AbortSignal: one is made per request and per stream attempt, and their
 * machinery cost more than everything else they are used for here.
 */
export class Cancellation {
  aborted = false;
  reason: unknown = undefined;
  private listeners: (() => void)[] | undefined;

  abort(reason: unknown = new Error('aborted')): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners) for (const fn of listeners) fn();
  }

  /** Calls `fn` once on abort (at once if already aborted); returns the function that unsubscribes. */
  onAbort(fn: () => void): () => void {
    if (this.aborted) {
      fn();
      return noop;
    }
    if (this.listeners) this.listeners.push(fn);
    else this.listeners = [fn];
    return () => {
      const l = this.listeners;
      if (!l) return;
      const i = l.indexOf(fn);
      if (i !== -1) l.splice(i, 1);
    };
  }

  /** A cancellation that aborts with this one (same reason) and can also be aborted alone. */
  child(): { cancel: Cancellation; release: () => void } {
    const cancel = new Cancellation();
    const release = this.onAbort(() => cancel.abort(this.reason));
    return { cancel, release };
  }
}

function noop(): void {}

export class ClientClosed extends Error {
  constructor() {
    super('client closed the connection');
    this.name = 'ClientClosed';
  }
}

export class DeadlineExceeded extends Error {
  constructor(readonly ms: number) {
    super(`request deadline of ${ms} ms exceeded`);
    this.name = 'DeadlineExceeded';
  }
}
