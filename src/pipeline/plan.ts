import { resolveTargetRef } from '../config/targets.js';
import { describeTarget, type GatewayConfig, type HedgeConfig, type Target } from '../config/types.js';
import { invalid } from '../errors.js';
import { unknownModel } from '../routing/planner.js';

export interface RoutePlan {
  /** Candidates in the order the executor tries them. */
  targets: Target[];
  /** The tier of each candidate (0 = primary), parallel to `targets`. */
  tiers: number[];
  hedge?: HedgeConfig;
  /** Tiers left out because they lie deeper than `resilience.max_fallback_depth`. */
  droppedTiers: number;
}

/**
 * The ordered candidates for one request: the public model's tiers (or the single `provider/model`
 * the client named), then one tier per entry of the request's own `fallbacks`, cut at the fallback
 * depth. A target already planned keeps its first place. A public model may hedge; a direct
 * `provider/model` does not.
 */
export function resolveRoute(config: GatewayConfig, model: string, fallbacks?: readonly string[]): RoutePlan {
  const tierLists: (readonly Target[])[] = [];
  const pub = config.models.get(model);
  if (pub) for (const tier of pub.tiers) tierLists.push(tier.targets);
  else {
    const t = model.includes('/') ? resolveTargetRef(config, model) : undefined;
    if (!t) throw unknownModel(config, model);
    tierLists.push([t]);
  }
  fallbacks?.forEach((ref, i) => {
    const t = resolveTargetRef(config, ref);
    if (!t) {
      throw invalid(`fallbacks[${i}]`, `fallbacks[${i}] '${ref}' names no configured provider; providers: ${[...config.providers.keys()].join(', ')}`);
    }
    tierLists.push([t]);
  });

  const depth = config.resilience.maxFallbackDepth;
  const plan: RoutePlan = { targets: [], tiers: [], droppedTiers: Math.max(0, tierLists.length - 1 - depth), ...(pub?.hedge ? { hedge: pub.hedge } : {}) };
  const seen = new Set<string>();
  tierLists.slice(0, depth + 1).forEach((tier, index) => {
    for (const t of tier) {
      const key = describeTarget(t);
      if (seen.has(key)) continue;
      seen.add(key);
      plan.targets.push(t);
      plan.tiers.push(index);
    }
  });
  return plan;
}
