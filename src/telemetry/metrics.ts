import type { Registry } from 'prom-client';
import { declaredTargets } from '../config/targets.js';
import type { GatewayConfig } from '../config/types.js';
import type { BreakerState } from '../resilience/breaker.js';
import type { EventBus } from './events.js';
import { CounterFamily, GaugeFamily, HistogramFamily } from './families.js';

/** A target's breaker state, as the scrape reads it (pipeline/targets.ts TargetStates.snapshot gives these). */
export interface BreakerView {
  target: string;
  breaker: { state: BreakerState };
}

/** What the `/metrics` route serves: Prometheus text exposition, rendered on each scrape. */
export interface Metrics {
  readonly contentType: string;
  render(): Promise<string>;
}

export interface MetricsOptions {
  config: GatewayConfig;
  /** Per-target runtime state, read at scrape time for the breaker gauge (TargetStates.snapshot). */
  targets: () => readonly BreakerView[];
  /**
   * Node.js process metrics (CPU, memory, event loop lag, GC …) under their standard, unprefixed
   * names. Default true. They install process-wide observers that live as long as the process, so
   * code that creates many short-lived Metrics (unit tests) can leave them out.
   */
  processMetrics?: boolean;
}

/**
 * Seconds, for LLM latencies: a cached or tiny answer lands in the first buckets, a long
 * generation or a slow reasoning model in the last ones (the request deadline caps the tail).
 */
export const LATENCY_BUCKETS: readonly number[] = Object.freeze([0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120]);

export const BREAKER_STATE_VALUE: Readonly<Record<BreakerState, number>> = Object.freeze({ closed: 0, half_open: 1, open: 2 });

/** The `target` label of anything the config does not name. */
export const OTHER_MODEL = 'other';

/**
 * The one place a target (`provider/model`) becomes a label value. Clients may address
 * `provider/<any model id>`, so a label taken from requests as-is would grow without bound: only
 * targets the config declares (a public model's targets, or a model declared under a provider)
 * keep their name; any other model of a configured provider becomes `<provider>/other`, and a
 * provider the config does not know becomes `other`.
 */
export function targetLabeler(config: Pick<GatewayConfig, 'providers' | 'models'>): (target: string) => string {
  const declared = declaredTargets(config);
  // Precomputed, so labelling an undeclared target costs a lookup, not a string build per event.
  const other = new Map<string, string>();
  for (const name of config.providers.keys()) other.set(name, `${name}/${OTHER_MODEL}`);
  return (target) => {
    if (declared.has(target)) return target;
    const slash = target.indexOf('/');
    return (slash > 0 && other.get(target.slice(0, slash))) || OTHER_MODEL;
  };
}

const bool = (b: boolean): string => (b ? 'true' : 'false');

/** The Prometheus text format's content type (what prom-client's registry answers with too). */
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Prometheus metrics fed by the gateway's events. The gateway's own counters and histograms are
 * kept by telemetry/families.ts (cheap enough for the request path); prom-client renders the
 * Node.js process metrics beside them, in a registry of its own, so several gateways in one
 * process (tests) never share or collide on a metric. Listeners only count: they run
 * synchronously on the request path.
 */
export function createMetrics(events: EventBus, opts: MetricsOptions): Metrics {
  const label = targetLabeler(opts.config);
  const providers = opts.config.providers;
  const providerLabel = (name: string): string => (providers.has(name) ? name : OTHER_MODEL);
  const buckets = LATENCY_BUCKETS;
  const f = families(buckets);
  const declared = declaredTargets(opts.config);
  const breakerState = new GaugeFamily(
    'switchyard_breaker_state',
    'Circuit breaker state now: 0 closed, 1 half_open, 2 open. Targets collapsed into one label report the worst.',
    ['target'],
    () => {
      const worst = new Map<string, number>();
      // A declared target no request has used yet has no state: it is closed.
      for (const t of declared) worst.set(t, 0);
      for (const snap of opts.targets()) {
        const key = label(snap.target);
        worst.set(key, Math.max(worst.get(key) ?? 0, BREAKER_STATE_VALUE[snap.breaker.state]));
      }
      return [...worst].map(([target, v]) => [[target], v] as const);
    },
  );
  const processMetrics = (opts.processMetrics ?? true) ? processRegistry() : undefined;

  events.on('request', (e) => {
    const stream = bool(e.stream);
    f.requests.inc(e.route, stream, statusText(e.status), e.code ?? '');
    f.requestDuration.observe(e.durationMs / 1000, e.route, stream);
  });
  events.on('attempt', (e) => {
    const target = label(e.target);
    const provider = providerLabel(e.provider);
    f.attempts.inc(target, provider, e.outcome);
    f.attemptDuration.observe(e.durationMs / 1000, provider, e.outcome);
    if (e.outcome === 'ok' && e.firstTokenMs !== undefined) f.firstToken.observe(e.firstTokenMs / 1000, target, bool(e.stream));
  });
  events.on('retry', (e) => f.retries.inc(label(e.target), e.reason));
  events.on('fallback', (e) => f.fallbacks.inc(label(e.from), e.reason));
  events.on('hedge', (e) => f.hedges.inc(label(e.primary)));
  events.on('breaker', (e) => f.transitions.inc(label(e.target), e.from, e.to));
  // A route is a declared public model, or a provider/model named directly (labelled like a target).
  const routeLabel = (r: string): string => (opts.config.models.has(r) ? r : label(r));
  events.on('route', (e) => {
    const model = routeLabel(e.route);
    f.decisions.inc(model, e.class, e.strategy);
    for (const rule of e.excluded) f.exclusions.inc(model, rule);
  });
  events.on('ejection', (e) => f.ejections.inc(label(e.target), e.reason));

  const all = [...Object.values(f), breakerState];
  return {
    contentType: CONTENT_TYPE,
    render: async () => {
      const own = all.map((family) => family.render()).join('\n');
      return processMetrics ? `${own}\n${await (await processMetrics()).metrics()}` : own;
    },
  };
}

/**
 * Node.js process metrics from prom-client, in a registry of their own, loaded on the first scrape:
 * prom-client and what it loads cost a few MB of resident memory a gateway nobody scrapes never
 * needs. Counters such as CPU seconds are process totals either way; the GC and event-loop
 * histograms cover the time since that first scrape.
 */
function processRegistry(): () => Promise<Registry> {
  let registry: Promise<Registry> | undefined;
  return () => {
    registry ??= import('prom-client').then(({ Registry, collectDefaultMetrics }) => {
      const r = new Registry();
      collectDefaultMetrics({ register: r });
      return r;
    });
    return registry;
  };
}

/** Status codes are a small set: their label text is made once. */
const STATUS_TEXT = new Map<number, string>();
function statusText(status: number): string {
  let t = STATUS_TEXT.get(status);
  if (t === undefined) {
    t = String(status);
    STATUS_TEXT.set(status, t);
  }
  return t;
}

function families(buckets: readonly number[]) {
  return {
    requests: new CounterFamily('switchyard_requests_total', 'Requests finished, by route, stream, HTTP status and error code ("" on success).', [
      'route',
      'stream',
      'status',
      'code',
    ]),
    requestDuration: new HistogramFamily(
      'switchyard_request_duration_seconds',
      'Time from request received to response finished, across every attempt.',
      ['route', 'stream'],
      buckets,
    ),
    attempts: new CounterFamily(
      'switchyard_upstream_attempts_total',
      'Upstream attempts (tries, retries and hedges), by target, provider and outcome ("ok" or a failure reason).',
      ['target', 'provider', 'outcome'],
    ),
    attemptDuration: new HistogramFamily(
      'switchyard_upstream_attempt_duration_seconds',
      'Duration of one upstream attempt, by provider and outcome.',
      ['provider', 'outcome'],
      buckets,
    ),
    firstToken: new HistogramFamily(
      'switchyard_first_token_seconds',
      'Successful attempts: time to the first content (streams) or to the whole answer (non-stream).',
      ['target', 'stream'],
      buckets,
    ),
    retries: new CounterFamily('switchyard_retries_total', 'Retries of the same target, by why the wait was chosen (backoff or retry_after).', [
      'target',
      'reason',
    ]),
    fallbacks: new CounterFamily('switchyard_fallbacks_total', 'Times a plan left a target for the next one, by the target left and why.', [
      'target',
      'reason',
    ]),
    hedges: new CounterFamily('switchyard_hedges_total', 'Hedge requests sent because this (primary) target was slow to answer.', ['target']),
    transitions: new CounterFamily('switchyard_breaker_transitions_total', 'Circuit breaker state changes, by target.', ['target', 'from', 'to']),
    decisions: new CounterFamily('switchyard_route_decisions_total', 'Chat requests planned, by public model (route), traffic class and ranking strategy.', [
      'model',
      'class',
      'strategy',
    ]),
    exclusions: new CounterFamily(
      'switchyard_route_exclusions_total',
      'Targets a plan left out, by public model and the rule that excluded them (capability, context_window, compliance, quality_floor, cost_ceiling).',
      ['model', 'rule'],
    ),
    ejections: new CounterFamily(
      'switchyard_outlier_ejections_total',
      'Targets taken out of rotation by passive outlier detection, by reason (failure_rate, latency).',
      ['target', 'reason'],
    ),
  };
}
