import type { ChatChunk, ChatRequest, ChatResponse } from '../api/chat.js';
import type { EmbeddingsRequest, EmbeddingsResponse } from '../api/embeddings.js';
import type { Target } from '../config/types.js';
import type { Failure } from '../core/failure.js';
import type { StreamEvent, UpstreamHeaders, UpstreamRequest } from '../core/upstream.js';

export type StreamItem =
  /** `raw`: the upstream's own JSON for this chunk, when it is already the OpenAI form (forwarded as is if unchanged). */
  | { kind: 'chunk'; chunk: ChatChunk; raw?: string }
  /** The upstream signalled a complete, orderly end ([DONE], message_stop, ...). */
  | { kind: 'done' }
  /** The upstream reported an error in-band. */
  | { kind: 'error'; failure: Failure }
  /** A chunk that could not be parsed; the executor decides whether to skip it. */
  | { kind: 'malformed'; raw: string; error: string };

/**
 * Stateful per-attempt decoder: turns upstream events into OpenAI chunks. Framing (SSE text or
 * AWS event-stream binary) is parsed by transport before events reach the decoder.
 */
export interface StreamDecoder {
  decode(event: StreamEvent): StreamItem[];
  /** Called when the upstream body ends; may emit a final chunk (e.g. usage) or nothing. */
  end(): StreamItem[];
}

export interface DecodeContext {
  /** The request as sent, for echoing ids and model names. */
  request: ChatRequest;
  target: Target;
  /** Id to use when the upstream provides none. */
  requestId: string;
  /** Unix seconds. */
  created: number;
}

export type Framing = 'sse' | 'aws-eventstream';

/** Stateless translation for one wire format. */
export interface ProviderAdapter {
  readonly format: string;
  readonly framing: Framing;
  buildChatRequest(req: ChatRequest, target: Target, stream: boolean): UpstreamRequest;
  parseChatResponse(body: unknown, ctx: DecodeContext): ChatResponse;
  /** True when `res` (from parseChatResponse) is the upstream's JSON unchanged: its bytes can go to an OpenAI client as they are. */
  verbatim?(res: ChatResponse): boolean;
  streamDecoder(ctx: DecodeContext): StreamDecoder;
  /** Classify a non-2xx response. `body` is parsed JSON when the body was JSON, else text. */
  classifyError(status: number, body: unknown, headers: UpstreamHeaders): Failure;
  /** Absent when the wire format has no embeddings endpoint in Switchyard. */
  buildEmbeddingsRequest?(req: EmbeddingsRequest, target: Target): UpstreamRequest;
  parseEmbeddingsResponse?(body: unknown, req: EmbeddingsRequest, target: Target): EmbeddingsResponse;
}
