/**
 * The second half of planning: tier by tier, the targets that pass the hard filters, ordered by the
 * route's strategy and then by the class's latency budget. Tiers stay in order; a target listed in
 * more than one tier is planned once, where it first appears.
 */
import type { StrategyName } from '../config/strategy-options.js';
import { describeTarget, type PublicModel } from '../config/types.js';
import type { RequestFacts } from './planner-facts.js';
import { estimateCost, exclusion, type FilterInput } from './planner-filter.js';
import type { Candidate, Exclusion, RoutingView, TierList } from './planner-types.js';
import { type Ranked, rank, type TargetStats } from './strategies.js';

/** How every tier of one plan is filtered and ranked. */
export interface TierRanking {
  view: RoutingView;
  route: string;
  pub: PublicModel | undefined;
  strategy: StrategyName;
  filter: FilterInput;
  facts: RequestFacts;
  /** Estimate each target's cost (a cost ceiling or a cost-ranking strategy reads it, explain shows it). */
  wantsCost: boolean;
  /** Count prompt tokens exactly for the cost: only a cost ceiling needs it (ranking compares proportions). */
  exactCost: boolean;
  /** Read live stats, and with them the (costlier) recent p95 latency. */
  wantsStats: boolean;
  wantsP95: boolean;
  latencyBudgetMs: number | undefined;
}

export interface TiersPlanned {
  candidates: Candidate[];
  excluded: Exclusion[];
  /** Why the first candidate of the first tier with any leads. */
  why: string;
}

/** The eligible targets of one tier, in declared order, with what ranking reads of each. */
interface Eligible {
  kept: Candidate[];
  keys: string[];
  weights: number[];
  stats: TargetStats[];
}

export function planTiers(tierLists: readonly TierList[], depth: number, r: TierRanking): TiersPlanned {
  const planned: TiersPlanned = { candidates: [], excluded: [], why: '' };
  const seen = new Set<string>();
  for (let tier = 0; tier <= depth && tier < tierLists.length; tier++) {
    const eligible = eligibleOf(tierLists[tier]!, tier, r, seen, planned.excluded);
    if (eligible.kept.length === 0) continue;
    const ranked = eligible.kept.length === 1 ? undefined : rankTier(eligible, tier, r);
    if (planned.candidates.length === 0) planned.why = whyFirst(ranked, eligible, r.strategy);
    planned.candidates.push(...ordered(eligible, ranked, r.latencyBudgetMs));
  }
  return planned;
}

/** The targets of a tier not planned yet that pass the hard filters; the others are recorded as excluded. */
function eligibleOf(list: TierList, tier: number, r: TierRanking, seen: Set<string>, excluded: Exclusion[]): Eligible {
  const out: Eligible = { kept: [], keys: [], weights: [], stats: [] };
  for (let i = 0; i < list.targets.length; i++) {
    const target = list.targets[i]!;
    const key = describeTarget(target);
    if (seen.has(key)) continue;
    seen.add(key);
    const cost = r.wantsCost ? estimateCost(target, r.filter.maxOut, r.facts, r.exactCost) : undefined;
    const reason = exclusion(target, r.filter, cost);
    if (reason) {
      excluded.push({ target: key, tier, ...reason });
      continue;
    }
    const st: TargetStats = r.wantsStats ? r.view.stats(target, r.wantsP95) : { inFlight: 0, requests: 0, failures: 0 };
    if (cost !== undefined) st.costUsd = cost;
    out.keys.push(key);
    out.weights.push(list.weights?.[i] ?? 1);
    out.stats.push(st);
    const c: Candidate = { target, key, tier, available: r.view.unavailableUntil(target) === undefined };
    if (cost !== undefined) c.costUsd = cost;
    out.kept.push(c);
  }
  return out;
}

function rankTier(e: Eligible, tier: number, r: TierRanking): Ranked {
  const { keys, weights, stats } = e;
  return rank(r.strategy, { keys, weights, stats, rng: r.view.rng, turn: r.view.turn(r.route, tier), options: r.pub?.strategyOptions ?? {} });
}

/** The tier in rank order, each candidate with its score; then, under a latency budget, those that fit it first. */
function ordered(e: Eligible, ranked: Ranked | undefined, latencyBudgetMs: number | undefined): Candidate[] {
  let out = e.kept;
  if (ranked) {
    out = [];
    for (const j of ranked.order) {
      const c = e.kept[j]!;
      const score = ranked.scores[j];
      if (score !== undefined) c.score = score;
      out.push(c);
    }
  }
  return latencyBudgetMs === undefined ? out : fitsBudgetFirst(out, e, latencyBudgetMs);
}

/** Stable: targets whose recent p95 fits the budget (or is unknown) first, each group in rank order. */
function fitsBudgetFirst(candidates: Candidate[], e: Eligible, budget: number): Candidate[] {
  const fits = (c: Candidate): boolean => {
    const p95 = e.stats[e.keys.indexOf(c.key)]?.p95Ms;
    return p95 === undefined || p95 <= budget;
  };
  return [...candidates.filter(fits), ...candidates.filter((c) => !fits(c))];
}

function whyFirst(ranked: Ranked | undefined, e: Eligible, strategy: StrategyName): string {
  if (ranked) return ranked.why;
  return e.kept.length === 1 ? 'only eligible target of its tier' : strategy;
}
