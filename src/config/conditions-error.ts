/**
 * The limits of the condition language and the error a condition that breaks a rule of it raises
 * (conditions.ts is the entry point; docs/conditions.md the reference).
 */

/** Longest regex pattern accepted, in characters: short patterns keep backtracking within reason. */
export const MAX_REGEX_SOURCE_LENGTH = 200;
/** `=~` and `!~` look at no more than this many leading characters of a value. */
export const MAX_REGEX_INPUT_LENGTH = 10_000;
/** Deepest nesting of parentheses and `not`: keeps parsing and evaluation off the stack limit. */
export const MAX_CONDITION_DEPTH = 32;

export class ConditionError extends Error {
  /** 0-based offset into `source` where the problem was found. */
  readonly position: number;
  /** One line: what was wrong, where, and what was expected (the message without the excerpt). */
  readonly reason: string;
  readonly source: string;

  constructor(reason: string, position: number, source: string) {
    super(`${reason}\n${excerpt(source, position)}`);
    this.name = 'ConditionError';
    this.reason = reason;
    this.position = position;
    this.source = source;
  }
}

/** The source line holding `position` with a caret under it, indented to sit under a config issue. */
function excerpt(source: string, position: number): string {
  const start = source.lastIndexOf('\n', position - 1) + 1;
  const newline = source.indexOf('\n', position);
  const line = source.slice(start, newline === -1 ? source.length : newline).replace(/[\t\r]/g, ' ');
  return `    ${line}\n    ${' '.repeat(Math.max(0, position - start))}^`;
}
