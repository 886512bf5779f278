import type { Cancellation } from '../core/cancel.js';
import type { UpstreamHeaders } from '../core/upstream.js';
import { util as undiciUtil } from './undici.js';

/** What a response body is read with: chunks in order; a returned promise pauses reading until it settles (backpressure). */
export type ChunkSink = (chunk: Buffer) => void | Promise<void>;

/** One upstream response: its status and headers, and its body, read once. */
export interface UpstreamResponse {
  readonly status: number;
  /** Parsed on first read: a successful answer rarely needs them. */
  readonly headers: UpstreamHeaders;
  /** The whole body, at most `limit` bytes kept (the rest is read and dropped). */
  bytes(limit?: number): Promise<Buffer>;
  /** Every chunk of the body to `sink`, in order; resolves at the end, rejects on an error or an abort. */
  read(sink: ChunkSink): Promise<void>;
  /** Reads and drops the rest, so the connection can be reused. */
  dump(): Promise<void>;
}

type Abort = (err?: Error) => void;

/**
 * One request on undici's dispatch API, with the handler written out: no Readable stream, no
 * async iterator, and no header parsing unless someone reads them, which is most of what the
 * higher-level `request()` costs per request. It also says when the request actually left on a
 * connection (`onSent`), so timers that judge the provider never count a wait for a local
 * connection.
 */
export class Exchange implements UpstreamResponse {
  status = 0;
  private rawHeaders: Buffer[] | string[] = [];
  private parsed: UpstreamHeaders | undefined;
  private abortFn: Abort | undefined;
  private resumeFn: (() => void) | undefined;
  private started = false;
  private settled = false;
  private ended = false;
  private failure: Error | undefined;
  private queued: Buffer[] = [];
  private sink: ChunkSink | undefined;
  private paused = false;
  private done: { resolve: () => void; reject: (err: Error) => void } | undefined;
  private offAbort: (() => void) | undefined;

  constructor(
    private readonly head: { resolve: (res: UpstreamResponse) => void; reject: (err: Error) => void },
    private readonly signal: Cancellation,
    private readonly onSent: (() => void) | undefined,
  ) {
    this.offAbort = signal.onAbort(() => this.cancel(signal.reason));
  }

  get headers(): UpstreamHeaders {
    this.parsed ??= undiciUtil.parseHeaders(this.rawHeaders as Buffer[]) as UpstreamHeaders;
    return this.parsed;
  }

  // --- undici's handler (the core's own interface: no adapter in between) -----------------------

  onConnect(abort: Abort): void {
    this.abortFn = abort;
    // Stopped while it waited for a connection: it never leaves.
    if (this.failure) abort(this.failure);
    else this.onSent?.();
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[] | string[], resume: () => void): boolean {
    if (statusCode < 200) return true; // 1xx: the real head follows
    this.status = statusCode;
    this.rawHeaders = rawHeaders;
    this.resumeFn = resume;
    this.started = true;
    this.head.resolve(this);
    return !this.paused;
  }

  onData(chunk: Buffer): boolean {
    if (this.sink && !this.paused && this.queued.length === 0) this.deliver(chunk);
    else this.queued.push(chunk);
    return !this.paused;
  }

  onComplete(): void {
    this.ended = true;
    this.offAbort?.();
    this.flush();
  }

  onError(err: Error): void {
    this.offAbort?.();
    this.fail(this.signal.aborted ? asError(this.signal.reason) : err);
  }

  // --- the body, as the executor reads it ---------------------------------------------------------

  read(sink: ChunkSink): Promise<void> {
    if (this.sink) return Promise.reject(new Error('the response body was already read'));
    this.sink = sink;
    return new Promise<void>((resolve, reject) => {
      this.done = { resolve, reject };
      if (this.failure) reject(this.failure);
      else this.flush();
    });
  }

  async bytes(limit = Number.POSITIVE_INFINITY): Promise<Buffer> {
    const parts: Buffer[] = [];
    let size = 0;
    await this.read((chunk) => {
      if (size < limit) parts.push(chunk);
      size += chunk.length;
    });
    const all = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    return all.length > limit ? all.subarray(0, limit) : all;
  }

  dump(): Promise<void> {
    return this.read(() => {}).catch(() => undefined);
  }

  /** Delivers what waited (chunks before a reader, or while paused), then the end or the error. */
  private flush(): void {
    if (!this.sink || this.paused) return;
    while (this.queued.length > 0 && !this.paused && !this.failure) this.deliver(this.queued.shift()!);
    if (this.paused || this.settled) return;
    if (this.failure) this.finish(this.failure);
    else if (this.ended) this.finish();
  }

  private deliver(chunk: Buffer): void {
    let wait: void | Promise<void>;
    try {
      wait = this.sink!(chunk);
    } catch (err) {
      this.cancel(err);
      return;
    }
    if (!wait) return;
    this.paused = true;
    wait.then(
      () => {
        this.paused = false;
        this.resumeFn?.();
        this.flush();
      },
      (err: unknown) => {
        this.paused = false;
        this.cancel(err);
      },
    );
  }

  /** Stops the exchange: our own reason (client gone, deadline, a hedge lost, a reader's error) wins. */
  private cancel(reason: unknown): void {
    const err = asError(reason);
    this.abortFn?.(err);
    this.fail(err);
  }

  private fail(err: Error): void {
    if (!this.failure) {
      this.failure = err;
      this.offAbort?.();
      this.queued.length = 0;
    }
    if (!this.started) {
      if (!this.settled) {
        this.settled = true;
        this.head.reject(this.failure);
      }
      return;
    }
    if (this.sink && !this.paused) this.finish(this.failure);
  }

  private finish(err?: Error): void {
    if (this.settled) return;
    this.settled = true;
    if (err) this.done?.reject(err);
    else this.done?.resolve();
  }
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason ?? 'aborted'));
}
