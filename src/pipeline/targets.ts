import { UNDECLARED_DEFAULTS } from '../config/defaults.js';
import { describeTarget, type ResilienceConfig, type Target } from '../config/types.js';
import { type BreakerSnapshot, type BreakerState, CircuitBreaker } from '../resilience/breaker.js';
import { HedgeBudget } from '../resilience/hedge.js';
import { LatencyEstimator } from '../resilience/latency.js';
import { InFlightLimiter } from '../resilience/limiter.js';
import { ejectionDuration, findOutliers, OutlierStats, type OutlierVerdict } from '../resilience/outlier.js';
import { RetryBudget } from '../resilience/retry-budget.js';

/**
 * Hedges a route may send back to back. Slow requests come in clusters (a provider's bad second):
 * a burst of 10 lets a cluster be hedged while budget_ratio still caps the long-run extra load.
 */
export const ROUTE_HEDGE_BURST = 10;

/** Weight of the newest latency in the EWMA: about the last ten answers matter. */
export const LATENCY_EWMA_ALPHA = 0.2;

export function updateEwma(st: TargetState, ms: number): void {
  st.latencyEwmaMs = st.latencyEwmaMs === undefined ? ms : st.latencyEwmaMs + LATENCY_EWMA_ALPHA * (ms - st.latencyEwmaMs);
}

/** What the gateway remembers about one target (provider + model) across requests. */
export interface TargetState {
  readonly key: string;
  /** The target as first seen, for active health probes. */
  readonly target: Target;
  readonly breaker: CircuitBreaker;
  readonly retryBudget: RetryBudget;
  /** The provider's per-target in-flight cap, when it has one. */
  readonly limiter: InFlightLimiter | undefined;
  /** Recent time to first token (streams) or to the answer (non-stream), for adaptive hedging. */
  readonly firstToken: LatencyEstimator;
  /** Monotonic ms until which the target stays out of rotation, from a Retry-After it sent. */
  coolOffUntil: number;
  /** Attempts in flight now (least_in_flight routing). */
  inFlight: number;
  /** EWMA of time to first token (or answer), ms; undefined until measured (least_latency routing). */
  latencyEwmaMs: number | undefined;
  /** Recent outcomes and latencies for passive outlier detection. */
  readonly outlier: OutlierStats;
  /** Monotonic ms until which outlier detection keeps the target out of rotation. */
  ejectedUntil: number;
  /** Ejections in a row: each lasts twice as long as the one before; reset once it is judged healthy. */
  ejections: number;
  /** The last ejection's reason, for the admin view. */
  ejection?: OutlierVerdict & { at: number };
}

export interface TargetSnapshot {
  target: string;
  in_flight?: { active: number; waiting: number; max: number };
  breaker: BreakerSnapshot;
  retry_budget: number;
  cooling_off_ms: number;
  ejected?: { reason: string; detail: string; remaining_ms: number };
}

export interface TargetStatesOptions {
  /** Targets the config names (`provider/model`): their state lives as long as the process. */
  declared?: ReadonlySet<string>;
  /** Public model names: each has a hedge budget of its own. */
  routes?: ReadonlySet<string>;
  /** Monotonic ms, for the idle time of undeclared targets. */
  clock?: () => number;
}

/**
 * Per-target runtime state, created on first use. Time is passed in (monotonic ms), so the
 * decisions made from it are as testable as the state machines themselves.
 *
 * Targets the config declares keep their state for good. Any other `provider/model` a client
 * names is held in a bounded LRU (`undeclared_targets.max`, forgotten after `idle_ms` unused):
 * clients choose those names, so their state must not grow with what clients send. A forgotten
 * target starts again closed and unmeasured.
 */
export class TargetStates {
  private readonly declaredStates = new Map<string, TargetState>();
  /** Undeclared targets, least recently used first (a Map iterates in insertion order). */
  private readonly undeclared = new Map<string, { st: TargetState; usedAt: number }>();
  private readonly byObject = new WeakMap<Target, TargetState>();
  private readonly hedgeBudgets = new Map<string, HedgeBudget>();
  private readonly declared: ReadonlySet<string>;
  private readonly routes: ReadonlySet<string> | undefined;
  private readonly clock: () => number;
  private readonly limits: ResilienceConfig['undeclaredTargets'];

  constructor(
    private readonly settings: ResilienceConfig,
    private readonly onTransition?: (target: string, from: BreakerState, to: BreakerState, now: number) => void,
    options: TargetStatesOptions = {},
  ) {
    this.declared = options.declared ?? new Set();
    this.routes = options.routes;
    this.clock = options.clock ?? (() => performance.now());
    this.limits = settings.undeclaredTargets ?? UNDECLARED_DEFAULTS;
  }

  get(target: Target): TargetState {
    // Configured targets are frozen objects that live as long as the config: look them up by
    // identity first. A `provider/model` a client named directly is a new object each request.
    const known = this.byObject.get(target);
    if (known && this.declaredStates.get(known.key) === known) return known;
    const key = known?.key ?? describeTarget(target);
    const st = this.declared.has(key) ? this.declaredState(key, target) : this.undeclaredState(key, target);
    this.byObject.set(target, st);
    return st;
  }

  /** The state of a target if it has one; planning reads state but never creates it. */
  peek(target: Target): TargetState | undefined {
    const key = this.byObject.get(target)?.key ?? describeTarget(target);
    return this.declaredStates.get(key) ?? this.undeclared.get(key)?.st;
  }

  private declaredState(key: string, target: Target): TargetState {
    let st = this.declaredStates.get(key);
    if (!st) {
      st = this.create(key, target);
      this.declaredStates.set(key, st);
    }
    return st;
  }

  private undeclaredState(key: string, target: Target): TargetState {
    const now = this.clock();
    const entry = this.undeclared.get(key);
    // Re-inserted on every use, so the first entry is always the least recently used.
    if (entry) this.undeclared.delete(key);
    const st = entry && now - entry.usedAt < this.limits.idleMs ? entry.st : this.create(key, target);
    this.undeclared.set(key, { st, usedAt: now });
    for (const [oldKey, old] of this.undeclared) {
      if (this.undeclared.size <= this.limits.max && now - old.usedAt < this.limits.idleMs) break;
      this.undeclared.delete(oldKey);
    }
    return st;
  }

  private create(key: string, target: Target): TargetState {
    const listener = this.onTransition;
    return {
      key,
      target,
      breaker: new CircuitBreaker(this.settings.breaker, listener ? (from, to, now) => listener(key, from, to, now) : undefined),
      retryBudget: new RetryBudget(this.settings.retryBudget),
      firstToken: new LatencyEstimator(),
      limiter: target.provider.concurrency ? new InFlightLimiter(target.provider.concurrency) : undefined,
      coolOffUntil: 0,
      inFlight: 0,
      latencyEwmaMs: undefined,
      outlier: new OutlierStats(this.settings.outlier),
      ejectedUntil: 0,
      ejections: 0,
    };
  }

  /** Every target with state: the declared ones, then the undeclared ones still remembered. */
  private all(): TargetState[] {
    const out = [...this.declaredStates.values()];
    for (const { st } of this.undeclared.values()) out.push(st);
    return out;
  }

  /** Targets whose breaker is open now: the ones worth probing. */
  open(now: number): TargetState[] {
    return this.all().filter((st) => st.breaker.state(now) === 'open');
  }

  /**
   * The hedge budget of one route: hedges stay within `ratio` of its requests. Routes that are
   * not public models (a `provider/model` named directly) share one budget per provider, so
   * client-chosen names cannot grow this map.
   */
  hedgeBudget(route: string, ratio: number): HedgeBudget {
    const key = this.routes === undefined || this.routes.has(route) ? route : `${route.slice(0, Math.max(0, route.indexOf('/')))}/*`;
    let b = this.hedgeBudgets.get(key);
    if (!b) {
      b = new HedgeBudget({ ratio, burst: ROUTE_HEDGE_BURST });
      this.hedgeBudgets.set(key, b);
    }
    return b;
  }

  /** Out of rotation now: cooling off after a Retry-After, ejected as an outlier, or its breaker is open. */
  unavailableUntil(st: TargetState, now: number): number | undefined {
    const open = st.breaker.state(now) === 'open' ? st.breaker.opensUntil(now) : undefined;
    const until = Math.max(st.coolOffUntil, st.ejectedUntil, open ?? 0);
    return until > now ? until : undefined;
  }

  /**
   * Judges live traffic (outlier.ts) and ejects the outliers. `peersOf` names the targets that
   * share a route with a target. Returns the ejections made, with how long each lasts.
   */
  sweepOutliers(now: number, rng: () => number, peersOf: (key: string) => readonly string[]): (OutlierVerdict & { durationMs: number })[] {
    const config = this.settings.outlier;
    if (!config.enabled) return [];
    const states = this.all();
    const candidates = states.map((st) => ({
      key: st.key,
      peers: peersOf(st.key),
      unavailable: this.unavailableUntil(st, now) !== undefined,
      ...st.outlier.view(now),
    }));
    const verdicts = findOutliers(candidates, config);
    const ejected = new Set(verdicts.map((v) => v.key));
    // A target judged on enough traffic and found fine starts its ejection ladder again.
    candidates.forEach((c, i) => {
      if (!c.unavailable && !ejected.has(c.key) && c.requests >= config.minRequests) states[i]!.ejections = 0;
    });
    const byKey = new Map(states.map((st) => [st.key, st]));
    return verdicts.map((v) => {
      const st = byKey.get(v.key)!;
      st.ejections++;
      const durationMs = ejectionDuration(st.ejections, config, rng);
      st.ejectedUntil = now + durationMs;
      st.ejection = { ...v, at: now };
      st.outlier.reset();
      return { ...v, durationMs };
    });
  }

  snapshot(now: number): TargetSnapshot[] {
    return this.all().map((st) => ({
      target: st.key,
      breaker: st.breaker.snapshot(now),
      retry_budget: Math.round(st.retryBudget.balance(now) * 100) / 100,
      cooling_off_ms: Math.max(0, Math.round(st.coolOffUntil - now)),
      ...(st.ejectedUntil > now && st.ejection
        ? { ejected: { reason: st.ejection.reason, detail: st.ejection.detail, remaining_ms: Math.round(st.ejectedUntil - now) } }
        : {}),
      ...(st.limiter ? { in_flight: { active: st.limiter.active, waiting: st.limiter.waiting, max: st.limiter.options.maxInFlight } } : {}),
    }));
  }
}
