/**
 * The route planner: for one chat request, which targets to try and in what order, and why.
 * Pure: live state comes in through a RoutingView (plain reads of in-memory state), time and
 * randomness as values. The executor walks exactly the candidates returned here, and
 * POST /v1/route/explain returns this same decision without calling anyone.
 *
 * Order of work: classification (when anything reads it) → class → rules → route → tiers →
 * hard filters (capabilities, context window, compliance, quality floor, cost ceiling) → ranking
 * within each tier (the route's strategy) → latency budget → session affinity.
 *
 * planRoute reads in that order; the parts live in planner-select.ts (class, rules, auto),
 * planner-filter.ts (hard filters, cost estimates), planner-rank.ts (tiers: filter, rank, budget)
 * and planner-facts.ts (classification and token counts, worked out once and only when read).
 */
import type { StrategyName } from '../config/strategy-options.js';
import { resolveTargetRef } from '../config/targets.js';
import type { GatewayConfig, PublicModel } from '../config/types.js';
import { GatewayError, invalid } from '../core/errors.js';
import { RequestFacts } from './planner-facts.js';
import { dataClasses, type FilterInput, neededCapabilities, noEligibleTarget } from './planner-filter.js';
import { planTiers, type TierRanking, type TiersPlanned } from './planner-rank.js';
import { type Selection, selectRoute, sessionId } from './planner-select.js';
import type { RouteDecision, RouteInput, RoutingView, TierList } from './planner-types.js';

export { priceOf } from './planner-filter.js';
export { sessionId } from './planner-select.js';
export {
  type Candidate,
  CLASS_HEADER,
  DATA_CLASS_HEADER,
  DEFAULT_OUTPUT_ESTIMATE,
  type Exclusion,
  type ExclusionRule,
  type RouteDecision,
  type RouteInput,
  type RoutingView,
  SESSION_HEADER,
  type TierList,
} from './planner-types.js';

export function planRoute(config: GatewayConfig, input: RouteInput, view: RoutingView, opts: { explain?: boolean } = {}): RouteDecision {
  const explain = opts.explain === true;
  const facts = new RequestFacts(input.request);
  if (explain) facts.classified();
  const sel = selectRoute(config, input, facts);
  const pub = config.models.get(sel.route);
  const tierLists = tiersOf(config, sel, input);
  const depth = sel.cls.maxFallbackDepth ?? config.resilience.maxFallbackDepth;
  const planned = planTiers(tierLists, depth, tierRanking(input, view, facts, sel, pub, explain));
  if (planned.candidates.length === 0) throw noEligibleTarget(sel.route, planned.excluded);
  const session = pub?.affinity === 'none' ? undefined : affinity(input, view, planned);
  return decisionOf(config, input, sel, pub, planned, {
    strategy: strategyOf(sel, pub),
    droppedTiers: Math.max(0, tierLists.length - 1 - depth),
    facts,
    session,
  });
}

/** Tiers: the route's, the request's fallbacks (one tier each), then the class's degrade path. */
function tiersOf(config: GatewayConfig, sel: Selection, input: RouteInput): TierList[] {
  const tierLists = routeTiers(config, sel.route, input.request.fallbacks);
  const degradeTo = sel.cls.degradeTo;
  if (degradeTo !== undefined && degradeTo !== sel.route) tierLists.push(...config.models.get(degradeTo)!.tiers);
  return tierLists;
}

const strategyOf = (sel: Selection, pub: PublicModel | undefined): StrategyName => sel.strategy ?? pub?.strategy ?? 'priority';

/** What the filters and the strategy read, worked out once per plan; live stats only where something reads them. */
function tierRanking(input: RouteInput, view: RoutingView, facts: RequestFacts, sel: Selection, pub: PublicModel | undefined, explain: boolean): TierRanking {
  const { request } = input;
  const { cls } = sel;
  const embeddings = input.operation === 'embeddings';
  const filter: FilterInput = {
    needs: embeddings ? [] : neededCapabilities(request),
    formats: input.formats,
    operation: input.operation ?? 'chat',
    required: dataClasses(input),
    cls,
    maxOut: embeddings ? 0 : (request.max_completion_tokens ?? request.max_tokens ?? undefined),
    facts,
  };
  // Explain ranks as the request would be ranked (estimated costs, else it could show another
  // order) and reports the exact prompt token count besides.
  if (explain) facts.promptTokens();
  const strategy = strategyOf(sel, pub);
  // The common priority/weighted route reads no live stats.
  const wantsP95 = strategy === 'performance' || cls.latencyBudgetMs !== undefined || explain;
  return {
    view,
    route: sel.route,
    pub,
    strategy,
    filter,
    facts,
    wantsCost: cls.maxCostUsd !== undefined || strategy === 'cheapest' || strategy === 'adaptive' || explain,
    exactCost: cls.maxCostUsd !== undefined,
    wantsStats: wantsP95 || !(strategy === 'priority' || strategy === 'weighted' || strategy === 'round_robin'),
    wantsP95,
    latencyBudgetMs: cls.latencyBudgetMs,
  };
}

/** A session stays on the target that served it while that target is in rotation. */
function affinity(input: RouteInput, view: RoutingView, planned: TiersPlanned): RouteDecision['session'] {
  const sid = sessionId(input);
  if (sid === undefined) return undefined;
  const { candidates } = planned;
  const pinned = view.session(sid);
  if (pinned === undefined) return { id: sid, outcome: 'new' };
  const at = candidates.findIndex((c) => c.key === pinned);
  if (at < 0 || !candidates[at]!.available) return { id: sid, outcome: 'moved', from: pinned };
  if (at > 0) candidates.unshift(...candidates.splice(at, 1));
  planned.why = `session kept on ${pinned}`;
  return { id: sid, outcome: 'kept' };
}

function decisionOf(
  config: GatewayConfig,
  input: RouteInput,
  sel: Selection,
  pub: PublicModel | undefined,
  planned: TiersPlanned,
  more: { strategy: StrategyName; droppedTiers: number; facts: RequestFacts; session: RouteDecision['session'] },
): RouteDecision {
  const { cls } = sel;
  const decision: RouteDecision = {
    requested: input.request.model,
    route: sel.route,
    class: cls,
    classSource: sel.classSource,
    strategy: more.strategy,
    rules: sel.rules,
    candidates: planned.candidates,
    excluded: planned.excluded,
    droppedTiers: more.droppedTiers,
    maxAttempts: cls.maxAttempts ?? config.resilience.maxAttempts,
    why: [sel.autoWhy, planned.why].filter(Boolean).join('; '),
  };
  if (more.facts.classification) decision.classification = more.facts.classification;
  const hedge = cls.hedge ? (cls.hedgeConfig ?? pub?.hedge) : undefined;
  if (hedge) decision.hedge = hedge;
  if (cls.deadlineMs !== undefined) decision.deadlineMs = cls.deadlineMs;
  const promptTokens = more.facts.report();
  if (promptTokens) decision.promptTokens = promptTokens;
  if (more.session) decision.session = more.session;
  return decision;
}

/**
 * Whether planning will count tokens: a declared context window or a cost ceiling. The tokenizer
 * costs ~50 MB and a few hundred ms to load, so a gateway that never needs it never loads it.
 */
export function needsTokenizer(config: GatewayConfig): boolean {
  for (const p of config.providers.values()) for (const m of p.models.values()) if (m.contextWindow !== undefined) return true;
  for (const c of config.routing.classes.values()) if (c.maxCostUsd !== undefined) return true;
  return false;
}

/**
 * A route's tiers: a public model's, or the one target a `provider/model` names, then one tier per
 * entry of the request's `fallbacks`. Unknown names are client errors that say what exists.
 */
export function routeTiers(config: GatewayConfig, route: string, fallbacks?: readonly string[]): TierList[] {
  const tiers: TierList[] = [];
  const pub = config.models.get(route);
  if (pub) tiers.push(...pub.tiers);
  else {
    const t = route.includes('/') ? resolveTargetRef(config, route) : undefined;
    if (!t) throw unknownModel(config, route);
    tiers.push({ targets: [t] });
  }
  fallbacks?.forEach((ref, i) => {
    const t = resolveTargetRef(config, ref);
    if (!t) throw invalid(`fallbacks[${i}]`, `fallbacks[${i}] '${ref}' names no configured provider; providers: ${[...config.providers.keys()].join(', ')}`);
    tiers.push({ targets: [t] });
  });
  return tiers;
}

function unknownModel(config: GatewayConfig, model: string): GatewayError {
  const known = [...config.models.keys()];
  const providers = [...config.providers.keys()];
  const slash = model.indexOf('/');
  const hint =
    slash > 0
      ? `provider '${model.slice(0, slash)}' is not configured (providers: ${providers.join(', ') || 'none'})`
      : `known models: ${known.join(', ') || 'none'}; or address a provider directly as provider/model (providers: ${providers.join(', ')})`;
  return new GatewayError('model_not_found', `The model '${model}' does not exist: ${hint}`, { param: 'model' });
}
