import { describeTarget, type GatewayConfig, type Target } from '../config/types.js';
import { routeTiers } from '../routing/planner.js';

export interface RoutePlan {
  /** Candidates in the order the executor tries them. */
  targets: Target[];
  /** The tier of each candidate (0 = primary), parallel to `targets`. */
  tiers: number[];
  /** Tiers left out because they lie deeper than `resilience.max_fallback_depth`. */
  droppedTiers: number;
}

/**
 * The plain plan for requests the routing engine does not plan (embeddings): the route's tiers in
 * declared order, then the request's `fallbacks`, cut at the fallback depth. A target already
 * planned keeps its first place.
 */
export function resolveRoute(config: GatewayConfig, model: string, fallbacks?: readonly string[]): RoutePlan {
  const tierLists = routeTiers(config, model, fallbacks);
  const depth = config.resilience.maxFallbackDepth;
  const plan: RoutePlan = { targets: [], tiers: [], droppedTiers: Math.max(0, tierLists.length - 1 - depth) };
  const seen = new Set<string>();
  tierLists.slice(0, depth + 1).forEach((tier, index) => {
    for (const t of tier.targets) {
      const key = describeTarget(t);
      if (seen.has(key)) continue;
      seen.add(key);
      plan.targets.push(t);
      plan.tiers.push(index);
    }
  });
  return plan;
}
