import type { CompileContext } from './context.js';
import type { PathSegment } from './errors.js';
import { frozenMap, frozenSet } from './freeze.js';
import type { RawModel } from './schema.js';
import { DEFAULT_CAPABILITIES } from './targets.js';
import type { ModelInfo, Pricing, WireFormat } from './types.js';

interface ProviderFacts {
  format: WireFormat;
  region: string | undefined;
  compliance: readonly string[];
}

function pricing(raw: RawModel, path: readonly PathSegment[], ctx: CompileContext): Pricing | undefined {
  const { input_price: input, output_price: output, cached_input_price: cached } = raw;
  if (input === undefined && output === undefined && cached === undefined) return undefined;
  if (input === undefined || output === undefined) {
    // Half a price would make spend tracking silently undercount; ask for both.
    ctx.error(path, 'input_price and output_price must be given together (USD per 1M tokens); cached_input_price needs both');
    return undefined;
  }
  const p: Pricing = { input, output };
  if (cached !== undefined) p.cachedInput = cached;
  return Object.freeze(p);
}

export function compileModel(id: string, raw: RawModel | null, path: readonly PathSegment[], facts: ProviderFacts, ctx: CompileContext): ModelInfo {
  const m: RawModel = raw ?? {};
  if (m.deployment !== undefined && facts.format !== 'azure') {
    ctx.error([...path, 'deployment'], `is only used by format azure (this provider's format is ${facts.format})`);
  }
  if (m.context_window !== undefined && m.max_output_tokens !== undefined && m.max_output_tokens > m.context_window) {
    ctx.error([...path, 'max_output_tokens'], `must not exceed context_window (${m.context_window})`);
  }
  const info: ModelInfo = {
    id,
    capabilities: frozenSet(m.capabilities ?? DEFAULT_CAPABILITIES),
    compliance: Object.freeze([...new Set([...facts.compliance, ...(m.compliance ?? [])])]),
  };
  if (m.deployment !== undefined) info.deployment = m.deployment;
  if (m.context_window !== undefined) info.contextWindow = m.context_window;
  if (m.max_output_tokens !== undefined) info.maxOutputTokens = m.max_output_tokens;
  const price = pricing(m, path, ctx);
  if (price) info.pricing = price;
  if (m.quality !== undefined) info.quality = m.quality;
  const region = m.region ?? facts.region;
  if (region !== undefined) info.region = region;
  return Object.freeze(info);
}

export function compileModels(
  raw: Readonly<Record<string, RawModel | null>> | undefined,
  providerPath: readonly PathSegment[],
  facts: ProviderFacts,
  ctx: CompileContext,
): ReadonlyMap<string, ModelInfo> {
  const entries = Object.entries(raw ?? {}).map(([id, m]) => [id, compileModel(id, m, [...providerPath, 'models', id], facts, ctx)] as const);
  return frozenMap(entries);
}
