import type { ServerResponse } from 'node:http';
import type { ChatChunk, Usage } from '../../api/chat.js';
import { validateChatRequest, validateEmbeddingsRequest } from '../../api/validate.js';
import type { Target } from '../../config/types.js';
import type { GatewayError } from '../../core/errors.js';
import type { AttemptRecord } from '../../pipeline/attempts.js';
import type { CanonicalRequest, Headers } from '../../pipeline/context.js';
import type { StreamSink } from '../../pipeline/execute-stream.js';
import { SSE_HEADERS, SseWriter } from '../sse-writer.js';

/** The OpenAI API: the canonical form itself, so decoding is validation and encoding is nothing. */

export function decodeChat(body: unknown): CanonicalRequest {
  return { op: 'chat', body: validateChatRequest(body) };
}

export function decodeEmbeddings(body: unknown): CanonicalRequest {
  return { op: 'embeddings', body: validateEmbeddingsRequest(body) };
}

export function openaiError(err: GatewayError): unknown {
  return err.toJSON();
}

/** Writes an OpenAI chat stream: `data: {chunk}` events, `data: [DONE]` only after a complete answer. */
export class OpenAISseSink implements StreamSink {
  private readonly out: SseWriter;
  constructor(
    res: ServerResponse,
    private readonly headers: (target: Target, attempts: readonly AttemptRecord[]) => Headers,
  ) {
    this.out = new SseWriter(res);
  }

  open(target: Target, attempts: readonly AttemptRecord[]): void {
    this.out.res.writeHead(200, Object.assign({}, SSE_HEADERS, this.headers(target, attempts)));
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
