import type { ChatChunk, ChatRequest, ChatResponse, Usage } from '../../api/chat.js';
import type { EmbeddingsRequest, EmbeddingsResponse } from '../../api/embeddings.js';
import type { ProviderConfig, Target } from '../../config/types.js';
import { type Failure, failure } from '../../core/failure.js';
import type { StreamEvent, UpstreamHeaders, UpstreamRequest } from '../../core/upstream.js';
import { classifyHttpFailure } from '../failure.js';
import { requestHeaders } from '../shared/headers.js';
import type { DecodeContext, ProviderAdapter, StreamDecoder, StreamItem } from '../types.js';

/**
 * OpenAI Chat Completions, the canonical form: requests pass through with the model replaced and
 * Switchyard's own fields removed. Also serves Azure OpenAI (deployment URLs, api-version) and every
 * OpenAI-compatible host (Groq, Together, DeepSeek, ...), which differ only in config.
 */

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' } as const;
const SSE_HEADERS = { 'content-type': 'application/json', accept: 'text/event-stream' } as const;

function endpoint(provider: ProviderConfig, target: Target, op: 'chat/completions' | 'embeddings'): string {
  if (provider.format === 'azure') {
    const deployment = encodeURIComponent(target.model.deployment ?? target.model.id);
    const version = encodeURIComponent(provider.apiVersion ?? '2024-10-21');
    return `${provider.baseUrl}/openai/deployments/${deployment}/${op}?api-version=${version}`;
  }
  return `${provider.baseUrl}/${op}`;
}

/** Fields of the client's request that are Switchyard's own or set per target: never copied as they are. */
const NOT_FORWARDED: ReadonlySet<string> = new Set(['model', 'fallbacks', 'stream', 'stream_options', '__proto__']);

function buildChatRequest(req: ChatRequest, target: Target, stream: boolean): UpstreamRequest {
  // A plain copy, key by key: spreading the request and then adding keys makes V8 build a new
  // hidden class per request, several times slower on this hot path.
  const body: Record<string, unknown> = { model: target.model.id };
  for (const key in req) if (!NOT_FORWARDED.has(key)) body[key] = req[key];
  if (stream) {
    body.stream = true;
    // Always ask for usage so every stream ends with it; the gateway strips it if the client did not ask.
    body.stream_options = Object.assign({}, req.stream_options, { include_usage: true });
  }
  return {
    method: 'POST',
    url: endpoint(target.provider, target, 'chat/completions'),
    headers: requestHeaders(target.provider, stream ? SSE_HEADERS : JSON_HEADERS),
    body: JSON.stringify(body),
  };
}

/**
 * OpenAI-compatible hosts report usage in slightly different places; bring it into OpenAI's shape.
 * Groq: `x_groq.usage`; DeepSeek: `prompt_cache_hit_tokens`.
 */
function normaliseUsage(obj: Record<string, unknown>): { usage: Usage | undefined; changed: boolean } {
  let usage = obj.usage as (Usage & Record<string, unknown>) | null | undefined;
  let changed = false;
  if (!usage) {
    const groq = obj.x_groq as { usage?: Usage } | undefined;
    usage = groq?.usage as (Usage & Record<string, unknown>) | undefined;
    changed = usage !== undefined;
  }
  if (!usage || typeof usage !== 'object') return { usage: undefined, changed: false };
  const hit = usage.prompt_cache_hit_tokens;
  if (typeof hit === 'number' && usage.prompt_tokens_details?.cached_tokens === undefined) {
    usage.prompt_tokens_details = { ...(usage.prompt_tokens_details ?? {}), cached_tokens: hit };
    changed = true;
  }
  return { usage, changed };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Answers that are the upstream's own JSON unchanged: their bytes may be forwarded as they are. */
const verbatim = new WeakSet<object>();

function parseChatResponse(body: unknown, ctx: DecodeContext): ChatResponse {
  if (!isObject(body) || !Array.isArray(body.choices)) {
    throw new Error('upstream response is not a chat completion: no choices array');
  }
  const res = body as unknown as ChatResponse;
  let changed = false;
  if (typeof res.model !== 'string' || res.model === '') {
    res.model = ctx.target.model.id;
    changed = true;
  }
  if (typeof res.id !== 'string') {
    res.id = ctx.requestId;
    changed = true;
  }
  const usage = normaliseUsage(body);
  if (usage.usage) res.usage = usage.usage;
  if (!changed && !usage.changed) verbatim.add(res);
  return res;
}

class OpenAIStreamDecoder implements StreamDecoder {
  constructor(private readonly ctx: DecodeContext) {}

  decode(ev: StreamEvent): StreamItem[] {
    const data = ev.data;
    if (data === '[DONE]') {
      return [{ kind: 'done' }];
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch (err) {
      return [{ kind: 'malformed', raw: data.slice(0, 200), error: (err as Error).message }];
    }
    if (!isObject(parsed)) return [{ kind: 'malformed', raw: data.slice(0, 200), error: 'chunk is not an object' }];
    if (parsed.error !== undefined) {
      return [{ kind: 'error', failure: inBandFailure(parsed) }];
    }
    if (!Array.isArray(parsed.choices)) {
      return [{ kind: 'malformed', raw: data.slice(0, 200), error: 'chunk has no choices array' }];
    }
    const chunk = parsed as unknown as ChatChunk;
    let unchanged = true;
    if (typeof chunk.model !== 'string' || chunk.model === '') {
      chunk.model = this.ctx.target.model.id;
      unchanged = false;
    }
    const { usage, changed } = normaliseUsage(parsed);
    if (changed) {
      chunk.usage = usage;
      unchanged = false;
    }
    return [unchanged ? { kind: 'chunk', chunk, raw: data } : { kind: 'chunk', chunk }];
  }

  end(): StreamItem[] {
    return [];
  }
}

function inBandFailure(body: Record<string, unknown>): Failure {
  const f = classifyHttpFailure(500, body, {}, 'stream');
  // An in-band error has no status of its own; let its code decide where it can.
  const code = f.upstreamCode ?? '';
  if (/rate_limit/i.test(code)) return failure('rate_limited', f.message, { upstreamCode: code, phase: 'stream' });
  if (/overload/i.test(code)) return failure('overloaded', f.message, { upstreamCode: code, phase: 'stream' });
  delete f.status;
  return f;
}

function classifyError(status: number, body: unknown, headers: UpstreamHeaders): Failure {
  const f = classifyHttpFailure(status, body, headers);
  // Quota exhaustion is a 429 that waiting will not fix: move on instead of retrying.
  if (status === 429 && (f.upstreamCode === 'insufficient_quota' || /quota/i.test(f.message))) {
    return { ...f, disposition: 'fallback' };
  }
  return f;
}

function buildEmbeddingsRequest(req: EmbeddingsRequest, target: Target): UpstreamRequest {
  return {
    method: 'POST',
    url: endpoint(target.provider, target, 'embeddings'),
    headers: requestHeaders(target.provider, JSON_HEADERS),
    body: JSON.stringify({ ...req, model: target.model.id, fallbacks: undefined }),
  };
}

function parseEmbeddingsResponse(body: unknown, _req: EmbeddingsRequest, target: Target): EmbeddingsResponse {
  if (!isObject(body) || !Array.isArray(body.data)) throw new Error('upstream response is not an embeddings list: no data array');
  const res = body as unknown as EmbeddingsResponse;
  if (typeof res.model !== 'string') res.model = target.model.id;
  return res;
}

export const openaiAdapter: ProviderAdapter = {
  format: 'openai',
  framing: 'sse',
  buildChatRequest,
  parseChatResponse,
  verbatim: (res) => verbatim.has(res),
  streamDecoder: (ctx) => new OpenAIStreamDecoder(ctx),
  classifyError,
  buildEmbeddingsRequest,
  parseEmbeddingsResponse,
};
