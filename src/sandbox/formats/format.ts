import type { Dialogue, ErrorSpec, Frame, HttpReply, RenderContext, Reply, SandboxFormat } from '../types.js';

/** One provider wire format: how to read its chat requests and how to write its answers. */
export interface ChatFormat {
  readonly name: SandboxFormat;
  /** Prefix for tool-call ids in this format's style. */
  readonly toolIdPrefix: string;
  /** Prefix for response ids. */
  readonly idPrefix: string;
  /** Reads a chat request; throws RequestError when the body is not a valid request. */
  parseChat(body: unknown, model: string, stream: boolean): Dialogue;
  error(spec: ErrorSpec): HttpReply;
  /** The whole non-streamed response body. */
  response(reply: Reply, ctx: RenderContext): unknown;
  /** The streamed response, frame by frame, in wire bytes. */
  frames(reply: Reply, ctx: RenderContext): Frame[];
  /** An SSE frame whose data does not parse, for the malformed-chunk scenario. */
  malformedFrame(ctx: RenderContext): string;
  /** How this provider answers a prompt its safety system blocks: an error, or a reply. */
  contentFilter(d: Dialogue): ErrorSpec | Reply;
}

/** A request the simulated provider rejects as invalid; carries the error to render. */
export class RequestError extends Error {
  readonly spec: ErrorSpec;
  constructor(message: string) {
    super(message);
    this.spec = { kind: 'invalid_request', status: 400, message };
  }
}

export type Obj = Record<string, unknown>;

export function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Text of a content field that is a string or an array of `{type: "text", text}` parts: OpenAI
 * content parts and Anthropic content blocks alike. Other parts (images, tool blocks) carry no text.
 */
export function textContent(content: unknown): string {
  if (typeof content === 'string') return content;
  return arrayOf(content)
    .map((p) => (isObj(p) && p.type === 'text' ? (str(p.text) ?? '') : ''))
    .join('');
}

export function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function sseData(data: unknown, event?: string): string {
  const json = typeof data === 'string' ? data : JSON.stringify(data);
  return event ? `event: ${event}\ndata: ${json}\n\n` : `data: ${json}\n\n`;
}

export function jsonReply(status: number, body: unknown, headers: Record<string, string> = {}): HttpReply {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

export function retryHeaders(spec: ErrorSpec, withMs: boolean): Record<string, string> {
  if (spec.retryAfterS === undefined) return {};
  const headers: Record<string, string> = { 'retry-after': String(Math.ceil(spec.retryAfterS)) };
  if (withMs) headers['retry-after-ms'] = String(Math.round(spec.retryAfterS * 1000));
  return headers;
}

/** A context window a little smaller than the prompt, so "exceeded" is always true. */
export function contextNumbers(promptTokens: number | undefined, window: number): { used: number; max: number } {
  return { used: Math.max(window + 1, window + (promptTokens ?? 0)), max: window };
}
