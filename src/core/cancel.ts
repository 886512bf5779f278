import { EventEmitter } from 'node:events';

/**
 * Cancellation for one request or attempt. undici accepts an EventEmitter as a request's `signal`;
 * on the hot path that is markedly cheaper than AbortController/AbortSignal, whose EventTarget
 * machinery cost about a fifth of proxy throughput in bench/proxy-overhead.ts.
 */
export class Cancellation extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;

  abort(reason: unknown = new Error('aborted')): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }

  /** Calls `fn` on abort (at once if already aborted); returns the function that unsubscribes. */
  onAbort(fn: () => void): () => void {
    if (this.aborted) {
      fn();
      return noop;
    }
    this.once('abort', fn);
    return () => this.off('abort', fn);
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
