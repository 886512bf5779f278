/**
 * The route planner: for one chat request, which targets to try and in what order, and why.
 * Pure: live state comes in through a RoutingView (plain reads of in-memory state), time and
 * randomness as values. The executor walks exactly the candidates returned here, and
 * POST /v1/route/explain returns this same decision without calling anyone.
 *
 * Order of work: classification (when anything reads it) → class → rules → route → tiers →
 * hard filters (capabilities, context window, compliance, quality floor, cost ceiling) → ranking
 * within each tier (the route's strategy) → latency budget → session affinity.
 */
import type { ChatRequest } from '../api/chat.js';
import { COMPLIANCE_TAGS } from '../config/schema.js';
import type { StrategyName } from '../config/strategy-options.js';
import { resolveTargetRef } from '../config/targets.js';
import {
  type Capability,
  describeTarget,
  type GatewayConfig,
  type HedgeConfig,
  type Pricing,
  type Target,
  type TrafficClass,
  type WireFormat,
} from '../config/types.js';
import { GatewayError, invalid } from '../core/errors.js';
import { type Classification, classify } from './classify.js';
import { catalogPrice } from './prices.js';
import { rank, type TargetStats } from './strategies.js';
import { countPromptTokens, isTokenizerLoaded, promptTokenUpperBound } from './tokens.js';

export const CLASS_HEADER = 'x-switchyard-class';
export const DATA_CLASS_HEADER = 'x-switchyard-data-class';
export const SESSION_HEADER = 'x-switchyard-session';
/** Output tokens assumed for a cost estimate when neither the request nor the model bounds them. */
export const DEFAULT_OUTPUT_ESTIMATE = 4096;

export interface RouteInput {
  /**
   * The request as routing reads it. An embeddings request is planned as a chat request whose one
   * user message is its input text, so classes, rules, compliance and context windows apply alike.
   */
  request: ChatRequest;
  /** What the request asks of a target; embeddings need a wire format with an embeddings endpoint and produce no output tokens. */
  operation?: 'chat' | 'embeddings';
  /** The wire formats that can carry the operation; absent = every format. */
  formats?: ReadonlySet<WireFormat>;
  /** A request header by lowercased name. */
  header: (name: string) => string | undefined;
  /** What the caller's key or tenant imposes (tenancy): a class, data classes, names for rules. */
  key?: { name?: string; tenant?: string; class?: string; dataClasses?: readonly string[] };
}

/** Live state routing reads. Reads only: planning the same request twice changes nothing but `turn`. */
export interface RoutingView {
  now: number;
  rng: () => number;
  /** When the target comes back into rotation, or undefined when it is in rotation now. */
  unavailableUntil(target: Target): number | undefined;
  /** `p95` asks for the (costlier) recent p95 latency too. */
  stats(target: Target, p95: boolean): TargetStats;
  /** The round-robin turn of a route tier. The executor's view advances it; explain's only reads it. */
  turn(route: string, tier: number): number;
  /** The target key a session is pinned to. */
  session(id: string): string | undefined;
}

export type ExclusionRule = 'capability' | 'context_window' | 'compliance' | 'quality_floor' | 'cost_ceiling';

export interface Exclusion {
  target: string;
  tier: number;
  rule: ExclusionRule;
  detail: string;
}

export interface Candidate {
  target: Target;
  key: string;
  tier: number;
  /** The strategy's score, where it scores (higher is better). */
  score?: number;
  /** False while out of rotation (breaker, ejection, cool-off): the executor skips it unless nothing else is left. */
  available: boolean;
  costUsd?: number;
}

export interface RouteDecision {
  /** The model the client asked for. */
  requested: string;
  /** The route planned: a public model, or the `provider/model` named directly. */
  route: string;
  class: TrafficClass;
  classSource: 'header' | 'key' | 'rule' | 'default';
  strategy: StrategyName;
  classification?: Classification;
  /** Rules that matched, in order, with what each one set. */
  rules: { index: number; when: string; set: { route?: string; class?: string; strategy?: string } }[];
  candidates: Candidate[];
  excluded: Exclusion[];
  /** Tiers deeper than the fallback depth, left out. */
  droppedTiers: number;
  hedge?: HedgeConfig;
  maxAttempts: number;
  deadlineMs?: number;
  /** Prompt tokens as far as planning needed to know them. */
  promptTokens?: { value: number; how: 'upper_bound' | 'tokenizer' | 'estimate' };
  session?: { id: string; outcome: 'new' | 'kept' | 'moved'; from?: string };
  /** One line: why the first candidate leads. */
  why: string;
}

const PRICE_CACHE = new WeakMap<Target, Pricing | null>();
const KEY_CACHE = new WeakMap<Target, string>();

/** `provider/model`, built once per target object (configured targets live as long as the config). */
function keyOf(target: Target): string {
  let k = KEY_CACHE.get(target);
  if (k === undefined) {
    k = describeTarget(target);
    KEY_CACHE.set(target, k);
  }
  return k;
}

/** The config's price for a target, else the catalogue's (docs/prices.md). */
export function priceOf(target: Target): Pricing | undefined {
  let p = PRICE_CACHE.get(target);
  if (p === undefined) {
    p = target.model.pricing ?? catalogPrice({ format: target.provider.format, baseUrl: target.provider.baseUrl }, target.model.id) ?? null;
    PRICE_CACHE.set(target, p);
  }
  return p ?? undefined;
}

export function planRoute(config: GatewayConfig, input: RouteInput, view: RoutingView, opts: { explain?: boolean } = {}): RouteDecision {
  const { request } = input;
  const routing = config.routing;
  let classification: Classification | undefined;
  const classified = (): Classification => (classification ??= classify(request));
  if (opts.explain) classified();

  // Prompt tokens: a cheap upper bound first; the tokenizer only when a decision hinges on it.
  let upper: number | undefined;
  let counted: number | undefined;
  const upperBound = (): number => (upper ??= promptTokenUpperBound(request));
  const promptTokens = (): number => (counted ??= countPromptTokens(request));
  // Ranking by cost needs proportions, not exact counts: a quarter of the byte bound is close for
  // prose and costs nothing. A cost ceiling counts exactly. Explain ranks as the request would be
  // ranked (else it could show another order) and reports the exact count besides.

  // Class: the header, then the key's, then rules, then the default.
  let cls = routing.defaultClass;
  let classSource: RouteDecision['classSource'] = 'default';
  const headerClass = input.header(CLASS_HEADER);
  if (headerClass !== undefined) {
    const named = routing.classes.get(headerClass.trim());
    if (!named) {
      const known = [...routing.classes.keys()];
      throw invalid(CLASS_HEADER, `${CLASS_HEADER} names no traffic class "${headerClass}"; classes: ${known.join(', ') || '(none configured)'}`);
    }
    cls = named;
    classSource = 'header';
  } else if (input.key?.class !== undefined && routing.classes.has(input.key.class)) {
    cls = routing.classes.get(input.key.class)!;
    classSource = 'key';
  }

  let route = request.model;
  let strategyOverride: StrategyName | undefined;
  const matched: RouteDecision['rules'] = [];
  if (routing.rules.length > 0) {
    const session = sessionId(input);
    const resolve = (path: string): unknown => {
      const dot = path.indexOf('.');
      const root = dot < 0 ? path : path.slice(0, dot);
      const rest = dot < 0 ? '' : path.slice(dot + 1);
      switch (root) {
        case 'task':
          return classified().task;
        case 'complexity':
          return classified().complexity;
        case 'length':
          return classified().length;
        case 'latency_sensitive':
          return classified().latencySensitive;
        case 'class':
          return cls.name;
        case 'model':
          return request.model;
        case 'stream':
          return request.stream === true;
        case 'tools':
          return (request.tools?.length ?? 0) > 0;
        case 'images':
          return classified().features.hasImages;
        case 'json':
          return request.response_format !== undefined && request.response_format.type !== 'text';
        case 'max_tokens':
          return request.max_completion_tokens ?? request.max_tokens ?? undefined;
        case 'prompt_tokens':
          return promptTokens();
        case 'messages':
          return request.messages.length;
        case 'header':
          return rest ? input.header(rest) : undefined;
        case 'metadata': {
          const md = request.metadata;
          return rest && md && typeof md === 'object' ? (md as Record<string, unknown>)[rest] : undefined;
        }
        case 'user':
          return request.user;
        case 'session':
          return session;
        case 'key':
          return rest === 'name' || rest === '' ? input.key?.name : undefined;
        case 'tenant':
          return input.key?.tenant;
        default:
          return undefined;
      }
    };
    let routeSet = false;
    let classSet = classSource === 'header' || classSource === 'key';
    for (const rule of routing.rules) {
      if (!rule.when.test(resolve)) continue;
      const set: RouteDecision['rules'][number]['set'] = {};
      if (rule.route !== undefined && !routeSet) {
        route = rule.route;
        routeSet = true;
        set.route = rule.route;
      }
      if (rule.class !== undefined && !classSet) {
        cls = routing.classes.get(rule.class)!;
        classSource = 'rule';
        classSet = true;
        set.class = rule.class;
      }
      if (rule.strategy !== undefined && strategyOverride === undefined) {
        strategyOverride = rule.strategy;
        set.strategy = rule.strategy;
      }
      matched.push({ index: rule.index, when: rule.when.source, set });
    }
  }

  // `auto`, unless a public model has that name: a route per complexity.
  let autoWhy: string | undefined;
  if (route === 'auto' && !config.models.has('auto')) {
    if (!routing.auto) {
      throw new GatewayError(
        'model_not_found',
        "The model 'auto' is not configured: set routing.auto (a public model per complexity: simple, medium, complex)",
        { param: 'model' },
      );
    }
    const level = classified().complexity;
    route = routing.auto[level];
    autoWhy = `auto: ${level} → ${route}`;
  }

  // Tiers: the route's, the request's fallbacks (one tier each), then the class's degrade path.
  const pub = config.models.get(route);
  const tierLists = routeTiers(config, route, request.fallbacks);
  if (cls.degradeTo !== undefined && cls.degradeTo !== route) tierLists.push(...config.models.get(cls.degradeTo)!.tiers);
  const depth = cls.maxFallbackDepth ?? config.resilience.maxFallbackDepth;
  const droppedTiers = Math.max(0, tierLists.length - 1 - depth);

  // Hard filters, then ranking, tier by tier.
  const required = dataClasses(input);
  const embeddings = input.operation === 'embeddings';
  const needs = embeddings ? [] : neededCapabilities(request);
  const maxOut = embeddings ? 0 : (request.max_completion_tokens ?? request.max_tokens ?? undefined);
  const strategy: StrategyName = strategyOverride ?? pub?.strategy ?? 'priority';
  const wantsCost = cls.maxCostUsd !== undefined || strategy === 'cheapest' || strategy === 'adaptive' || opts.explain === true;
  const exactCost = cls.maxCostUsd !== undefined;
  if (opts.explain) promptTokens();
  const approxTokens = (): number => Math.ceil(upperBound() / 4);
  // Live stats only where something reads them: the common priority/weighted route needs none.
  const wantsP95 = strategy === 'performance' || cls.latencyBudgetMs !== undefined || opts.explain === true;
  const wantsStats = wantsP95 || !(strategy === 'priority' || strategy === 'weighted' || strategy === 'round_robin');
  const excluded: Exclusion[] = [];
  const candidates: Candidate[] = [];
  const seen = new Set<string>();
  let why = '';

  for (let tier = 0; tier <= depth && tier < tierLists.length; tier++) {
    const list = tierLists[tier]!;
    const keys: string[] = [];
    const weights: number[] = [];
    const stats: TargetStats[] = [];
    const kept: Candidate[] = [];
    for (let i = 0; i < list.targets.length; i++) {
      const target = list.targets[i]!;
      const key = keyOf(target);
      if (seen.has(key)) continue;
      seen.add(key);
      const cost = wantsCost ? estimateCost(target, maxOut, exactCost ? promptTokens : approxTokens) : undefined;
      const reason = exclusion(target, {
        needs,
        formats: input.formats,
        operation: input.operation ?? 'chat',
        required,
        cls,
        maxOut,
        upperBound,
        promptTokens,
        cost,
      });
      if (reason) {
        excluded.push({ target: key, tier, ...reason });
        continue;
      }
      const st: TargetStats = wantsStats ? view.stats(target, wantsP95) : { inFlight: 0, requests: 0, failures: 0 };
      if (cost !== undefined) st.costUsd = cost;
      keys.push(key);
      weights.push(list.weights?.[i] ?? 1);
      stats.push(st);
      const c: Candidate = { target, key, tier, available: view.unavailableUntil(target) === undefined };
      if (cost !== undefined) c.costUsd = cost;
      kept.push(c);
    }
    if (kept.length === 0) continue;
    const ranked =
      kept.length === 1
        ? undefined
        : rank(strategy, { keys, weights, stats, rng: view.rng, turn: view.turn(route, tier), options: pub?.strategyOptions ?? {} });
    let ordered = kept;
    if (ranked) {
      ordered = [];
      for (const j of ranked.order) {
        const c = kept[j]!;
        const score = ranked.scores[j];
        if (score !== undefined) c.score = score;
        ordered.push(c);
      }
    }
    if (cls.latencyBudgetMs !== undefined) {
      // Stable: targets whose recent p95 fits the budget (or is unknown) first, each group in rank order.
      const budget = cls.latencyBudgetMs;
      const fits = (c: Candidate): boolean => {
        const p95 = stats[keys.indexOf(c.key)]?.p95Ms;
        return p95 === undefined || p95 <= budget;
      };
      ordered = [...ordered.filter(fits), ...ordered.filter((c) => !fits(c))];
    }
    if (candidates.length === 0) why = ranked ? ranked.why : kept.length === 1 ? 'only eligible target of its tier' : strategy;
    candidates.push(...ordered);
  }

  if (candidates.length === 0) throw noEligibleTarget(route, excluded);

  // Affinity: a session stays on the target that served it while that target is in rotation.
  let session: RouteDecision['session'];
  const sid = pub?.affinity === 'none' ? undefined : sessionId(input);
  if (sid !== undefined) {
    const pinned = view.session(sid);
    const at = pinned === undefined ? -1 : candidates.findIndex((c) => c.key === pinned);
    if (pinned === undefined) session = { id: sid, outcome: 'new' };
    else if (at >= 0 && candidates[at]!.available) {
      if (at > 0) candidates.unshift(...candidates.splice(at, 1));
      session = { id: sid, outcome: 'kept' };
      why = `session kept on ${pinned}`;
    } else session = { id: sid, outcome: 'moved', from: pinned };
  }

  const decision: RouteDecision = {
    requested: request.model,
    route,
    class: cls,
    classSource,
    strategy,
    rules: matched,
    candidates,
    excluded,
    droppedTiers,
    maxAttempts: cls.maxAttempts ?? config.resilience.maxAttempts,
    why: [autoWhy, why].filter(Boolean).join('; '),
  };
  if (classification) decision.classification = classification;
  const hedge = cls.hedge ? (cls.hedgeConfig ?? pub?.hedge) : undefined;
  if (hedge) decision.hedge = hedge;
  if (cls.deadlineMs !== undefined) decision.deadlineMs = cls.deadlineMs;
  if (counted !== undefined) decision.promptTokens = { value: counted, how: isTokenizerLoaded() ? 'tokenizer' : 'estimate' };
  else if (upper !== undefined) decision.promptTokens = { value: upper, how: 'upper_bound' };
  if (session) decision.session = session;
  return decision;
}

/**
 * Whether planning will count tokens: a declared context window or a cost ceiling. The tokenizer
 * costs ~50 MB and a few hundred ms to load, so a gateway that never needs it never loads it.
 */
export function needsTokenizer(config: GatewayConfig): boolean {
  for (const p of config.providers.values()) for (const m of p.models.values()) if (m.contextWindow !== undefined) return true;
  for (const c of config.routing.classes.values()) if (c.maxCostUsd !== undefined) return true;
  return false;
}

export interface TierList {
  targets: readonly Target[];
  weights?: readonly number[];
}

/**
 * A route's tiers: a public model's, or the one target a `provider/model` names, then one tier per
 * entry of the request's `fallbacks`. Unknown names are client errors that say what exists.
 */
export function routeTiers(config: GatewayConfig, route: string, fallbacks?: readonly string[]): TierList[] {
  const tiers: TierList[] = [];
  const pub = config.models.get(route);
  if (pub) tiers.push(...pub.tiers);
  else {
    const t = route.includes('/') ? resolveTargetRef(config, route) : undefined;
    if (!t) throw unknownModel(config, route);
    tiers.push({ targets: [t] });
  }
  fallbacks?.forEach((ref, i) => {
    const t = resolveTargetRef(config, ref);
    if (!t) throw invalid(`fallbacks[${i}]`, `fallbacks[${i}] '${ref}' names no configured provider; providers: ${[...config.providers.keys()].join(', ')}`);
    tiers.push({ targets: [t] });
  });
  return tiers;
}

/** The conversation a request belongs to: the session header, else the OpenAI `user` field. */
export function sessionId(input: RouteInput): string | undefined {
  const h = input.header(SESSION_HEADER);
  if (h !== undefined && h !== '') return h;
  return typeof input.request.user === 'string' && input.request.user !== '' ? input.request.user : undefined;
}

/** Data classes the request needs honoured: its header plus its key's. */
function dataClasses(input: RouteInput): string[] {
  const out = new Set(input.key?.dataClasses ?? []);
  const h = input.header(DATA_CLASS_HEADER);
  if (h !== undefined) {
    for (const raw of h.split(',')) {
      const tag = raw.trim().toLowerCase();
      if (tag === '') continue;
      if (!(COMPLIANCE_TAGS as readonly string[]).includes(tag)) {
        throw invalid(
          DATA_CLASS_HEADER,
          `${DATA_CLASS_HEADER} has an unknown data class "${raw.trim()}"; allowed: ${COMPLIANCE_TAGS.join(', ')} (comma-separated)`,
        );
      }
      out.add(tag);
    }
  }
  return [...out];
}

function neededCapabilities(req: ChatRequest): { cap: Capability; because: string }[] {
  const needs: { cap: Capability; because: string }[] = [];
  if (req.messages.some((m) => m.role === 'user' && Array.isArray(m.content) && m.content.some((p) => p.type === 'image_url'))) {
    needs.push({ cap: 'vision', because: 'the request has image parts' });
  }
  if ((req.tools?.length ?? 0) > 0) needs.push({ cap: 'tools', because: 'the request has tools' });
  const fmt = req.response_format?.type;
  if (fmt === 'json_schema') needs.push({ cap: 'json_schema', because: 'response_format is json_schema' });
  else if (fmt === 'json_object') needs.push({ cap: 'json', because: 'response_format is json_object' });
  if (req.stream === true) needs.push({ cap: 'streaming', because: 'the request streams' });
  return needs;
}

interface FilterInput {
  needs: { cap: Capability; because: string }[];
  formats: ReadonlySet<WireFormat> | undefined;
  operation: 'chat' | 'embeddings';
  required: string[];
  cls: TrafficClass;
  maxOut: number | undefined;
  upperBound: () => number;
  promptTokens: () => number;
  cost: number | undefined;
}

/** The first hard rule a target breaks, or undefined when it may serve the request. */
function exclusion(target: Target, f: FilterInput): { rule: ExclusionRule; detail: string } | undefined {
  const m = target.model;
  if (f.formats && !f.formats.has(target.provider.format)) {
    return { rule: 'capability', detail: `its wire format (${target.provider.format}) has no ${f.operation} endpoint in Switchyard` };
  }
  for (const n of f.needs) {
    if (!m.capabilities.has(n.cap))
      return { rule: 'capability', detail: `needs ${n.cap} (${n.because}); the model declares ${[...m.capabilities].join(', ')}` };
  }
  if (m.contextWindow !== undefined) {
    const out = f.maxOut ?? 0;
    if (f.upperBound() + out > m.contextWindow) {
      const prompt = f.promptTokens();
      if (prompt + out > m.contextWindow) {
        return { rule: 'context_window', detail: `needs ${prompt} prompt + ${out} output tokens; the window is ${m.contextWindow}` };
      }
    }
  }
  const missing = f.required.length === 0 ? f.required : f.required.filter((tag) => !m.compliance.includes(tag));
  if (missing.length > 0) {
    return {
      rule: 'compliance',
      detail: `the request requires ${f.required.join(', ')}; the target lacks ${missing.join(', ')} (it offers ${m.compliance.join(', ') || 'none'})`,
    };
  }
  const floor = f.cls.qualityFloor;
  if (floor !== undefined && (m.quality === undefined || m.quality < floor)) {
    return { rule: 'quality_floor', detail: `class ${f.cls.name} needs quality ≥ ${floor}; the model's is ${m.quality ?? 'not declared'}` };
  }
  const ceiling = f.cls.maxCostUsd;
  if (ceiling !== undefined) {
    if (f.cost === undefined) return { rule: 'cost_ceiling', detail: `class ${f.cls.name} caps cost at $${ceiling}; no price is known for the model` };
    if (f.cost > ceiling) return { rule: 'cost_ceiling', detail: `estimated cost $${f.cost.toFixed(6)} exceeds class ${f.cls.name}'s ceiling $${ceiling}` };
  }
  return undefined;
}

/** Worst-case USD: the prompt at the input price plus the most output the request allows at the output price. */
function estimateCost(target: Target, maxOut: number | undefined, promptTokens: () => number): number | undefined {
  const price = priceOf(target);
  if (!price) return undefined;
  const out = maxOut ?? target.model.maxOutputTokens ?? DEFAULT_OUTPUT_ESTIMATE;
  return (promptTokens() * price.input + out * price.output) / 1_000_000;
}

function noEligibleTarget(route: string, excluded: Exclusion[]): GatewayError {
  const list = excluded.map((e) => `${e.target}: ${e.rule} (${e.detail})`).join('; ');
  return new GatewayError(
    'no_eligible_target',
    `No target of '${route}' may serve this request: ${list || 'the route has no targets within the fallback depth'}`,
    { param: 'model' },
  );
}

function unknownModel(config: GatewayConfig, model: string): GatewayError {
  const known = [...config.models.keys()];
  const providers = [...config.providers.keys()];
  const slash = model.indexOf('/');
  const hint =
    slash > 0
      ? `provider '${model.slice(0, slash)}' is not configured (providers: ${providers.join(', ') || 'none'})`
      : `known models: ${known.join(', ') || 'none'}; or address a provider directly as provider/model (providers: ${providers.join(', ')})`;
  return new GatewayError('model_not_found', `The model '${model}' does not exist: ${hint}`, { param: 'model' });
}
