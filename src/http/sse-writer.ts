import type { ServerResponse } from 'node:http';
import type { ChatChunk, Usage } from '../api/chat.js';
import type { Target } from '../config/types.js';
import type { GatewayError } from '../core/errors.js';
import type { AttemptRecord } from '../pipeline/attempts.js';
import type { StreamSink } from '../pipeline/execute-stream.js';
import { type Headers, routingHeaders } from './respond.js';

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

/** Writes an OpenAI chat stream: `data: {chunk}` events, `data: [DONE]` only after a complete answer. */
export class OpenAISseSink implements StreamSink {
  private readonly out: SseWriter;
  constructor(
    res: ServerResponse,
    private readonly headers: Headers,
  ) {
    this.out = new SseWriter(res);
  }

  open(target: Target, attempts: readonly AttemptRecord[]): void {
    this.out.res.writeHead(200, routingHeaders({ ...SSE_HEADERS, ...this.headers }, target, attempts));
  }

  chunk(chunk: ChatChunk, raw?: string): void | Promise<void> {
    return this.out.write(`data: ${raw ?? JSON.stringify(chunk)}\n\n`);
  }

  batch(phase: 'start' | 'end'): void | Promise<void> {
    return this.out.batch(phase);
  }

  end(_usage: Usage | undefined): void {
    this.out.end('data: [DONE]\n\n');
  }

  fail(err: GatewayError): void {
    // OpenAI's in-band error form; the official SDKs raise it. No [DONE]: the answer is not complete.
    this.out.end(`data: ${JSON.stringify(err.toJSON())}\n\n`);
  }
}
