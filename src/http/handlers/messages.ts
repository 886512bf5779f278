import type { ServerResponse } from 'node:http';
import type { ChatChunk, Usage } from '../../api/chat.js';
import type { Target } from '../../config/types.js';
import type { GatewayError } from '../../errors.js';
import {
  ChunksToAnthropicEvents,
  chatResponseToMessage,
  errorEvent,
  messagesToChatRequest,
  toAnthropicErrorBody,
  encodeAnthropicSSE,
} from '../../ingress/anthropic/index.js';
import type { AttemptRecord } from '../../pipeline/attempts.js';
import type { StreamSink } from '../../pipeline/execute-stream.js';
import { parseJson, readBody } from '../body.js';
import { routingHeaders, type Headers } from '../respond.js';
import type { RequestScope } from '../server.js';
import { drained, SSE_HEADERS } from '../sse-writer.js';
import { runChat } from './chat.js';

export const renderAnthropicError = (err: GatewayError): unknown => toAnthropicErrorBody(err);

const frame = encodeAnthropicSSE;

/** Streams Anthropic's event sequence, translated from the canonical chunks. */
class AnthropicSseSink implements StreamSink {
  private readonly events: ChunksToAnthropicEvents;
  constructor(
    private readonly res: ServerResponse,
    private readonly headers: Headers,
    requestedModel: string,
  ) {
    this.events = new ChunksToAnthropicEvents(requestedModel);
  }

  open(target: Target, attempts: readonly AttemptRecord[]): void {
    this.res.writeHead(200, routingHeaders({ ...SSE_HEADERS, ...this.headers }, target, attempts));
  }

  chunk(chunk: ChatChunk): void | Promise<void> {
    if (this.res.destroyed) return;
    const out = this.events.push(chunk);
    if (out.length > 0 && !this.res.write(out.map(frame).join(''))) return drained(this.res);
  }

  end(_usage: Usage | undefined): void {
    this.res.end(this.events.finish().map(frame).join(''));
  }

  fail(err: GatewayError): void {
    this.res.end(frame(errorEvent(err)));
  }
}

/** Anthropic Messages API ingress: Anthropic SDK users point at Switchyard unchanged. */
export async function handleMessages(scope: RequestScope): Promise<void> {
  const request = messagesToChatRequest(parseJson(await readBody(scope.req, scope.config.server.maxBodyBytes)));
  // Anthropic's stream always reports usage, so ask the executor to pass it through.
  if (request.stream === true) request.stream_options = { include_usage: true };
  const requested = request.model;
  await runChat(scope, request, (s) => new AnthropicSseSink(s.res, s.headers, requested), (res) => chatResponseToMessage(res, requested));
}
