import type { ProviderAdapter } from '../types.js';
import { classifyError } from './errors.js';
import { buildChatRequest } from './request.js';
import { parseChatResponse } from './response.js';
import { ConverseStreamDecoder } from './stream.js';

/**
 * AWS Bedrock through the Converse API, one request shape for every model family on Bedrock.
 * Requests are signed with SigV4 by transport; streams arrive as AWS event-stream frames, which
 * transport de-frames (transport/eventstream.ts) before they reach the decoder. No embeddings:
 * Bedrock has no model-independent embeddings API.
 */
export const bedrockAdapter: ProviderAdapter = {
  format: 'bedrock',
  framing: 'aws-eventstream',
  buildChatRequest,
  parseChatResponse,
  streamDecoder: (ctx) => new ConverseStreamDecoder(ctx),
  classifyError,
};

export { buildConverseBody, converseUrl } from './request.js';
export { ConverseStreamDecoder } from './stream.js';
