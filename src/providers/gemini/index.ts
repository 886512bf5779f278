import type { ProviderAdapter } from '../types.js';
import { buildEmbeddingsRequest, parseEmbeddingsResponse } from './embeddings.js';
import { classifyGeminiError } from './errors.js';
import { buildChatRequest } from './request.js';
import { parseChatResponse } from './response.js';
import { geminiStreamDecoder } from './stream.js';

/** Google Gemini (Generative Language API, v1beta REST). */
export const geminiAdapter: ProviderAdapter = {
  format: 'gemini',
  framing: 'sse',
  buildChatRequest,
  parseChatResponse,
  streamDecoder: geminiStreamDecoder,
  classifyError: (status, body, headers) => classifyGeminiError(status, body, headers),
  buildEmbeddingsRequest,
  parseEmbeddingsResponse,
};

export { classifyGeminiError } from './errors.js';
export { buildGenerateContentBody } from './request.js';
