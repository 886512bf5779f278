import { validateChatRequest } from '../../api/validate.js';
import type { RouteDecision } from '../../routing/planner.js';
import { bodyLimits, parseJson, readBody } from '../body.js';
import { sendJson } from '../respond.js';
import type { RequestScope } from '../server.js';
import { idempotentHeader, routeInput } from './chat.js';

/**
 * POST /v1/route/explain: the plan a chat request would get, without calling any provider and
 * without advancing routing state (docs/routing.md#explain).
 */
export async function handleExplain(scope: RequestScope): Promise<void> {
  const request = validateChatRequest(parseJson(await readBody(scope.req, bodyLimits(scope))));
  const decision = scope.router.plan(routeInput(scope.req, request), { explain: true });
  sendJson(scope.res, 200, explainJson(scope, decision), scope.headers);
}

export function explainJson(scope: RequestScope, d: RouteDecision): unknown {
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
    max_fallback_depth: c.maxFallbackDepth ?? scope.config.resilience.maxFallbackDepth,
    deadline_ms: Math.min(d.deadlineMs ?? Infinity, Math.round(scope.exec.deadlineAt - scope.exec.now())),
    hedge: d.hedge
      ? {
          ...(d.hedge.delayMs !== undefined ? { delay_ms: d.hedge.delayMs } : {}),
          ...(d.hedge.adaptive ? { adaptive: { quantile: d.hedge.adaptive.quantile, min_ms: d.hedge.adaptive.minMs, max_ms: d.hedge.adaptive.maxMs } } : {}),
          max_hedges: d.hedge.maxHedges,
          budget_ratio: d.hedge.budgetRatio,
          idempotent: idempotentHeader(scope.req),
        }
      : null,
    prompt_tokens: d.promptTokens ?? null,
    session: d.session ?? null,
    why: d.why,
  };
}
