/**
 * The shapes that cross between the adapters (which build and decode them) and transport (which
 * sends them and frames the bytes): plain data, no behaviour.
 */

/**
 * An upstream request before authentication. Transport applies the provider's auth (bearer,
 * api-key header, SigV4) and sends it; adapters never see secrets.
 */
export interface UpstreamRequest {
  method: 'POST' | 'GET';
  /** Absolute URL. */
  url: string;
  /** Shared and frozen: transport adds credentials to a copy. */
  headers: Readonly<Record<string, string>>;
  body: string;
}

/** One framed event from the upstream stream: an SSE event, or an AWS event-stream message. */
export interface StreamEvent {
  /** SSE `event:` field, or the event-stream `:event-type` / `:exception-type` header. */
  event?: string;
  /** SSE `data:` payload, or the event-stream message payload as UTF-8 text. */
  data: string;
}

/** Response headers as undici's request() returns them. */
export type UpstreamHeaders = Record<string, string | string[] | undefined>;
