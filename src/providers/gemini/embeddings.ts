import type { Embedding, EmbeddingsRequest, EmbeddingsResponse } from '../../api/embeddings.js';
import type { Target } from '../../config/types.js';
import { GatewayError } from '../../core/errors.js';
import { isRecord } from '../../core/json.js';
import type { UpstreamRequest } from '../../core/upstream.js';
import { requestHeaders } from '../shared/headers.js';
import { apiUrl, modelPath } from './wire.js';

const JSON_HEADERS = { 'content-type': 'application/json' } as const;

interface BatchEmbedRequest {
  requests: { model: string; content: { parts: { text: string }[] }; outputDimensionality?: number }[];
}

/** OpenAI embeddings request → Gemini `batchEmbedContents`, one request per input string. */
export function buildEmbeddingsRequest(req: EmbeddingsRequest, target: Target): UpstreamRequest {
  const inputs = textInputs(req.input);
  const model = modelPath(target.model.id);
  const body: BatchEmbedRequest = {
    requests: inputs.map((text) => ({
      model,
      content: { parts: [{ text }] },
      ...(req.dimensions != null ? { outputDimensionality: req.dimensions } : {}),
    })),
  };
  return {
    method: 'POST',
    url: apiUrl(target.provider.baseUrl, target.model.id, 'batchEmbedContents'),
    headers: requestHeaders(target.provider, JSON_HEADERS),
    body: JSON.stringify(body),
  };
}

function textInputs(input: EmbeddingsRequest['input']): string[] {
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.length > 0 && input.every((x): x is string => typeof x === 'string')) return input;
  if (Array.isArray(input) && input.length === 0) {
    throw new GatewayError('invalid_request', 'input must not be empty.', { param: 'input' });
  }
  throw new GatewayError('invalid_request', 'Gemini embeddings take text input; token arrays are not supported.', {
    param: 'input',
  });
}

export function parseEmbeddingsResponse(body: unknown, req: EmbeddingsRequest, target: Target): EmbeddingsResponse {
  const list = isRecord(body) && Array.isArray(body.embeddings) ? (body.embeddings as unknown[]) : [];
  const data: Embedding[] = list.map((e, index) => {
    const values = isRecord(e) && Array.isArray(e.values) ? e.values.filter((v): v is number => typeof v === 'number') : [];
    return { object: 'embedding', index, embedding: req.encoding_format === 'base64' ? toBase64(values) : values };
  });
  // batchEmbedContents does not report token usage; 0 says "unknown" rather than inventing a
  // count. A usageMetadata block, where an API version adds one, is used as reported.
  const meta = isRecord(body) && isRecord(body.usageMetadata) ? body.usageMetadata : undefined;
  const prompt = meta && typeof meta.promptTokenCount === 'number' ? meta.promptTokenCount : 0;
  const total = meta && typeof meta.totalTokenCount === 'number' ? meta.totalTokenCount : prompt;
  return { object: 'list', data, model: target.model.id, usage: { prompt_tokens: prompt, total_tokens: total } };
}

/** OpenAI's base64 encoding: the vector as little-endian float32 bytes. */
function toBase64(values: readonly number[]): string {
  const buf = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => {
    buf.writeFloatLE(v, i * 4);
  });
  return buf.toString('base64');
}
