import type { WireFormat } from '../config/types.js';
import { anthropicAdapter } from './anthropic/index.js';
import { bedrockAdapter } from './bedrock/index.js';
import { geminiAdapter } from './gemini/index.js';
import { openaiAdapter } from './openai/adapter.js';
import type { ProviderAdapter } from './types.js';

/** The one switch from wire format to translator. Providers differ by config, never by code here. */
const ADAPTERS: Readonly<Record<WireFormat, ProviderAdapter>> = {
  openai: openaiAdapter,
  azure: openaiAdapter,
  anthropic: anthropicAdapter,
  gemini: geminiAdapter,
  bedrock: bedrockAdapter,
};

export function adapterFor(format: WireFormat): ProviderAdapter {
  return ADAPTERS[format];
}

/** The wire formats whose adapter can carry an operation beyond chat. */
export function formatsWith(operation: 'embeddings'): ReadonlySet<WireFormat> {
  const out = new Set<WireFormat>();
  for (const [format, adapter] of Object.entries(ADAPTERS) as [WireFormat, ProviderAdapter][]) {
    if (operation === 'embeddings' && adapter.buildEmbeddingsRequest !== undefined) out.add(format);
  }
  return out;
}
