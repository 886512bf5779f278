import type { ChatRequest } from '../../api/chat.js';
import type { ModelInfo, ProviderConfig, Target } from '../../config/types.js';
import type { DecodeContext } from '../types.js';

/** Shared by this folder's tests only. */
export function geminiTarget(modelId = 'gemini-2.5-flash', headers: Record<string, string> = {}): Target {
  const model: ModelInfo = { id: modelId, capabilities: new Set(['chat', 'tools', 'vision', 'streaming']), compliance: [] };
  const provider: ProviderConfig = {
    name: 'google',
    format: 'gemini',
    baseUrl: 'https://generativelanguage.googleapis.com',
    auth: { type: 'header', name: 'x-goog-api-key', key: 'unused-in-tests' },
    headers,
    timeouts: { connectMs: 1000, firstByteMs: 1000, idleMs: 1000, firstTokenMs: 1000 },
    compliance: [],
    models: new Map([[modelId, model]]),
    sandbox: false,
    maxConnections: 4,
    http2: false,
  };
  return { provider, model };
}

export function decodeContext(request: Partial<ChatRequest> = {}, requestId = 'req-0001'): DecodeContext {
  return {
    request: { model: 'gemini', messages: [], ...request },
    target: geminiTarget(),
    requestId,
    created: 1_700_000_000,
  };
}
