import { ConditionError, compileCondition } from './conditions.js';
import type { CompileContext } from './context.js';
import { frozenMap } from './freeze.js';
import { compileHedge } from './hedge.js';
import type { RawRouting } from './schema.js';
import { didYouMean } from './suggest.js';
import type { PublicModel, RoutingConfig, RoutingRule, TrafficClass } from './types.js';

/**
 * What a routing rule's `when` may read (docs/routing.md#rules). `header.<name>` and
 * `metadata.<key>` take a further segment.
 */
export const CONDITION_ROOTS = [
  'task',
  'complexity',
  'length',
  'latency_sensitive',
  'class',
  'model',
  'stream',
  'tools',
  'images',
  'json',
  'max_tokens',
  'prompt_tokens',
  'messages',
  'header',
  'metadata',
  'user',
  'session',
  'key',
  'tenant',
] as const;

/** The class requests get when nothing names one and routing.default_class is unset. */
export const IMPLICIT_CLASS: TrafficClass = Object.freeze({ name: 'default', hedge: true });

export function compileRouting(raw: RawRouting | undefined, models: ReadonlyMap<string, PublicModel>, ctx: CompileContext): RoutingConfig {
  const r = raw ?? {};
  const checkModel = modelCheck(models, ctx);
  const classes = compileClasses(r.classes ?? {}, checkModel, ctx);
  const checkClass = classCheck(classes, ctx);
  const defaultClass = chooseDefaultClass(r.default_class, classes, checkClass);
  const rules = compileRules(r.rules ?? [], checkModel, checkClass, ctx);

  const out: RoutingConfig = { classes: frozenMap([...classes]), defaultClass, rules: Object.freeze(rules) };
  if (r.auto) {
    for (const level of ['simple', 'medium', 'complex'] as const) checkModel(r.auto[level], ['routing', 'auto', level]);
    out.auto = Object.freeze({ ...r.auto });
  }
  return Object.freeze(out);
}

type RawClass = NonNullable<RawRouting['classes']>[string];
type RawRule = NonNullable<RawRouting['rules']>[number];
/** Records an error at path when name is not declared. */
type NameCheck = (name: string, path: (string | number)[]) => void;

function modelCheck(models: ReadonlyMap<string, PublicModel>, ctx: CompileContext): NameCheck {
  const modelNames = [...models.keys()];
  return (name, path) => {
    if (!models.has(name)) {
      ctx.error(path, `names no public model "${name}"${didYouMean(name, modelNames)}; public models: ${modelNames.join(', ') || '(none)'}`);
    }
  };
}

function classCheck(classes: ReadonlyMap<string, TrafficClass>, ctx: CompileContext): NameCheck {
  const classNames = [...classes.keys()];
  return (name, path) => {
    if (!classes.has(name))
      ctx.error(path, `names no class "${name}"${didYouMean(name, classNames)}; classes: ${classNames.join(', ') || '(none declared under routing.classes)'}`);
  };
}

function compileClasses(raw: Record<string, RawClass>, checkModel: NameCheck, ctx: CompileContext): Map<string, TrafficClass> {
  const classes = new Map<string, TrafficClass>();
  for (const [name, c] of Object.entries(raw)) classes.set(name, compileClass(name, c, checkModel, ctx));
  return classes;
}

function compileClass(name: string, c: RawClass, checkModel: NameCheck, ctx: CompileContext): TrafficClass {
  const cls: TrafficClass = { name, hedge: c.hedge !== false };
  if (typeof c.hedge === 'object') {
    const hedge = compileHedge(c.hedge, ['routing', 'classes', name, 'hedge'], ctx);
    if (hedge) cls.hedgeConfig = hedge;
  }
  if (c.quality_floor !== undefined) cls.qualityFloor = c.quality_floor;
  if (c.max_attempts !== undefined) cls.maxAttempts = c.max_attempts;
  if (c.max_fallback_depth !== undefined) cls.maxFallbackDepth = c.max_fallback_depth;
  if (c.deadline_ms !== undefined) cls.deadlineMs = c.deadline_ms;
  if (c.max_cost_usd !== undefined) cls.maxCostUsd = c.max_cost_usd;
  if (c.latency_budget_ms !== undefined) cls.latencyBudgetMs = c.latency_budget_ms;
  if (c.degrade_to !== undefined) {
    checkModel(c.degrade_to, ['routing', 'classes', name, 'degrade_to']);
    cls.degradeTo = c.degrade_to;
  }
  return Object.freeze(cls);
}

/** A class declared as "default" replaces IMPLICIT_CLASS; a default_class naming no class falls back to it (with the error recorded). */
function chooseDefaultClass(name: string | undefined, classes: ReadonlyMap<string, TrafficClass>, checkClass: NameCheck): TrafficClass {
  const fallback = classes.get('default') ?? IMPLICIT_CLASS;
  if (name === undefined) return fallback;
  checkClass(name, ['routing', 'default_class']);
  return classes.get(name) ?? fallback;
}

function compileRules(raw: readonly RawRule[], checkModel: NameCheck, checkClass: NameCheck, ctx: CompileContext): RoutingRule[] {
  const rules: RoutingRule[] = [];
  raw.forEach((rawRule, index) => {
    const rule = compileRule(rawRule, index, checkModel, checkClass, ctx);
    if (rule) rules.push(rule);
  });
  return rules;
}

/** Undefined when `when` does not compile; the rule's other mistakes are recorded but do not drop it. */
function compileRule(raw: RawRule, index: number, checkModel: NameCheck, checkClass: NameCheck, ctx: CompileContext): RoutingRule | undefined {
  const path = ['routing', 'rules', index];
  if (raw.route === undefined && raw.class === undefined && raw.strategy === undefined) {
    ctx.error(path, 'does nothing: give at least one of route, class or strategy');
  }
  if (raw.route !== undefined) checkModel(raw.route, [...path, 'route']);
  if (raw.class !== undefined) checkClass(raw.class, [...path, 'class']);
  try {
    const when = compileCondition(raw.when, { knownRoots: CONDITION_ROOTS });
    const rule: RoutingRule = { index, when };
    if (raw.route !== undefined) rule.route = raw.route;
    if (raw.class !== undefined) rule.class = raw.class;
    if (raw.strategy !== undefined) rule.strategy = raw.strategy;
    return Object.freeze(rule);
  } catch (err) {
    if (!(err instanceof ConditionError)) throw err;
    ctx.error([...path, 'when'], err.message);
    return undefined;
  }
}
