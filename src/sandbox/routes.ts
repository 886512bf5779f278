import type { ChatTarget } from './chat.js';
import type { EmbedTarget } from './embed.js';
import { anthropicFormat } from './formats/anthropic.js';
import type { ChatFormat } from './formats/format.js';
import { geminiFormat } from './formats/gemini.js';
import { openaiFormat } from './formats/openai.js';
import type { SandboxAttempt } from './types.js';

export type Route =
  | { endpoint: 'chat'; format: ChatFormat; chat: ChatTarget }
  | { endpoint: 'embeddings'; format: ChatFormat; embed: EmbedTarget }
  | { endpoint: 'models'; format: ChatFormat }
  | { endpoint: 'unknown'; format: ChatFormat; reason: string };

export type RouteEndpoint = SandboxAttempt['endpoint'];

const GEMINI_METHOD = /^\/gemini\/(?:v1|v1beta|v1alpha)\/models\/([^/]+?):([A-Za-z]+)$/;
const GEMINI_MODELS = /^\/gemini\/(?:v1|v1beta|v1alpha)\/models\/?$/;

function unknown(format: ChatFormat, method: string, path: string): Route {
  return { endpoint: 'unknown', format, reason: `Unknown request URL: ${method} ${path}` };
}

function geminiRoute(method: string, path: string, url: URL): Route {
  if (method === 'GET' && GEMINI_MODELS.test(path)) return { endpoint: 'models', format: geminiFormat };
  const m = GEMINI_METHOD.exec(path);
  if (method !== 'POST' || !m?.[1] || !m[2]) return unknown(geminiFormat, method, path);
  let model: string;
  try {
    model = decodeURIComponent(m[1]);
  } catch {
    return unknown(geminiFormat, method, path);
  }
  switch (m[2]) {
    case 'generateContent':
      return { endpoint: 'chat', format: geminiFormat, chat: { format: geminiFormat, model, stream: false } };
    case 'streamGenerateContent':
      // Without alt=sse Gemini streams one JSON array; Switchyard and the SDKs always ask for SSE.
      if (url.searchParams.get('alt') !== 'sse') {
        return { endpoint: 'unknown', format: geminiFormat, reason: 'The sandbox streams only with alt=sse.' };
      }
      return { endpoint: 'chat', format: geminiFormat, chat: { format: geminiFormat, model, stream: true } };
    case 'batchEmbedContents':
      return { endpoint: 'embeddings', format: geminiFormat, embed: { format: geminiFormat, kind: 'gemini-batch', model } };
    case 'embedContent':
      return { endpoint: 'embeddings', format: geminiFormat, embed: { format: geminiFormat, kind: 'gemini-single', model } };
    default:
      return unknown(geminiFormat, method, path);
  }
}

/** The provider route for a request, or null when the path belongs to no simulated provider. */
export function matchRoute(method: string, url: URL): Route | null {
  const path = url.pathname;
  if (path.startsWith('/openai/')) {
    if (method === 'POST' && path === '/openai/v1/chat/completions') return { endpoint: 'chat', format: openaiFormat, chat: { format: openaiFormat } };
    if (method === 'POST' && path === '/openai/v1/embeddings')
      return { endpoint: 'embeddings', format: openaiFormat, embed: { format: openaiFormat, kind: 'openai' } };
    if (method === 'GET' && path === '/openai/v1/models') return { endpoint: 'models', format: openaiFormat };
    return unknown(openaiFormat, method, path);
  }
  if (path.startsWith('/anthropic/')) {
    if (method === 'POST' && path === '/anthropic/v1/messages') return { endpoint: 'chat', format: anthropicFormat, chat: { format: anthropicFormat } };
    if (method === 'GET' && path === '/anthropic/v1/models') return { endpoint: 'models', format: anthropicFormat };
    return unknown(anthropicFormat, method, path);
  }
  if (path.startsWith('/gemini/')) return geminiRoute(method, path, url);
  return null;
}

/** Model listings in each provider's shape: the built-in scenarios plus the scenario file's models. */
export function modelList(format: ChatFormat, names: readonly string[]): unknown {
  const created = 1_700_000_000;
  switch (format.name) {
    case 'openai':
      return { object: 'list', data: names.map((id) => ({ id, object: 'model', created, owned_by: 'switchyard-sandbox' })) };
    case 'anthropic': {
      const data = names.map((id) => ({ type: 'model', id, display_name: `Sandbox ${id}`, created_at: '2024-01-01T00:00:00Z' }));
      return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null };
    }
    case 'gemini':
      return {
        models: names.map((id) => ({
          name: `models/${id}`,
          version: '001',
          displayName: `Sandbox ${id}`,
          inputTokenLimit: 1_048_576,
          outputTokenLimit: 65_536,
          supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'embedContent', 'batchEmbedContents'],
        })),
      };
  }
}
