import type { ServerResponse } from 'node:http';
import type { ChatChunk, Usage } from '../../api/chat.js';
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
import type { StreamSink } from '../../pipeline/execute-stream.js';
import { bodyLimits, parseJson, readBody } from '../body.js';
import { type Headers, routingHeaders } from '../respond.js';
import type { RequestScope } from '../server.js';
import { SSE_HEADERS, SseWriter } from '../sse-writer.js';
import { runChat } from './chat.js';

export const renderAnthropicError = (err: GatewayError): unknown => toAnthropicErrorBody(err);

const frame = encodeAnthropicSSE;

/** Streams Anthropic's event sequence, translated from the canonical chunks. */
class AnthropicSseSink implements StreamSink {
  private readonly events: ChunksToAnthropicEvents;
  private readonly out: SseWriter;
  constructor(
    res: ServerResponse,
    private readonly headers: Headers,
    requestedModel: string,
  ) {
    this.events = new ChunksToAnthropicEvents(requestedModel);
    this.out = new SseWriter(res);
  }

  open(target: Target, attempts: readonly AttemptRecord[]): void {
    this.out.res.writeHead(200, routingHeaders({ ...SSE_HEADERS, ...this.headers }, target, attempts));
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

/** Anthropic Messages API ingress: Anthropic SDK users point at Switchyard unchanged. */
export async function handleMessages(scope: RequestScope): Promise<void> {
  const request = messagesToChatRequest(parseJson(await readBody(scope.req, bodyLimits(scope))));
  // Anthropic's stream always reports usage, so ask the executor to pass it through.
  if (request.stream === true) request.stream_options = { include_usage: true };
  const requested = request.model;
  await runChat(
    scope,
    request,
    (s) => new AnthropicSseSink(s.res, s.headers, requested),
    (res) => chatResponseToMessage(res, requested),
  );
}
