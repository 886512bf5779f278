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

/** Writes an OpenAI chat stream: `data: {chunk}` events, `data: [DONE]` only after a complete answer. */
export class OpenAISseSink implements StreamSink {
  constructor(
    private readonly res: ServerResponse,
    private readonly headers: Headers,
  ) {}

  open(target: Target, attempts: readonly AttemptRecord[]): void {
    this.res.writeHead(200, routingHeaders({ ...SSE_HEADERS, ...this.headers }, target, attempts));
  }

  chunk(chunk: ChatChunk): void | Promise<void> {
    if (this.res.destroyed) return;
    if (!this.res.write(`data: ${JSON.stringify(chunk)}\n\n`)) return drained(this.res);
  }

  end(_usage: Usage | undefined): void {
    this.res.end('data: [DONE]\n\n');
  }

  fail(err: GatewayError): void {
    // OpenAI's in-band error form; the official SDKs raise it. No [DONE]: the answer is not complete.
    this.res.end(`data: ${JSON.stringify(err.toJSON())}\n\n`);
  }
}
