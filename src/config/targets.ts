import { frozenSet } from './freeze.js';
import { type Capability, describeTarget, type GatewayConfig, type ModelInfo, type ProviderConfig, type Target } from './types.js';

/**
 * `provider/model` references. Provider names never contain '/', so the first '/' splits the
 * reference and the model part keeps any further slashes (`openrouter/meta-llama/llama-3-70b`).
 */

/** What an undeclared model is assumed to support. Declaring a model makes its capabilities exact. */
export const DEFAULT_CAPABILITIES: readonly Capability[] = ['chat', 'streaming', 'tools', 'json', 'json_schema', 'vision'];

export interface TargetRef {
  provider: string;
  model: string;
}

export function parseTargetRef(ref: string): TargetRef | undefined {
  const slash = ref.indexOf('/');
  if (slash <= 0 || slash === ref.length - 1) return undefined;
  return { provider: ref.slice(0, slash), model: ref.slice(slash + 1) };
}

/** A model the config does not declare: default capabilities, and the provider's region and tags. */
export function undeclaredModel(provider: ProviderConfig, id: string): ModelInfo {
  const info: ModelInfo = {
    id,
    capabilities: frozenSet(DEFAULT_CAPABILITIES),
    compliance: provider.compliance,
  };
  if (provider.region !== undefined) info.region = provider.region;
  return Object.freeze(info);
}

export function targetFor(provider: ProviderConfig, modelId: string): Target {
  return Object.freeze({ provider, model: provider.models.get(modelId) ?? undeclaredModel(provider, modelId) });
}

/**
 * Resolves a client-supplied `provider/model` against the configured providers. Undefined when
 * the reference is malformed or names no configured provider.
 */
export function resolveTargetRef(config: Pick<GatewayConfig, 'providers'>, ref: string): Target | undefined {
  const parsed = parseTargetRef(ref);
  if (!parsed) return undefined;
  const provider = config.providers.get(parsed.provider);
  return provider ? targetFor(provider, parsed.model) : undefined;
}

/** The targets the config names: a public model's targets, and models declared under a provider. */
export function declaredTargets(config: Pick<GatewayConfig, 'providers' | 'models'>): ReadonlySet<string> {
  const out = new Set<string>();
  for (const model of config.models.values()) for (const t of model.targets) out.add(describeTarget(t));
  for (const provider of config.providers.values()) for (const model of provider.models.values()) out.add(describeTarget({ provider, model }));
  return out;
}
