import { describeTarget, type ResilienceConfig, type Target } from '../config/types.js';
import { type BreakerSnapshot, type BreakerState, CircuitBreaker } from './breaker.js';
import { HedgeBudget } from './hedge.js';
import { LatencyEstimator } from './latency.js';
import { InFlightLimiter } from './limiter.js';
import { ejectionDuration, findOutliers, OutlierStats, type OutlierVerdict } from './outlier.js';
import { RetryBudget } from './retry-budget.js';

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

/**
 * Per-target runtime state, created on first use. Time is passed in (monotonic ms), so the
 * decisions made from it are as testable as the state machines themselves.
 */
export class TargetStates {
  private readonly states = new Map<string, TargetState>();
  private readonly byObject = new WeakMap<Target, TargetState>();
  private readonly hedgeBudgets = new Map<string, HedgeBudget>();

  constructor(
    private readonly settings: ResilienceConfig,
    private readonly onTransition?: (target: string, from: BreakerState, to: BreakerState, now: number) => void,
  ) {}

  get(target: Target): TargetState {
    // Configured targets are frozen objects that live as long as the config: look them up by
    // identity first. A `provider/model` a client named directly is a new object each request.
    const known = this.byObject.get(target);
    if (known) return known;
    const key = describeTarget(target);
    let st = this.states.get(key);
    if (!st) {
      const listener = this.onTransition;
      st = {
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
      this.states.set(key, st);
    }
    this.byObject.set(target, st);
    return st;
  }

  /** Targets whose breaker is open now: the ones worth probing. */
  open(now: number): TargetState[] {
    return [...this.states.values()].filter((st) => st.breaker.state(now) === 'open');
  }

  /** The hedge budget of one public model (route): hedges stay within `ratio` of its requests. */
  hedgeBudget(route: string, ratio: number): HedgeBudget {
    let b = this.hedgeBudgets.get(route);
    if (!b) {
      b = new HedgeBudget({ ratio, burst: ROUTE_HEDGE_BURST });
      this.hedgeBudgets.set(route, b);
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
    const states = [...this.states.values()];
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
    return verdicts.map((v) => {
      const st = this.states.get(v.key)!;
      st.ejections++;
      const durationMs = ejectionDuration(st.ejections, config, rng);
      st.ejectedUntil = now + durationMs;
      st.ejection = { ...v, at: now };
      st.outlier.reset();
      return { ...v, durationMs };
    });
  }

  snapshot(now: number): TargetSnapshot[] {
    return [...this.states.values()].map((st) => ({
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
