/**
 * The condition language of routing rules (`when:` in the config), e.g.
 * `task == "code" and complexity in ["medium", "complex"]`. Reference: docs/conditions.md.
 *
 * A condition is parsed once, at config load, straight into closures: a request only calls them.
 * Compilation is strict (every mistake is a ConditionError with a position); evaluation is total
 * (a value of the wrong type or shape makes a comparison false, it never throws), because a routing
 * decision must not fail a request the gateway could otherwise serve.
 *
 * The parts: conditions-lexer.ts (tokens), conditions-parser.ts (grammar, into closures),
 * conditions-eval.ts (the closures: how values compare), conditions-error.ts (limits, errors).
 */
import { ConditionError, MAX_CONDITION_DEPTH, MAX_REGEX_INPUT_LENGTH, MAX_REGEX_SOURCE_LENGTH } from './conditions-error.js';
import type { ConditionContext } from './conditions-eval.js';
import { Parser } from './conditions-parser.js';

export type { ConditionContext };
export { ConditionError, MAX_CONDITION_DEPTH, MAX_REGEX_INPUT_LENGTH, MAX_REGEX_SOURCE_LENGTH };

export interface CompiledCondition {
  readonly source: string;
  /** Each path the condition reads, as passed to the context (header names lower-cased), in order of first use. */
  readonly paths: readonly string[];
  /** Never throws: a context that throws makes the whole condition false. */
  test(ctx: ConditionContext): boolean;
}

export interface CompileConditionOptions {
  /** Allowed first segments of a path, e.g. `task`, `header`, `metadata`. */
  readonly knownRoots: readonly string[];
}

export function compileCondition(source: string, options: CompileConditionOptions): CompiledCondition {
  const parser = new Parser(source, options.knownRoots);
  const predicate = parser.parse();
  const paths = Object.freeze([...parser.paths]);
  return Object.freeze({
    source,
    paths,
    test: (ctx: ConditionContext): boolean => {
      try {
        return predicate(ctx);
      } catch {
        return false;
      }
    },
  });
}
