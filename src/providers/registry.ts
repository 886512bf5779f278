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
