import type { BreakerState } from '../resilience/breaker.js';

/**
 * What the executor learns, published as events. Metrics, logs, the dashboard and adaptive routing
 * subscribe; the request path never waits for them (listeners run synchronously and must be cheap:
 * count, don't do I/O).
 */
export interface GatewayEvents {
  /** One try of one target finished. `outcome` is 'ok', a failure reason, or 'aborted'. */
  attempt: {
    target: string;
    provider: string;
    outcome: string;
    status?: number;
    durationMs: number;
    /** Time to the first content (streams) or to the whole answer (non-stream), successful attempts only. */
    firstTokenMs?: number;
    stream: boolean;
  };
  /** The same target is tried again after `delayMs`. */
  retry: { target: string; reason: string; delayMs: number };
  /** The plan moves on from `from` (to the next target, if any). */
  fallback: { from: string; reason: string };
  /** A second request was sent to another target while the first was still running. */
  hedge: { primary: string; hedge: string; delayMs: number };
  breaker: { target: string; from: BreakerState; to: BreakerState };
  /** A chat request was planned: the route, class and strategy, and the rule that excluded each left-out target. */
  route: { route: string; class: string; strategy: string; excluded: readonly string[] };
  /** Passive outlier detection took a target out of rotation for `durationMs`. */
  ejection: { target: string; reason: string; detail: string; durationMs: number };
  /** A request finished: `code` is the error it ended with (also an in-band stream error), absent on success. */
  request: { route: string; stream: boolean; status: number; durationMs: number; code?: string };
}

export type EventName = keyof GatewayEvents;
type Listener<K extends EventName> = (event: GatewayEvents[K]) => void;

/** A typed, synchronous event bus; emitting with no listener costs one map lookup. */
export class EventBus {
  private readonly listeners = new Map<EventName, Listener<EventName>[]>();

  on<K extends EventName>(name: K, fn: Listener<K>): () => void {
    const list = this.listeners.get(name) ?? [];
    list.push(fn as Listener<EventName>);
    this.listeners.set(name, list);
    return () => {
      const l = this.listeners.get(name);
      if (l)
        this.listeners.set(
          name,
          l.filter((x) => x !== fn),
        );
    };
  }

  emit<K extends EventName>(name: K, event: GatewayEvents[K]): void {
    const list = this.listeners.get(name);
    if (!list) return;
    for (const fn of list) {
      try {
        fn(event);
      } catch {
        // An observer's bug must never fail a request.
      }
    }
  }
}
