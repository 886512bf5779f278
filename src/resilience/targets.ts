import { describeTarget, type ResilienceConfig, type Target } from '../config/types.js';
import { CircuitBreaker, type BreakerSnapshot, type BreakerState } from './breaker.js';
import { HedgeBudget } from './hedge.js';
import { LatencyEstimator } from './latency.js';
import { InFlightLimiter } from './limiter.js';
import { RetryBudget } from './retry-budget.js';

/**
 * Hedges a route may send back to back. Slow requests come in clusters (a provider's bad second):
 * a burst of 10 lets a cluster be hedged while budget_ratio still caps the long-run extra load.
 */
export const ROUTE_HEDGE_BURST = 10;

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
}

export interface TargetSnapshot {
  target: string;
  in_flight?: { active: number; waiting: number; max: number };
  breaker: BreakerSnapshot;
  retry_budget: number;
  cooling_off_ms: number;
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

  /** Out of rotation now: cooling off after a Retry-After, or its breaker is open. */
  unavailableUntil(st: TargetState, now: number): number | undefined {
    const cool = st.coolOffUntil > now ? st.coolOffUntil : undefined;
    const open = st.breaker.state(now) === 'open' ? st.breaker.opensUntil(now) : undefined;
    if (cool === undefined) return open;
    return open === undefined ? cool : Math.max(cool, open);
  }

  snapshot(now: number): TargetSnapshot[] {
    return [...this.states.values()].map((st) => ({
      target: st.key,
      breaker: st.breaker.snapshot(now),
      retry_budget: Math.round(st.retryBudget.balance(now) * 100) / 100,
      cooling_off_ms: Math.max(0, Math.round(st.coolOffUntil - now)),
      ...(st.limiter ? { in_flight: { active: st.limiter.active, waiting: st.limiter.waiting, max: st.limiter.options.maxInFlight } } : {}),
    }));
  }
}
