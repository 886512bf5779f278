/**
 * The first half of planning: which route and traffic class a request gets, and whether a rule
 * picks the strategy. The class comes from the header, else the caller's key, else rules, else the
 * default; rules may also set the route and the strategy; `auto` becomes a route per complexity.
 */
import type { StrategyName } from '../config/strategy-options.js';
import type { GatewayConfig, RoutingConfig, RoutingRule, TrafficClass } from '../config/types.js';
import { GatewayError, invalid } from '../core/errors.js';
import type { RequestFacts } from './planner-facts.js';
import { CLASS_HEADER, type RouteDecision, type RouteInput, SESSION_HEADER } from './planner-types.js';

export interface Selection {
  route: string;
  cls: TrafficClass;
  classSource: RouteDecision['classSource'];
  /** The strategy the first rule that set one chose. */
  strategy: StrategyName | undefined;
  /** Rules that matched, in order, with what each one set. */
  rules: RouteDecision['rules'];
  /** `auto: <complexity> → <route>` when the route came from `auto`. */
  autoWhy: string | undefined;
}

export function selectRoute(config: GatewayConfig, input: RouteInput, facts: RequestFacts): Selection {
  const routing = config.routing;
  const sel: Selection = { route: input.request.model, cls: routing.defaultClass, classSource: 'default', strategy: undefined, rules: [], autoWhy: undefined };
  classBeforeRules(routing, input, sel);
  if (routing.rules.length > 0) applyRules(routing, input, facts, sel);
  if (sel.route === 'auto' && !config.models.has('auto')) resolveAuto(routing, facts, sel);
  return sel;
}

/** The class before rules: the header's, then the key's, else the default stays. */
function classBeforeRules(routing: RoutingConfig, input: RouteInput, sel: Selection): void {
  const headerClass = input.header(CLASS_HEADER);
  if (headerClass !== undefined) {
    const named = routing.classes.get(headerClass.trim());
    if (!named) {
      const known = [...routing.classes.keys()];
      throw invalid(CLASS_HEADER, `${CLASS_HEADER} names no traffic class "${headerClass}"; classes: ${known.join(', ') || '(none configured)'}`);
    }
    sel.cls = named;
    sel.classSource = 'header';
  } else if (input.key?.class !== undefined && routing.classes.has(input.key.class)) {
    sel.cls = routing.classes.get(input.key.class)!;
    sel.classSource = 'key';
  }
}

/** Every rule in order; the first to set the route, the class or the strategy wins it. */
function applyRules(routing: RoutingConfig, input: RouteInput, facts: RequestFacts, sel: Selection): void {
  const resolve = ruleContext(input, facts, sel);
  let routeSet = false;
  let classSet = sel.classSource === 'header' || sel.classSource === 'key';
  for (const rule of routing.rules) {
    if (!rule.when.test(resolve)) continue;
    const set: RouteDecision['rules'][number]['set'] = {};
    if (rule.route !== undefined && !routeSet) {
      sel.route = rule.route;
      routeSet = true;
      set.route = rule.route;
    }
    if (rule.class !== undefined && !classSet) {
      sel.cls = routing.classes.get(rule.class)!;
      sel.classSource = 'rule';
      classSet = true;
      set.class = rule.class;
    }
    if (rule.strategy !== undefined && sel.strategy === undefined) {
      sel.strategy = rule.strategy;
      set.strategy = rule.strategy;
    }
    sel.rules.push(matchOf(rule, set));
  }
}

function matchOf(rule: RoutingRule, set: RouteDecision['rules'][number]['set']): RouteDecision['rules'][number] {
  return { index: rule.index, when: rule.when.source, set };
}

/** The resolver rules read paths with (docs/conditions.md); `class` is the class as rules so far set it. */
function ruleContext(input: RouteInput, facts: RequestFacts, sel: Selection): (path: string) => unknown {
  const session = sessionId(input);
  return (path) => {
    const dot = path.indexOf('.');
    const root = dot < 0 ? path : path.slice(0, dot);
    const rest = dot < 0 ? '' : path.slice(dot + 1);
    return pathValue(root, rest, input, facts, sel, session);
  };
}

function pathValue(root: string, rest: string, input: RouteInput, facts: RequestFacts, sel: Selection, session: string | undefined): unknown {
  const request = input.request;
  switch (root) {
    case 'task':
      return facts.classified().task;
    case 'complexity':
      return facts.classified().complexity;
    case 'length':
      return facts.classified().length;
    case 'latency_sensitive':
      return facts.classified().latencySensitive;
    case 'class':
      return sel.cls.name;
    case 'model':
      return request.model;
    case 'stream':
      return request.stream === true;
    case 'tools':
      return (request.tools?.length ?? 0) > 0;
    case 'images':
      return facts.classified().features.hasImages;
    case 'json':
      return request.response_format !== undefined && request.response_format.type !== 'text';
    case 'max_tokens':
      return request.max_completion_tokens ?? request.max_tokens ?? undefined;
    case 'prompt_tokens':
      return facts.promptTokens();
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
}

/** `auto` (unless a public model has that name): the route routing.auto names for the complexity. */
function resolveAuto(routing: RoutingConfig, facts: RequestFacts, sel: Selection): void {
  if (!routing.auto) {
    throw new GatewayError('model_not_found', "The model 'auto' is not configured: set routing.auto (a public model per complexity: simple, medium, complex)", {
      param: 'model',
    });
  }
  const level = facts.classified().complexity;
  sel.route = routing.auto[level];
  sel.autoWhy = `auto: ${level} → ${sel.route}`;
}

/** The conversation a request belongs to: the session header, else the OpenAI `user` field. */
export function sessionId(input: RouteInput): string | undefined {
  const h = input.header(SESSION_HEADER);
  if (h !== undefined && h !== '') return h;
  return typeof input.request.user === 'string' && input.request.user !== '' ? input.request.user : undefined;
}
