import type { ServerResponse } from 'node:http';
import type { Headers } from '../pipeline/context.js';

export const SSE_HEADERS: Readonly<Headers> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
};

/** Resolves when the socket can take more, or when the client is gone (never hangs). */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Writes SSE text with backpressure. Between batch('start') and batch('end') text is gathered and
 * leaves in one write: the events decoded from one upstream read become one chunk on the wire,
 * not three buffers per event (chunked encoding), which costs far less in the kernel.
 */
export class SseWriter {
  private batching = false;
  private gathered = '';
  constructor(readonly res: ServerResponse) {}

  write(text: string): void | Promise<void> {
    if (this.batching) {
      this.gathered += text;
      return;
    }
    return this.flush(text);
  }

  batch(phase: 'start' | 'end'): void | Promise<void> {
    this.batching = phase === 'start';
    if (phase === 'end' && this.gathered !== '') {
      const text = this.gathered;
      this.gathered = '';
      return this.flush(text);
    }
  }

  end(text: string): void {
    const all = this.gathered + text;
    this.gathered = '';
    this.batching = false;
    this.res.end(all);
  }

  private flush(text: string): void | Promise<void> {
    if (this.res.destroyed) return;
    if (!this.res.write(text)) return drained(this.res);
  }
}
