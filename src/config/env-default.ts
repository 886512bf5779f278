import { type Env, lookup } from './env.js';
import { KEYED_COMPATIBLE_PRESETS, PRESETS, type PresetName } from './presets.js';

/**
 * The embedded default: with no config file, Switchyard builds its config from the standard SDK
 * environment variables, so `OPENAI_API_KEY=... switchyard serve` just works. With none set it
 * falls back to the built-in sandbox providers, so a newcomer's first request succeeds offline.
 * The result is the same YAML-shaped value a file would give, and goes through the same compile().
 */

type RawProviderEntry = Record<string, unknown>;

export interface EnvDefault {
  raw: {
    providers: Record<string, RawProviderEntry>;
    models: Record<string, { targets: string[] }>;
    routing?: { auto: { simple: string; medium: string; complex: string } };
  };
  /** True when no credentials were found and the config uses the sandbox providers. */
  sandbox: boolean;
}

/** Familiar public names per provider; any `provider/model` works without being listed here. */
const PUBLIC_MODELS: Partial<Record<PresetName, readonly (readonly [publicName: string, modelId: string])[]>> = {
  openai: [
    ['gpt-4o-mini', 'gpt-4o-mini'],
    ['gpt-4o', 'gpt-4o'],
    ['gpt-4.1-mini', 'gpt-4.1-mini'],
    ['gpt-4.1', 'gpt-4.1'],
  ],
  anthropic: [
    ['claude-sonnet-4-5', 'claude-sonnet-4-5'],
    ['claude-haiku-4-5', 'claude-haiku-4-5'],
  ],
  gemini: [
    ['gemini-2.5-flash', 'gemini-2.5-flash'],
    ['gemini-2.5-pro', 'gemini-2.5-pro'],
  ],
  // Claude 4.x on Bedrock is served through inference profiles; "global." exists in every commercial region.
  bedrock: [
    ['claude-sonnet-4-5', 'global.anthropic.claude-sonnet-4-5-20250929-v1:0'],
    ['claude-haiku-4-5', 'global.anthropic.claude-haiku-4-5-20251001-v1:0'],
  ],
  groq: [['llama-3.3-70b-versatile', 'llama-3.3-70b-versatile']],
  deepseek: [
    ['deepseek-chat', 'deepseek-chat'],
    ['deepseek-reasoner', 'deepseek-reasoner'],
  ],
  mistral: [
    ['mistral-large-latest', 'mistral-large-latest'],
    ['mistral-small-latest', 'mistral-small-latest'],
  ],
};

/**
 * What `model: auto` draws on per provider: a cheap fast model for simple work, a capable one for
 * the rest. The default config gathers them into the public models `fast` and `smart`.
 */
const AUTO_MODELS: Partial<Record<PresetName, { fast: string; smart: string }>> = {
  openai: { fast: 'gpt-4.1-mini', smart: 'gpt-4.1' },
  anthropic: { fast: 'claude-haiku-4-5', smart: 'claude-sonnet-4-5' },
  gemini: { fast: 'gemini-2.5-flash', smart: 'gemini-2.5-pro' },
  bedrock: { fast: 'global.anthropic.claude-haiku-4-5-20251001-v1:0', smart: 'global.anthropic.claude-sonnet-4-5-20250929-v1:0' },
  mistral: { fast: 'mistral-small-latest', smart: 'mistral-large-latest' },
  deepseek: { fast: 'deepseek-chat', smart: 'deepseek-reasoner' },
};

/** simple → fast; medium and complex → smart. */
const AUTO_ROUTING = { auto: { simple: 'fast', medium: 'smart', complex: 'smart' } };

const SANDBOX_DEFAULT: EnvDefault['raw'] = {
  providers: {
    'sandbox-openai': { sandbox: true, format: 'openai' },
    'sandbox-anthropic': { sandbox: true, format: 'anthropic' },
    'sandbox-gemini': { sandbox: true, format: 'gemini' },
  },
  models: {
    'sandbox-fast': { targets: ['sandbox-openai/ok', 'sandbox-anthropic/ok'] },
    fast: { targets: ['sandbox-openai/gpt-4.1-mini', 'sandbox-gemini/gemini-2.5-flash'] },
    smart: { targets: ['sandbox-anthropic/claude-sonnet-4-5', 'sandbox-openai/gpt-4.1'] },
    'gpt-4o-mini': { targets: ['sandbox-openai/gpt-4o-mini'] },
    'gpt-4o': { targets: ['sandbox-openai/gpt-4o'] },
    'claude-sonnet-4-5': { targets: ['sandbox-anthropic/claude-sonnet-4-5'] },
    'claude-haiku-4-5': { targets: ['sandbox-anthropic/claude-haiku-4-5'] },
    'gemini-2.5-flash': { targets: ['sandbox-gemini/gemini-2.5-flash'] },
  },
  routing: AUTO_ROUTING,
};

function hasAll(env: Env, names: readonly string[]): boolean {
  return names.every((n) => lookup(env, n) !== undefined);
}

/** Providers in the order their public models fall back: first-party APIs before clouds and hosts. */
function detectProviders(env: Env): [PresetName, RawProviderEntry][] {
  const found: [PresetName, RawProviderEntry][] = [];
  if (hasAll(env, ['OPENAI_API_KEY'])) found.push(['openai', { preset: 'openai' }]);
  if (hasAll(env, ['ANTHROPIC_API_KEY'])) found.push(['anthropic', { preset: 'anthropic' }]);
  if (PRESETS.gemini.apiKeyEnv.some((n) => lookup(env, n) !== undefined)) found.push(['gemini', { preset: 'gemini' }]);
  if (hasAll(env, ['AZURE_OPENAI_API_KEY', 'AZURE_OPENAI_ENDPOINT'])) {
    const deployment = lookup(env, 'AZURE_OPENAI_DEPLOYMENT');
    found.push(['azure', deployment ? { preset: 'azure', models: { [deployment]: null } } : { preset: 'azure' }]);
  }
  if (hasAll(env, ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'])) found.push(['bedrock', { preset: 'bedrock' }]);
  for (const name of KEYED_COMPATIBLE_PRESETS) {
    if (PRESETS[name].apiKeyEnv.some((n) => lookup(env, n) !== undefined)) found.push([name, { preset: name }]);
  }
  return found;
}

export function rawConfigFromEnv(env: Env): EnvDefault {
  const detected = detectProviders(env);
  if (detected.length === 0) return { raw: structuredClone(SANDBOX_DEFAULT), sandbox: true };
  const providers: Record<string, RawProviderEntry> = {};
  const models: Record<string, { targets: string[] }> = {};
  const addTarget = (publicName: string, ref: string): void => {
    models[publicName] ??= { targets: [] };
    models[publicName].targets.push(ref);
  };
  for (const [name, entry] of detected) {
    providers[name] = entry;
    for (const [publicName, modelId] of PUBLIC_MODELS[name] ?? []) addTarget(publicName, `${name}/${modelId}`);
  }
  for (const [name] of detected) {
    const auto = AUTO_MODELS[name];
    if (auto) {
      addTarget('fast', `${name}/${auto.fast}`);
      addTarget('smart', `${name}/${auto.smart}`);
    }
  }
  const deployment = lookup(env, 'AZURE_OPENAI_DEPLOYMENT');
  if (providers.azure && deployment) addTarget(deployment, `azure/${deployment}`);
  return { raw: { providers, models, ...(models.fast ? { routing: AUTO_ROUTING } : {}) }, sandbox: false };
}
