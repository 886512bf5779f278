import type { ServerResponse } from 'node:http';
import type { ChatChunk, Usage } from '../api/chat.js';
import type { Target } from '../config/types.js';
import type { GatewayError } from '../errors.js';
import type { AttemptRecord } from '../pipeline/attempts.js';
import type { StreamSink } from '../pipeline/execute-stream.js';
import { routingHeaders, type Headers } from './respond.js';

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
 * Writes SSE text with backpressure. Between batch('start') and batch('end') the socket is corked
 * so the events decoded from one upstream read leave in one write; a full buffer uncorks first,
 * or 'drain' could never come.
 */
export class SseWriter {
  private corked = false;
  constructor(readonly res: ServerResponse) {}

  write(text: string): void | Promise<void> {
    if (this.res.destroyed) return;
    if (this.res.write(text)) return;
    this.batch('end');
    return drained(this.res);
  }

  batch(phase: 'start' | 'end'): void {
    if (phase === 'start' && !this.corked && this.res.headersSent) {
      this.res.cork();
      this.corked = true;
    } else if (phase === 'end' && this.corked) {
      this.corked = false;
      this.res.uncork();
    }
  }

  end(text: string): void {
    this.corked = false;
    this.res.end(text);
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

  batch(phase: 'start' | 'end'): void {
    this.out.batch(phase);
  }

  end(_usage: Usage | undefined): void {
    this.out.end('data: [DONE]\n\n');
  }

  fail(err: GatewayError): void {
    // OpenAI's in-band error form; the official SDKs raise it. No [DONE]: the answer is not complete.
    this.out.end(`data: ${JSON.stringify(err.toJSON())}\n\n`);
  }
}
