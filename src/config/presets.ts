import type { WireFormat } from './types.js';

/**
 * Known hosts as data: an OpenAI-compatible vendor is a base URL and a key variable, never code.
 * `${VAR:-fallback}` in a base URL lets the usual SDK variables (OPENAI_BASE_URL, ...) override it.
 */
export const PRESET_NAMES = [
  'openai',
  'azure',
  'anthropic',
  'gemini',
  'bedrock',
  'groq',
  'together',
  'deepseek',
  'mistral',
  'fireworks',
  'openrouter',
  'xai',
  'perplexity',
  'vllm',
  'ollama',
  'lmstudio',
] as const;

export type PresetName = (typeof PRESET_NAMES)[number];

export interface Preset {
  format: WireFormat;
  /** Absent for bedrock, whose URL is derived from the signing region. */
  baseUrl?: string;
  /** Variables that may hold the key, first set wins. Empty: the host takes no key. */
  apiKeyEnv: readonly string[];
  /** When none of `apiKeyEnv` is set the provider sends no credentials instead of failing. */
  apiKeyOptional?: boolean;
  apiVersion?: string;
  /** Shown in docs and `switchyard check`. */
  label: string;
}

export const PRESETS: Readonly<Record<PresetName, Preset>> = {
  openai: { label: 'OpenAI', format: 'openai', baseUrl: '${OPENAI_BASE_URL:-https://api.openai.com/v1}', apiKeyEnv: ['OPENAI_API_KEY'] },
  azure: {
    label: 'Azure OpenAI',
    format: 'azure',
    baseUrl: '${AZURE_OPENAI_ENDPOINT}',
    apiKeyEnv: ['AZURE_OPENAI_API_KEY'],
    apiVersion: '${OPENAI_API_VERSION:-2024-10-21}',
  },
  anthropic: { label: 'Anthropic', format: 'anthropic', baseUrl: '${ANTHROPIC_BASE_URL:-https://api.anthropic.com}', apiKeyEnv: ['ANTHROPIC_API_KEY'] },
  gemini: { label: 'Google Gemini', format: 'gemini', baseUrl: 'https://generativelanguage.googleapis.com', apiKeyEnv: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'] },
  bedrock: { label: 'AWS Bedrock', format: 'bedrock', apiKeyEnv: [] },
  groq: { label: 'Groq', format: 'openai', baseUrl: 'https://api.groq.com/openai/v1', apiKeyEnv: ['GROQ_API_KEY'] },
  together: { label: 'Together AI', format: 'openai', baseUrl: 'https://api.together.xyz/v1', apiKeyEnv: ['TOGETHER_API_KEY'] },
  deepseek: { label: 'DeepSeek', format: 'openai', baseUrl: 'https://api.deepseek.com/v1', apiKeyEnv: ['DEEPSEEK_API_KEY'] },
  mistral: { label: 'Mistral', format: 'openai', baseUrl: 'https://api.mistral.ai/v1', apiKeyEnv: ['MISTRAL_API_KEY'] },
  fireworks: { label: 'Fireworks AI', format: 'openai', baseUrl: 'https://api.fireworks.ai/inference/v1', apiKeyEnv: ['FIREWORKS_API_KEY'] },
  openrouter: { label: 'OpenRouter', format: 'openai', baseUrl: 'https://openrouter.ai/api/v1', apiKeyEnv: ['OPENROUTER_API_KEY'] },
  xai: { label: 'xAI', format: 'openai', baseUrl: 'https://api.x.ai/v1', apiKeyEnv: ['XAI_API_KEY'] },
  perplexity: { label: 'Perplexity', format: 'openai', baseUrl: 'https://api.perplexity.ai', apiKeyEnv: ['PERPLEXITY_API_KEY'] },
  vllm: { label: 'vLLM', format: 'openai', baseUrl: 'http://127.0.0.1:8000/v1', apiKeyEnv: ['VLLM_API_KEY'], apiKeyOptional: true },
  ollama: { label: 'Ollama', format: 'openai', baseUrl: 'http://127.0.0.1:11434/v1', apiKeyEnv: [] },
  lmstudio: { label: 'LM Studio', format: 'openai', baseUrl: 'http://127.0.0.1:1234/v1', apiKeyEnv: [] },
};

/** Presets for OpenAI-compatible hosts that take a key: the embedded default creates one per key variable set. */
export const KEYED_COMPATIBLE_PRESETS: readonly PresetName[] = PRESET_NAMES.filter((name) => {
  const preset = PRESETS[name];
  return preset.format === 'openai' && name !== 'openai' && preset.apiKeyEnv.length > 0;
});

export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}

/** Bedrock has no fixed host: the runtime endpoint is per region. */
export function bedrockBaseUrl(region: string): string {
  return `https://bedrock-runtime.${region}.amazonaws.com`;
}

export const DEFAULT_BEDROCK_REGION = 'us-east-1';

/** Header carrying the key when auth is `header`, by wire format. */
export const AUTH_HEADER_BY_FORMAT: Readonly<Partial<Record<WireFormat, string>>> = {
  azure: 'api-key',
  anthropic: 'x-api-key',
  gemini: 'x-goog-api-key',
};
