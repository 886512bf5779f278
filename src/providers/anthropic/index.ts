import { ANTHROPIC_VERSION } from '../../api/anthropic.js';
import type { ChatRequest } from '../../api/chat.js';
import type { Target } from '../../config/types.js';
import type { UpstreamRequest } from '../../core/upstream.js';
import { requestHeaders } from '../shared/headers.js';
import type { DecodeContext, ProviderAdapter } from '../types.js';
import { classifyAnthropicError } from './errors.js';
import { buildMessagesBody } from './request.js';
import { parseMessagesResponse } from './response.js';
import { AnthropicStreamDecoder } from './stream.js';

/** Configured headers win over these (their names are lower-cased at compile time). */
const BASE_HEADERS = { 'content-type': 'application/json', 'anthropic-version': ANTHROPIC_VERSION } as const;

/**
 * The Anthropic Messages API. Auth (x-api-key) is added by transport; Anthropic has no
 * embeddings endpoint, so none is offered.
 */
export const anthropicAdapter: ProviderAdapter = {
  format: 'anthropic',
  framing: 'sse',
  buildChatRequest(req: ChatRequest, target: Target, stream: boolean): UpstreamRequest {
    const body = buildMessagesBody(req, target, stream);
    return { method: 'POST', url: messagesUrl(target.provider.baseUrl), headers: requestHeaders(target.provider, BASE_HEADERS), body: JSON.stringify(body) };
  },
  parseChatResponse: (body: unknown, ctx: DecodeContext) => parseMessagesResponse(body, ctx),
  streamDecoder: (ctx: DecodeContext) => new AnthropicStreamDecoder(ctx),
  classifyError: classifyAnthropicError,
};

/** The base URL is the origin, like ANTHROPIC_BASE_URL; one that already ends in /v1 is accepted too. */
export function messagesUrl(baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  return /\/v1$/.test(base) ? `${base}/messages` : `${base}/v1/messages`;
}

export { PREFILL_UNSUPPORTED } from './errors.js';
export { DEFAULT_MAX_TOKENS } from './request.js';
