import { DEFAULT_BACKOFF } from '../resilience/backoff.js';
import { DEFAULT_BREAKER } from '../resilience/breaker.js';
import { OUTLIER_BUCKETS, OUTLIER_DEFAULTS } from '../resilience/outlier.js';
import { RETRY_BUDGET_DEFAULTS } from '../resilience/retry-budget.js';
import { RETRY_DEFAULTS } from '../resilience/retry-policy.js';
import { CompileContext, type EnvRefNote } from './context.js';
import { DEFAULT_FALLBACK_DEPTH, DEFAULT_SERVER, UNDECLARED_DEFAULTS } from './defaults.js';
import type { Env } from './env.js';
import { ConfigError, type ConfigIssue, findReservedKeys, issue } from './errors.js';
import { frozenMap } from './freeze.js';
import { compileHedge } from './hedge.js';
import { fromZodIssues } from './issues.js';
import { compileProvider } from './provider.js';
import { compileRouting } from './routing.js';
import { type RawConfig, RawConfigSchema, type RawPublicModel, type RawTargetEntry } from './schema.js';
import { STRATEGY_DEFAULTS, type StrategyOptions } from './strategy-options.js';
import { didYouMean } from './suggest.js';
import { parseTargetRef, targetFor } from './targets.js';
import type { GatewayConfig, ProviderConfig, PublicModel, ResilienceConfig, RouteTier, ServerConfig, Target } from './types.js';

export interface CompileOptions {
  env: Env;
  /** Where the raw config came from: a file path, "environment" or "sandbox". */
  source: string;
  /** Base URL of the running built-in sandbox; required when any provider says `sandbox: true`. */
  sandboxUrl?: string;
  /** Report unset environment variables as warnings instead of errors (`switchyard check --allow-missing-env`). */
  allowMissingEnv?: boolean;
  /**
   * The embedded default fell back to sandbox providers because no credentials were found.
   * Defaults to `source === 'sandbox'`, the source name the embedded default uses for that case.
   */
  sandboxMode?: boolean;
}

export interface CompileReport {
  config: GatewayConfig;
  /** Problems that did not stop compilation (unset variables under allowMissingEnv). */
  warnings: readonly ConfigIssue[];
  /** Environment variables each provider reads, by provider name: names and set/unset, never values. */
  envRefs: ReadonlyMap<string, readonly EnvRefNote[]>;
}

export type Validation = { ok: true; value: RawConfig } | { ok: false; issues: ConfigIssue[] };

/** Structural validation only: shape, types, enums, unknown keys, literal secrets. */
export function validateRaw(raw: unknown): Validation {
  // Before the schema: a `__proto__` key must be reported, not swallowed by the parse.
  const reserved = findReservedKeys(raw);
  if (reserved.length > 0) return { ok: false, issues: reserved };
  const result = RawConfigSchema.safeParse(raw, { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, issues: fromZodIssues(RawConfigSchema, result.error.issues) };
}

function compileServer(raw: RawConfig): ServerConfig {
  const s = raw.server ?? {};
  return Object.freeze({
    host: s.host ?? DEFAULT_SERVER.host,
    port: s.port ?? DEFAULT_SERVER.port,
    maxBodyBytes: s.max_body_bytes ?? DEFAULT_SERVER.maxBodyBytes,
    requestTimeoutMs: s.request_timeout_ms ?? DEFAULT_SERVER.requestTimeoutMs,
    bodyIdleTimeoutMs: s.body_idle_timeout_ms ?? DEFAULT_SERVER.bodyIdleTimeoutMs,
  });
}

function compileResilience(raw: RawConfig, ctx: CompileContext): ResilienceConfig {
  const r = raw.resilience ?? {};
  const b = r.breaker ?? {};
  const breaker = {
    windowMs: b.window_ms ?? DEFAULT_BREAKER.windowMs,
    minRequests: b.min_requests ?? DEFAULT_BREAKER.minRequests,
    failureRate: b.failure_rate ?? DEFAULT_BREAKER.failureRate,
    consecutiveFailures: b.consecutive_failures ?? DEFAULT_BREAKER.consecutiveFailures,
    cooldownMs: b.cooldown_ms ?? DEFAULT_BREAKER.cooldownMs,
    maxCooldownMs: b.max_cooldown_ms ?? DEFAULT_BREAKER.maxCooldownMs,
    halfOpenProbes: b.half_open_probes ?? DEFAULT_BREAKER.halfOpenProbes,
  };
  // The window is kept in DEFAULT_BREAKER.buckets equal slices of whole milliseconds.
  if (breaker.windowMs % DEFAULT_BREAKER.buckets !== 0) {
    ctx.error(['resilience', 'breaker', 'window_ms'], `must be a multiple of ${DEFAULT_BREAKER.buckets} ms, got ${breaker.windowMs}`);
  }
  if (breaker.cooldownMs > breaker.maxCooldownMs) {
    ctx.error(['resilience', 'breaker', 'cooldown_ms'], `must not exceed max_cooldown_ms (${breaker.maxCooldownMs})`);
  }
  const backoff = { baseMs: r.backoff?.base_ms ?? DEFAULT_BACKOFF.baseMs, maxMs: r.backoff?.max_ms ?? DEFAULT_BACKOFF.maxMs };
  if (backoff.baseMs > backoff.maxMs) ctx.error(['resilience', 'backoff', 'base_ms'], `must not exceed max_ms (${backoff.maxMs})`);
  const o = r.outlier ?? {};
  const outlier = Object.freeze({
    enabled: o.enabled ?? OUTLIER_DEFAULTS.enabled,
    intervalMs: o.interval_ms ?? OUTLIER_DEFAULTS.intervalMs,
    windowMs: o.window_ms ?? OUTLIER_DEFAULTS.windowMs,
    minRequests: o.min_requests ?? OUTLIER_DEFAULTS.minRequests,
    failureRate: o.failure_rate ?? OUTLIER_DEFAULTS.failureRate,
    latencyFactor: o.latency_factor ?? OUTLIER_DEFAULTS.latencyFactor,
    latencyMinMs: o.latency_min_ms ?? OUTLIER_DEFAULTS.latencyMinMs,
    ejectionMs: o.ejection_ms ?? OUTLIER_DEFAULTS.ejectionMs,
    maxEjectionMs: o.max_ejection_ms ?? OUTLIER_DEFAULTS.maxEjectionMs,
    maxEjectedRatio: o.max_ejected_ratio ?? OUTLIER_DEFAULTS.maxEjectedRatio,
  });
  if (outlier.windowMs % OUTLIER_BUCKETS !== 0) {
    ctx.error(['resilience', 'outlier', 'window_ms'], `must be a multiple of ${OUTLIER_BUCKETS} ms, got ${outlier.windowMs}`);
  }
  if (outlier.ejectionMs > outlier.maxEjectionMs) {
    ctx.error(['resilience', 'outlier', 'ejection_ms'], `must not exceed max_ejection_ms (${outlier.maxEjectionMs})`);
  }
  return Object.freeze({
    health: Object.freeze({ enabled: r.health?.enabled ?? true, intervalMs: r.health?.interval_ms ?? 15_000 }),
    outlier,
    maxAttempts: r.max_attempts ?? RETRY_DEFAULTS.maxAttempts,
    maxRetriesPerTarget: r.max_retries_per_target ?? RETRY_DEFAULTS.maxRetriesPerTarget,
    maxFallbackDepth: r.max_fallback_depth ?? DEFAULT_FALLBACK_DEPTH,
    backoff: Object.freeze(backoff),
    retryBudget: Object.freeze({
      ratio: r.retry_budget?.ratio ?? RETRY_BUDGET_DEFAULTS.ratio,
      minPerSecond: r.retry_budget?.min_per_second ?? RETRY_BUDGET_DEFAULTS.minPerSecond,
    }),
    breaker: Object.freeze(breaker),
    undeclaredTargets: Object.freeze({
      max: r.undeclared_targets?.max ?? UNDECLARED_DEFAULTS.max,
      idleMs: r.undeclared_targets?.idle_ms ?? UNDECLARED_DEFAULTS.idleMs,
    }),
  });
}

/** A `provider/model` reference in a route, or undefined (with the error recorded). */
function compileTargetRef(
  raw: RawConfig,
  providers: ReadonlyMap<string, ProviderConfig>,
  ref: string,
  path: (string | number)[],
  ctx: CompileContext,
): Target | undefined {
  const known = Object.keys(raw.providers);
  const parsed = parseTargetRef(ref);
  if (!parsed) {
    const declaredBy = known.filter((p) => raw.providers[p]?.models?.[ref] !== undefined).map((p) => `${p}/${ref}`);
    const hint = declaredBy.length > 0 ? ` (did you mean "${declaredBy[0]}"?)` : '';
    ctx.error(path, `"${ref}" is not a provider/model reference${hint}; write <provider>/<model id>, e.g. openai/gpt-4o-mini`);
    return undefined;
  }
  if (!known.includes(parsed.provider)) {
    const listed = known.length > 0 ? known.join(', ') : '(none)';
    ctx.error(path, `unknown provider "${parsed.provider}" in "${ref}"${didYouMean(parsed.provider, known)}; known providers: ${listed}`);
    return undefined;
  }
  const provider = providers.get(parsed.provider);
  return provider ? targetFor(provider, parsed.model) : undefined;
}

function compilePublicModels(raw: RawConfig, providers: ReadonlyMap<string, ProviderConfig>, ctx: CompileContext): ReadonlyMap<string, PublicModel> {
  const out: [string, PublicModel][] = [];
  for (const [name, model] of Object.entries(raw.models ?? {})) {
    const compiled = compilePublicModel(raw, providers, name, model, ctx);
    if (compiled) out.push([name, compiled]);
  }
  return frozenMap(out);
}

/** One entry of `models`, or undefined when it gives neither or both of targets and tiers. */
function compilePublicModel(
  raw: RawConfig,
  providers: ReadonlyMap<string, ProviderConfig>,
  name: string,
  model: RawPublicModel,
  ctx: CompileContext,
): PublicModel | undefined {
  const shadowed = parseTargetRef(name);
  if (shadowed && Object.keys(raw.providers).includes(shadowed.provider)) {
    ctx.error(['models', name], `shadows the direct reference to provider "${shadowed.provider}"; a public name with '/' must not start with a provider name`);
  }
  if ((model.targets === undefined) === (model.tiers === undefined)) {
    ctx.error(['models', name], 'give exactly one of targets (one tier of targets) or tiers (a list of tiers tried in order)');
    return undefined;
  }
  const tiers = compileTiers(raw, providers, name, model, ctx);
  const hedge = compileHedge(model.hedge, ['models', name, 'hedge'], ctx);
  return Object.freeze({
    name,
    strategy: model.strategy ?? 'priority',
    affinity: model.affinity ?? 'session',
    strategyOptions: Object.freeze(compileStrategyOptions(model)),
    tiers: Object.freeze(tiers),
    targets: Object.freeze(tiers.flatMap((t) => t.targets)),
    ...(hedge ? { hedge } : {}),
  });
}

/** `targets` reads as a single tier; the seen map spans every tier so a repeat anywhere is caught. */
function compileTiers(raw: RawConfig, providers: ReadonlyMap<string, ProviderConfig>, name: string, model: RawPublicModel, ctx: CompileContext): RouteTier[] {
  const lists = model.tiers ?? [model.targets!];
  const seen = new Map<string, string>();
  return lists.map((entries, tierIndex) => {
    const base = model.tiers ? ['models', name, 'tiers', tierIndex] : ['models', name, 'targets'];
    return compileTier(raw, providers, entries, base, seen, ctx);
  });
}

/** Entries that name no known target, or repeat an earlier one, are reported and left out. */
function compileTier(
  raw: RawConfig,
  providers: ReadonlyMap<string, ProviderConfig>,
  entries: readonly RawTargetEntry[],
  base: (string | number)[],
  seen: Map<string, string>,
  ctx: CompileContext,
): RouteTier {
  const targets: Target[] = [];
  const weights: number[] = [];
  entries.forEach((entry, index) => {
    const ref = typeof entry === 'string' ? entry : entry.target;
    const path = typeof entry === 'string' ? [...base, index] : [...base, index, 'target'];
    const target = compileTargetRef(raw, providers, ref, path, ctx);
    if (target === undefined) return;
    const first = seen.get(ref);
    if (first !== undefined) {
      ctx.error(path, `repeats "${ref}" (already ${first}); each target is tried once`);
      return;
    }
    seen.set(ref, locationInModel(path));
    targets.push(target);
    weights.push(typeof entry === 'string' ? 1 : (entry.weight ?? 1));
  });
  return Object.freeze({ targets: Object.freeze(targets), weights: Object.freeze(weights) });
}

/** Where in the model an entry sits, as its author wrote it ("tiers[0][1].target"), for a later repeat's error to cite. */
function locationInModel(path: (string | number)[]): string {
  return path
    .slice(2)
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i > 0 ? `.${p}` : p))
    .join('');
}

function compileStrategyOptions(model: RawPublicModel): StrategyOptions {
  const strategyOptions: StrategyOptions = {};
  if (model.performance) strategyOptions.performance = { successWeight: model.performance.success_weight, latencyWeight: model.performance.latency_weight };
  if (model.adaptive) {
    const d = STRATEGY_DEFAULTS.adaptive;
    const a = model.adaptive;
    strategyOptions.adaptive = {
      exploration: a.exploration ?? d.exploration,
      successWeight: a.success_weight ?? d.successWeight,
      latencyWeight: a.latency_weight ?? d.latencyWeight,
      costWeight: a.cost_weight ?? d.costWeight,
    };
  }
  return strategyOptions;
}

/**
 * Validates and compiles, returning warnings and the environment variables read alongside the
 * config. Throws one ConfigError listing every problem found.
 */
export function compileWithReport(raw: unknown, opts: CompileOptions): CompileReport {
  const validation = validateRaw(raw);
  // Reference and environment checks need a well-formed document, so structure errors come first.
  if (!validation.ok) throw new ConfigError(opts.source, validation.issues);
  const value = validation.value;
  const ctx = new CompileContext({ env: opts.env, allowMissingEnv: opts.allowMissingEnv ?? false });

  const names = Object.keys(value.providers);
  if (names.length === 0) ctx.issues.push(issue(['providers'], 'must declare at least one provider'));
  const sandboxNames = names.filter((n) => value.providers[n]?.sandbox === true);
  if (sandboxNames.length > 0 && opts.sandboxUrl === undefined) {
    ctx.issues.push(
      issue(
        [],
        `sandbox providers (${sandboxNames.join(', ')}) need the URL of Switchyard's built-in sandbox, and none was given (sandboxUrl); start the sandbox first and pass its URL`,
      ),
    );
  }

  const providers: [string, ProviderConfig][] = [];
  for (const name of names) {
    const compiled = compileProvider(name, value.providers[name]!, ctx, { sandboxUrl: opts.sandboxUrl });
    if (compiled) providers.push([name, compiled]);
  }
  const providerMap = frozenMap(providers);
  const models = compilePublicModels(value, providerMap, ctx);
  const resilience = compileResilience(value, ctx);
  const routing = compileRouting(value.routing, models, ctx);
  if (ctx.issues.length > 0) throw new ConfigError(opts.source, ctx.issues);

  const config: GatewayConfig = Object.freeze({
    server: compileServer(value),
    resilience,
    routing,
    providers: providerMap,
    models,
    sandboxMode: opts.sandboxMode ?? opts.source === 'sandbox',
    source: opts.source,
  });
  return {
    config,
    warnings: Object.freeze([...ctx.warnings]),
    envRefs: frozenMap([...ctx.envRefs].map(([k, v]) => [k, Object.freeze([...v])] as const)),
  };
}

/** Raw YAML-shaped value → frozen runtime config, or a ConfigError listing every problem. */
export function compile(raw: unknown, opts: CompileOptions): GatewayConfig {
  return compileWithReport(raw, opts).config;
}
