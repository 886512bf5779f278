import type { GatewayConfig } from '../config/types.js';
import type { TargetStates } from '../resilience/targets.js';
import { planRoute, type RouteDecision, type RouteInput, type RoutingView } from '../routing/planner.js';
import { SessionAffinity } from '../routing/sessions.js';

/**
 * The routing engine's live side: session pins and round-robin turns, and the view of target
 * state (availability, in-flight, latency, recent outcomes) the pure planner reads.
 */
export class Router {
  readonly sessions = new SessionAffinity();
  private readonly turns = new Map<string, number>();

  constructor(
    private readonly config: GatewayConfig,
    private readonly targets: TargetStates,
    private readonly now: () => number,
    private readonly rng: () => number,
  ) {}

  /**
   * Plans one request. With `explain`, nothing advances (round-robin turns stay), so an explain
   * followed by the real request shows the plan that request gets.
   */
  plan(input: RouteInput, opts: { explain?: boolean; rng?: () => number } = {}): RouteDecision {
    const now = this.now();
    const targets = this.targets;
    const view: RoutingView = {
      now,
      rng: opts.rng ?? this.rng,
      unavailableUntil: (t) => targets.unavailableUntil(targets.get(t), now),
      stats: (t, p95) => {
        const st = targets.get(t);
        const { requests, failures } = st.outlier.counts(now);
        const out: ReturnType<RoutingView['stats']> = { inFlight: st.inFlight, requests, failures };
        if (st.latencyEwmaMs !== undefined) out.latencyEwmaMs = st.latencyEwmaMs;
        if (p95) {
          const v = st.outlier.p95(now);
          if (v !== undefined) out.p95Ms = v;
        }
        return out;
      },
      turn: (route, tier) => {
        const key = `${route}\u0000${tier}`;
        const n = this.turns.get(key) ?? 0;
        if (!opts.explain) this.turns.set(key, n + 1);
        return n;
      },
      session: (id) => this.sessions.get(id, now),
    };
    return planRoute(this.config, input, view, opts.explain ? { explain: true } : {});
  }

  /** The session was answered by `target` (its key). */
  served(session: string, target: string): void {
    this.sessions.set(session, target, this.now());
  }
}
