import { describeTarget, type HedgeConfig, type Target } from '../config/types.js';
import type { RouteDecision } from '../routing/planner.js';
import type { AttemptRecord } from './attempts.js';
import type { Headers } from './context.js';

export const ROUTE_HEADER = 'x-switchyard-route';
export const AFFINITY_HEADER = 'x-switchyard-affinity';

/** Hedging for one request: the route whose hedge budget it spends, and how it hedges. */
export interface HedgeSpec {
  readonly route: string;
  readonly config: HedgeConfig;
}

/**
 * What the executor does for one request, decided once by the plan stage and only read after:
 * the candidates in order, the attempt budget, the deadline, hedging, and the session decision.
 */
export interface RoutePlan {
  /** The routing engine's decision, for headers, explain and record. */
  readonly decision: RouteDecision;
  readonly targets: readonly Target[];
  /** Attempts over every target, retries and hedges included. */
  readonly maxAttempts: number;
  /** When the answer must be complete, on the runtime's clock: the request's deadline or the class's, whichever is sooner. */
  readonly deadlineAt: number;
  /** Absent when the route does not hedge or the client said the request is not idempotent. */
  readonly hedge: HedgeSpec | undefined;
  readonly idempotent: boolean;
  /** `x-switchyard-route` before the answering target is known. */
  readonly routeHeader: string;
}

export function makePlan(decision: RouteDecision, opts: { startedAt: number; deadlineAt: number; idempotent: boolean }): RoutePlan {
  const classDeadline = decision.deadlineMs === undefined ? Number.POSITIVE_INFINITY : opts.startedAt + decision.deadlineMs;
  return {
    decision,
    targets: decision.candidates.map((c) => c.target),
    maxAttempts: decision.maxAttempts,
    deadlineAt: Math.min(opts.deadlineAt, classDeadline),
    // A client that marks the request non-idempotent (tool side effects, say) must not get it twice.
    hedge: decision.hedge && opts.idempotent ? { route: decision.route, config: decision.hedge } : undefined,
    idempotent: opts.idempotent,
    routeHeader: `route=${decision.route}; class=${decision.class.name}; strategy=${decision.strategy}; why="${headerText(decision.why)}"`,
  };
}

/** Routing's reasons repeat (one per route and rule); each is made header-safe once. */
const HEADER_TEXT = new Map<string, string>();
const HEADER_TEXT_MAX = 4096;

/** Header values are ASCII: anything else in a reason is replaced, and quotes are dropped. */
function headerText(s: string): string {
  let t = HEADER_TEXT.get(s);
  if (t === undefined) {
    t = s
      .replace(/→/g, '->')
      .replace(/[^\x20-\x7e]/g, '?')
      .replace(/"/g, "'");
    if (HEADER_TEXT.size >= HEADER_TEXT_MAX) HEADER_TEXT.clear();
    HEADER_TEXT.set(s, t);
  }
  return t;
}

/**
 * The headers of an answer from `target`: which target answered and how (attempts, fallbacks), the
 * route, and the session's affinity. `all` may hold the answering attempt's own `ok` record or not
 * (a stream opens before it exists); the others failed, were retried, or were hedges that lost.
 */
export function answerHeaders(base: Headers, plan: RoutePlan, target: Target, all: readonly AttemptRecord[]): Headers {
  const key = describeTarget(target);
  // Object.assign, not a spread: adding keys to a spread copy makes V8 build a new hidden class per call.
  const h: Headers = Object.assign({}, base);
  const others = all.filter((a) => a.outcome !== 'ok');
  h['x-switchyard-provider'] = target.provider.name;
  h['x-switchyard-model'] = target.model.id;
  h['x-switchyard-attempts'] = String(others.length + 1);
  if (others.length > 0) h['x-switchyard-fallback'] = `${others.map((a) => `${a.target}:${a.outcome}`).join(',')} -> ${key}`;
  h[ROUTE_HEADER] = `${plan.routeHeader}; target=${key}`;
  const affinity = affinityOutcome(plan, key);
  if (affinity !== undefined) h[AFFINITY_HEADER] = affinity;
  if (target.provider.sandbox) h['x-switchyard-sandbox'] = 'true';
  return h;
}

/** Whether the session stayed, started or moved, given the target that answered. */
function affinityOutcome(plan: RoutePlan, answered: string): string | undefined {
  const s = plan.decision.session;
  if (!s) return undefined;
  if (s.outcome === 'new') return 'new';
  // `kept` put the pinned target first; if another answered, the session moved after all.
  const pinned = s.from ?? plan.decision.candidates[0]!.key;
  return s.outcome === 'kept' && answered === pinned ? 'kept' : `moved; from=${pinned}`;
}
