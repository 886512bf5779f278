/**
 * Evaluation of a parsed condition: the closures the parser builds. Values are compared by type
 * first: no coercion between strings, numbers and booleans. Total: a value of the wrong type or
 * shape makes a comparison false, it never throws.
 */
import { MAX_REGEX_INPUT_LENGTH } from './conditions-error.js';
import type { CompareOp, Scalar } from './conditions-lexer.js';

/**
 * Resolves a dotted path (`task`, `metadata.feature`, `header.x-team`) to its value for the current
 * request, `undefined` when absent. Header names arrive lower-cased: `header.X-Team` in a condition
 * is looked up as `header.x-team`, so the resolver should key headers by their lower-case name.
 */
export type ConditionContext = (path: string) => unknown;

export type Predicate = (ctx: ConditionContext) => boolean;
export type Getter = (ctx: ConditionContext) => unknown;
export type Operand = { readonly kind: 'path'; readonly path: string } | { readonly kind: 'literal'; readonly value: Scalar };

export function anyOf(parts: readonly Predicate[]): Predicate {
  const [a, b] = parts;
  if (a === undefined) return () => false;
  if (b === undefined) return a;
  if (parts.length === 2) return (ctx) => a(ctx) || b(ctx);
  return (ctx) => parts.some((part) => part(ctx));
}

export function allOf(parts: readonly Predicate[]): Predicate {
  const [a, b] = parts;
  if (a === undefined) return () => true;
  if (b === undefined) return a;
  if (parts.length === 2) return (ctx) => a(ctx) && b(ctx);
  return (ctx) => parts.every((part) => part(ctx));
}

export function getter(operand: Operand): Getter {
  if (operand.kind === 'literal') {
    const value = operand.value;
    return () => value;
  }
  const path = operand.path;
  return (ctx) => ctx(path);
}

const isAbsent = (value: unknown): value is null | undefined => value === null || value === undefined;

/** `==`: null matches absent; otherwise equal strings, numbers or booleans. Lists and mappings equal nothing. */
function sameValue(a: unknown, b: unknown): boolean {
  if (isAbsent(a) || isAbsent(b)) return isAbsent(a) && isAbsent(b);
  const type = typeof a;
  return (type === 'string' || type === 'number' || type === 'boolean') && a === b;
}

/** Sign of a - b for two numbers or two strings (by UTF-16 code unit), NaN otherwise: every ordering test on NaN is false. */
function order(a: unknown, b: unknown): number {
  if ((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string')) {
    return a < b ? -1 : a > b ? 1 : a === b ? 0 : Number.NaN;
  }
  return Number.NaN;
}

/** A bare path: false when absent, false, 0, NaN, "", an empty list or an empty mapping. */
function truthy(value: unknown): boolean {
  if (isAbsent(value) || value === false || value === 0 || value === '' || Number.isNaN(value)) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

export function truthyAt(path: string): Predicate {
  return (ctx) => truthy(ctx(path));
}

export function compare(op: Exclude<CompareOp, '=~' | '!~'>, left: Operand, right: Operand): Predicate {
  const l = getter(left);
  // The common `path == "literal"`: a strict equality says it all once the literal is not null.
  if ((op === '==' || op === '!=') && right.kind === 'literal') {
    const value = right.value;
    const equal: Predicate = value === null ? (ctx) => isAbsent(l(ctx)) : (ctx) => l(ctx) === value;
    return op === '==' ? equal : (ctx) => !equal(ctx);
  }
  const r = getter(right);
  switch (op) {
    case '==':
      return (ctx) => sameValue(l(ctx), r(ctx));
    case '!=':
      return (ctx) => !sameValue(l(ctx), r(ctx));
    case '<':
      return (ctx) => order(l(ctx), r(ctx)) < 0;
    case '<=':
      return (ctx) => order(l(ctx), r(ctx)) <= 0;
    case '>':
      return (ctx) => order(l(ctx), r(ctx)) > 0;
    case '>=':
      return (ctx) => order(l(ctx), r(ctx)) >= 0;
  }
}

export function memberOf(value: Getter, items: readonly Scalar[]): Predicate {
  // Set.has compares like ===, which for scalars is exactly `==` above.
  const set: ReadonlySet<unknown> = new Set(items.filter((item) => item !== null));
  const hasNull = items.includes(null);
  return (ctx) => {
    const v = value(ctx);
    return isAbsent(v) ? hasNull : set.has(v);
  };
}

export function regexTest(value: Getter, regex: RegExp): Predicate {
  // No 'g' or 'y' flag is accepted, so test() keeps no state between calls and the RegExp can be shared.
  return (ctx) => {
    const v = value(ctx);
    return typeof v === 'string' && regex.test(v.length > MAX_REGEX_INPUT_LENGTH ? v.slice(0, MAX_REGEX_INPUT_LENGTH) : v);
  };
}
