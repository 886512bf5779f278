import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { declaredTargets } from '../config/targets.js';
import type { GatewayConfig } from '../config/types.js';
import type { BreakerState } from '../resilience/breaker.js';
import type { EventBus } from './events.js';

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

/**
 * Prometheus metrics fed by the gateway's events. Everything lives in a registry of its own, so
 * several gateways in one process (tests) never share or collide on a metric. Listeners only
 * increment counters and observe histograms: they run synchronously on the request path.
 */
export function createMetrics(events: EventBus, opts: MetricsOptions): Metrics {
  const registry = new Registry();
  const registers = [registry];
  const label = targetLabeler(opts.config);
  const providers = opts.config.providers;
  const providerLabel = (name: string): string => (providers.has(name) ? name : OTHER_MODEL);
  const buckets = [...LATENCY_BUCKETS];

  const requests = new Counter({
    name: 'switchyard_requests_total',
    help: 'Requests finished, by route, stream, HTTP status and error code ("" on success).',
    labelNames: ['route', 'stream', 'status', 'code'] as const,
    registers,
  });
  const requestDuration = new Histogram({
    name: 'switchyard_request_duration_seconds',
    help: 'Time from request received to response finished, across every attempt.',
    labelNames: ['route', 'stream'] as const,
    buckets,
    registers,
  });
  const attempts = new Counter({
    name: 'switchyard_upstream_attempts_total',
    help: 'Upstream attempts (tries, retries and hedges), by target, provider and outcome ("ok" or a failure reason).',
    labelNames: ['target', 'provider', 'outcome'] as const,
    registers,
  });
  const attemptDuration = new Histogram({
    name: 'switchyard_upstream_attempt_duration_seconds',
    help: 'Duration of one upstream attempt, by provider and outcome.',
    labelNames: ['provider', 'outcome'] as const,
    buckets,
    registers,
  });
  const firstToken = new Histogram({
    name: 'switchyard_first_token_seconds',
    help: 'Successful attempts: time to the first content (streams) or to the whole answer (non-stream).',
    labelNames: ['target', 'stream'] as const,
    buckets,
    registers,
  });
  const retries = new Counter({
    name: 'switchyard_retries_total',
    help: 'Retries of the same target, by why the wait was chosen (backoff or retry_after).',
    labelNames: ['target', 'reason'] as const,
    registers,
  });
  const fallbacks = new Counter({
    name: 'switchyard_fallbacks_total',
    help: 'Times a plan left a target for the next one, by the target left and why.',
    labelNames: ['target', 'reason'] as const,
    registers,
  });
  const hedges = new Counter({
    name: 'switchyard_hedges_total',
    help: 'Hedge requests sent because this (primary) target was slow to answer.',
    labelNames: ['target'] as const,
    registers,
  });
  const transitions = new Counter({
    name: 'switchyard_breaker_transitions_total',
    help: 'Circuit breaker state changes, by target.',
    labelNames: ['target', 'from', 'to'] as const,
    registers,
  });
  const decisions = new Counter({
    name: 'switchyard_route_decisions_total',
    help: 'Chat requests planned, by public model (route), traffic class and ranking strategy.',
    labelNames: ['model', 'class', 'strategy'] as const,
    registers,
  });
  const exclusions = new Counter({
    name: 'switchyard_route_exclusions_total',
    help: 'Targets a plan left out, by public model and the rule that excluded them (capability, context_window, compliance, quality_floor, cost_ceiling).',
    labelNames: ['model', 'rule'] as const,
    registers,
  });
  const ejections = new Counter({
    name: 'switchyard_outlier_ejections_total',
    help: 'Targets taken out of rotation by passive outlier detection, by reason (failure_rate, latency).',
    labelNames: ['target', 'reason'] as const,
    registers,
  });
  const declared = declaredTargets(opts.config);
  new Gauge({
    name: 'switchyard_breaker_state',
    help: 'Circuit breaker state now: 0 closed, 1 half_open, 2 open. Targets collapsed into one label report the worst.',
    labelNames: ['target'] as const,
    registers,
    collect() {
      const worst = new Map<string, number>();
      // A declared target no request has used yet has no state: it is closed.
      for (const t of declared) worst.set(t, 0);
      for (const snap of opts.targets()) {
        const key = label(snap.target);
        const v = BREAKER_STATE_VALUE[snap.breaker.state];
        worst.set(key, Math.max(worst.get(key) ?? 0, v));
      }
      // Reset first: a series that disappeared from the snapshot must not keep its last value.
      this.reset();
      for (const [target, v] of worst) this.set({ target }, v);
    },
  });

  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry });

  // Label values are bounded (declared targets, routes, outcomes), so each combination's child is
  // resolved once and kept: prom-client would otherwise hash a label object on every observation.
  const requestsBy = children((v) => requests.labels(...v));
  const requestDurationBy = children((v) => requestDuration.labels(...v));
  const attemptsBy = children((v) => attempts.labels(...v));
  const attemptDurationBy = children((v) => attemptDuration.labels(...v));
  const firstTokenBy = children((v) => firstToken.labels(...v));

  // Label order follows each metric's labelNames.
  events.on('request', (e) => {
    const stream = bool(e.stream);
    requestsBy(e.route, stream, String(e.status), e.code ?? '').inc();
    requestDurationBy(e.route, stream).observe(e.durationMs / 1000);
  });
  events.on('attempt', (e) => {
    const target = label(e.target);
    const provider = providerLabel(e.provider);
    attemptsBy(target, provider, e.outcome).inc();
    attemptDurationBy(provider, e.outcome).observe(e.durationMs / 1000);
    if (e.outcome === 'ok' && e.firstTokenMs !== undefined) firstTokenBy(target, bool(e.stream)).observe(e.firstTokenMs / 1000);
  });
  events.on('retry', (e) => retries.inc({ target: label(e.target), reason: e.reason }));
  events.on('fallback', (e) => fallbacks.inc({ target: label(e.from), reason: e.reason }));
  events.on('hedge', (e) => hedges.inc({ target: label(e.primary) }));
  events.on('breaker', (e) => transitions.inc({ target: label(e.target), from: e.from, to: e.to }));
  // A route is a declared public model, or a provider/model named directly (labelled like a target).
  const routeLabel = (r: string): string => (opts.config.models.has(r) ? r : label(r));
  const decisionsBy = children((v) => decisions.labels(...v));
  events.on('route', (e) => {
    const model = routeLabel(e.route);
    decisionsBy(model, e.class, e.strategy).inc();
    for (const rule of e.excluded) exclusions.inc({ model, rule });
  });
  events.on('ejection', (e) => ejections.inc({ target: label(e.target), reason: e.reason }));

  return {
    contentType: registry.contentType,
    render: () => registry.metrics(),
  };
}

/** A per-combination cache of metric children, keyed by the label values in labelNames order. */
function children<C>(make: (values: string[]) => C): (...values: string[]) => C {
  const cache = new Map<string, C>();
  return (...values) => {
    const key = values.join('\u0001');
    let child = cache.get(key);
    if (child === undefined) {
      child = make(values);
      cache.set(key, child);
    }
    return child;
  };
}
