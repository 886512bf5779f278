import { createHash } from 'node:crypto';
import type { GatewayConfig } from '../config/types.js';
import { planRoute, type RouteDecision, type RouteInput, type RoutingView } from '../routing/planner.js';
import { SessionAffinity } from '../routing/sessions.js';
import type { TargetStates } from './targets.js';

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
      // Planning only reads: a target with no state yet is available and unmeasured.
      unavailableUntil: (t) => {
        const st = targets.peek(t);
        return st && targets.unavailableUntil(st, now);
      },
      stats: (t, p95) => {
        const st = targets.peek(t);
        if (!st) return { inFlight: 0, requests: 0, failures: 0 };
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
        // Turns are kept for public models only: a client-named route must not grow this map.
        if (!this.config.models.has(route)) return 0;
        const key = `${route}\u0000${tier}`;
        const n = this.turns.get(key) ?? 0;
        if (!opts.explain) this.turns.set(key, n + 1);
        return n;
      },
      session: (id) => this.sessions.get(sessionKey(id), now),
    };
    return planRoute(this.config, input, view, opts.explain ? { explain: true } : {});
  }

  /** The session was answered by `target` (its key). */
  served(session: string, target: string): void {
    this.sessions.set(sessionKey(session), target, this.now());
  }
}

/** Session ids come from clients (a header, or the `user` field): a long one is kept as its hash, so 100k sessions stay small. */
const MAX_SESSION_KEY = 128;

function sessionKey(id: string): string {
  return id.length <= MAX_SESSION_KEY ? id : `sha256:${createHash('sha256').update(id).digest('base64')}`;
}
