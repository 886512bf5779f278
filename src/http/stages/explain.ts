import type { Stage } from '../../pipeline/compose.js';
import { need, type RequestContext } from '../../pipeline/context.js';
import type { RoutePlan } from '../../pipeline/plan.js';
import { sendJson } from '../respond.js';

/**
 * explain: POST /v1/route/explain answers with the plan a chat request would get, without calling
 * any provider and without advancing routing state (docs/routing.md#explain).
 */
export const explain: Stage<RequestContext> = function explain(ctx, next) {
  const plan = need(ctx.plan, 'plan');
  sendJson(ctx.res, 200, explainJson(ctx, plan), ctx.headers);
  return next();
};

function explainJson(ctx: RequestContext, plan: RoutePlan): unknown {
  const d = plan.decision;
  const c = d.class;
  return {
    requested: d.requested,
    route: d.route,
    class: {
      name: c.name,
      source: d.classSource,
      ...(c.qualityFloor !== undefined ? { quality_floor: c.qualityFloor } : {}),
      ...(c.maxCostUsd !== undefined ? { max_cost_usd: c.maxCostUsd } : {}),
      ...(c.latencyBudgetMs !== undefined ? { latency_budget_ms: c.latencyBudgetMs } : {}),
      ...(c.degradeTo !== undefined ? { degrade_to: c.degradeTo } : {}),
      hedge: c.hedge,
    },
    strategy: d.strategy,
    classification: d.classification ?? null,
    rules: d.rules,
    excluded: d.excluded,
    candidates: d.candidates.map((x) => ({
      target: x.key,
      tier: x.tier,
      score: x.score ?? null,
      available: x.available,
      estimated_cost_usd: x.costUsd ?? null,
      quality: x.target.model.quality ?? null,
      context_window: x.target.model.contextWindow ?? null,
      timeouts_ms: {
        connect: x.target.provider.timeouts.connectMs,
        first_byte: x.target.provider.timeouts.firstByteMs,
        first_token: x.target.provider.timeouts.firstTokenMs,
        idle: x.target.provider.timeouts.idleMs,
      },
    })),
    dropped_tiers: d.droppedTiers,
    max_attempts: d.maxAttempts,
    max_fallback_depth: c.maxFallbackDepth ?? ctx.rt.config.resilience.maxFallbackDepth,
    deadline_ms: Math.round(plan.deadlineAt - ctx.rt.now()),
    hedge: d.hedge
      ? {
          ...(d.hedge.delayMs !== undefined ? { delay_ms: d.hedge.delayMs } : {}),
          ...(d.hedge.adaptive ? { adaptive: { quantile: d.hedge.adaptive.quantile, min_ms: d.hedge.adaptive.minMs, max_ms: d.hedge.adaptive.maxMs } } : {}),
          max_hedges: d.hedge.maxHedges,
          budget_ratio: d.hedge.budgetRatio,
          idempotent: plan.idempotent,
        }
      : null,
    prompt_tokens: d.promptTokens ?? null,
    session: d.session ?? null,
    why: d.why,
  };
}
