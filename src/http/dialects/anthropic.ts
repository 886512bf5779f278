import type { ServerResponse } from 'node:http';
import type { ChatChunk, ChatResponse, Usage } from '../../api/chat.js';
import type { Target } from '../../config/types.js';
import type { GatewayError } from '../../core/errors.js';
import {
  ChunksToAnthropicEvents,
  chatResponseToMessage,
  encodeAnthropicSSE,
  errorEvent,
  messagesToChatRequest,
  toAnthropicErrorBody,
} from '../../ingress/anthropic/index.js';
import type { AttemptRecord } from '../../pipeline/attempts.js';
import type { CanonicalRequest, Headers } from '../../pipeline/context.js';
import type { StreamSink } from '../../pipeline/execute-stream.js';
import { SSE_HEADERS, SseWriter } from '../sse-writer.js';

/** The Anthropic Messages API: Anthropic SDK users point at Switchyard unchanged. */

export function decodeMessages(body: unknown): CanonicalRequest {
  const request = messagesToChatRequest(body);
  // Anthropic's stream always reports usage, so ask the executor to pass it through.
  if (request.stream === true) request.stream_options = { include_usage: true };
  return { op: 'chat', body: request };
}

export function anthropicError(err: GatewayError): unknown {
  return toAnthropicErrorBody(err);
}

/** The answer as an Anthropic message, naming the model the client asked for. */
export function encodeMessage(requested: string, value: ChatResponse): unknown {
  return chatResponseToMessage(value, requested);
}

const frame = encodeAnthropicSSE;

/** Streams Anthropic's event sequence, translated from the canonical chunks. */
export class AnthropicSseSink implements StreamSink {
  private readonly events: ChunksToAnthropicEvents;
  private readonly out: SseWriter;
  constructor(
    res: ServerResponse,
    private readonly headers: (target: Target, attempts: readonly AttemptRecord[]) => Headers,
    requestedModel: string,
  ) {
    this.events = new ChunksToAnthropicEvents(requestedModel);
    this.out = new SseWriter(res);
  }

  open(target: Target, attempts: readonly AttemptRecord[]): void {
    this.out.res.writeHead(200, Object.assign({}, SSE_HEADERS, this.headers(target, attempts)));
  }

  chunk(chunk: ChatChunk): void | Promise<void> {
    const events = this.events.push(chunk);
    if (events.length > 0) return this.out.write(events.map(frame).join(''));
  }

  batch(phase: 'start' | 'end'): void | Promise<void> {
    return this.out.batch(phase);
  }

  end(_usage: Usage | undefined): void {
    this.out.end(this.events.finish().map(frame).join(''));
  }

  fail(err: GatewayError): void {
    this.out.end(frame(errorEvent(err)));
  }
}
