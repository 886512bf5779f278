/**
 * The condition language of routing rules (`when:` in the config), e.g.
 * `task == "code" and complexity in ["medium", "complex"]`. Reference: docs/conditions.md.
 *
 * A condition is parsed once, at config load, straight into closures: a request only calls them.
 * Compilation is strict (every mistake is a ConditionError with a position); evaluation is total
 * (a value of the wrong type or shape makes a comparison false, it never throws), because a routing
 * decision must not fail a request the gateway could otherwise serve.
 */
import { closest } from './suggest.js';

/**
 * Resolves a dotted path (`task`, `metadata.feature`, `header.x-team`) to its value for the current
 * request, `undefined` when absent. Header names arrive lower-cased: `header.X-Team` in a condition
 * is looked up as `header.x-team`, so the resolver should key headers by their lower-case name.
 */
export type ConditionContext = (path: string) => unknown;

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

/** Longest regex pattern accepted, in characters: short patterns keep backtracking within reason. */
export const MAX_REGEX_SOURCE_LENGTH = 200;
/** `=~` and `!~` look at no more than this many leading characters of a value. */
export const MAX_REGEX_INPUT_LENGTH = 10_000;
/** Deepest nesting of parentheses and `not`: keeps parsing and evaluation off the stack limit. */
export const MAX_CONDITION_DEPTH = 32;

/** The root whose second segment is a header name, matched case-insensitively. */
const HEADER_ROOT = 'header';
const REGEX_FLAGS = 'imsu';

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

// ---------------------------------------------------------------------------------------------
// Tokens

type Scalar = string | number | boolean | null;
type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | '=~' | '!~';
type Word = 'and' | 'or' | 'not' | 'in';
type Punct = '(' | ')' | '[' | ']' | ',';

interface Span {
  readonly pos: number;
  readonly end: number;
}

type Token =
  | (Span & { readonly kind: 'literal'; readonly value: Scalar })
  | (Span & { readonly kind: 'regex'; readonly regex: RegExp })
  | (Span & { readonly kind: 'path'; readonly path: string })
  | (Span & { readonly kind: 'word'; readonly word: Word })
  | (Span & { readonly kind: 'op'; readonly op: CompareOp })
  | (Span & { readonly kind: 'punct'; readonly char: Punct })
  | (Span & { readonly kind: 'eof' });

const WORDS: ReadonlySet<string> = new Set<Word>(['and', 'or', 'not', 'in']);
const SEGMENT = /[A-Za-z_][A-Za-z0-9_-]*/y;
const NUMBER = /-?[0-9]+(?:\.[0-9]+)?/y;
const NUMBER_TAIL = /[A-Za-z0-9_.-]*/y;

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

function matchAt(re: RegExp, text: string, at: number): string | undefined {
  re.lastIndex = at;
  return re.exec(text)?.[0];
}

/** Scans on demand, so the first problem reported is the first one in the source. */
class Lexer {
  private index = 0;
  private lastEnd = 0;
  private peeked: Token | undefined;

  constructor(private readonly src: string) {}

  peek(): Token {
    this.peeked ??= this.scan();
    return this.peeked;
  }

  next(): Token {
    const token = this.peek();
    this.peeked = undefined;
    return token;
  }

  /** The source text of a token, for messages; long tokens are shortened. */
  describe(token: Token): string {
    if (token.kind === 'eof') return 'the end of the condition';
    const raw = this.src.slice(token.pos, token.end);
    const text = raw.length > 40 ? `${raw.slice(0, 39)}…` : raw;
    return token.kind === 'regex' || (token.kind === 'literal' && typeof token.value !== 'boolean' && token.value !== null) ? text : `'${text}'`;
  }

  fail(position: number, reason: string): ConditionError {
    return new ConditionError(reason, position, this.src);
  }

  private scan(): Token {
    const s = this.src;
    while (isSpace(s[this.index])) this.index++;
    const pos = this.index;
    const c = s[pos];
    // The end sits just after the last token, so a caret for "expected ... after '=='" lands there.
    if (c === undefined) return { kind: 'eof', pos: this.lastEnd, end: this.lastEnd };
    const token = this.scanAt(pos, c);
    this.index = token.end;
    this.lastEnd = token.end;
    return token;
  }

  private scanAt(pos: number, c: string): Token {
    const s = this.src;
    const next = s[pos + 1];
    if (c === '"') return this.string(pos);
    if (c === '/') return this.regex(pos);
    if (isDigit(c) || (c === '-' && isDigit(next))) return this.number(pos);
    if (/[A-Za-z_]/.test(c)) return this.path(pos);
    switch (c) {
      case '(':
      case ')':
      case '[':
      case ']':
      case ',':
        return { kind: 'punct', char: c, pos, end: pos + 1 };
      case '=':
        if (next === '=' && s[pos + 2] === '=') throw this.fail(pos, `'===' is not an operator at ${pos}; use '=='`);
        if (next === '=' || next === '~') return { kind: 'op', op: next === '=' ? '==' : '=~', pos, end: pos + 2 };
        if (next === '<' || next === '>') throw this.fail(pos, `'=${next}' is not an operator at ${pos} (did you mean '${next}='?)`);
        throw this.fail(pos, `'=' is not an operator at ${pos} (did you mean '=='?)`);
      case '!':
        if (next === '=' || next === '~') return { kind: 'op', op: next === '=' ? '!=' : '!~', pos, end: pos + 2 };
        throw this.fail(pos, `'!' is not an operator at ${pos}; negate with 'not', compare with '!=' or '!~'`);
      case '<':
      case '>':
        return next === '=' ? { kind: 'op', op: c === '<' ? '<=' : '>=', pos, end: pos + 2 } : { kind: 'op', op: c, pos, end: pos + 1 };
      case '&':
        throw this.fail(pos, `'${next === '&' ? '&&' : '&'}' is not an operator at ${pos}; use 'and'`);
      case '|':
        throw this.fail(pos, `'${next === '|' ? '||' : '|'}' is not an operator at ${pos}; use 'or'`);
      case '~':
        throw this.fail(pos, `'~' is not an operator at ${pos}; match a regex with '=~' or '!~'`);
      case "'":
        throw this.fail(pos, `unexpected "'" at ${pos}; strings are written in double quotes, such as "code"`);
      case '-':
        throw this.fail(pos, `unexpected '-' at ${pos}; a negative number is written with no space, such as -1`);
      default:
        throw this.fail(pos, `unexpected character ${JSON.stringify(c)} at ${pos}`);
    }
  }

  private string(pos: number): Token {
    const s = this.src;
    let value = '';
    for (let i = pos + 1; i < s.length; i++) {
      const c = s[i];
      if (c === '"') return { kind: 'literal', value, pos, end: i + 1 };
      if (c === '\\') {
        const escaped = s[i + 1];
        if (escaped !== '"' && escaped !== '\\') {
          const shown = escaped === undefined ? '\\' : `\\${escaped}`;
          throw this.fail(i, `unsupported escape '${shown}' at ${i}; strings allow only \\" and \\\\`);
        }
        value += escaped;
        i++;
      } else {
        value += c;
      }
    }
    throw this.fail(pos, `unterminated string at ${pos}; expected a closing '"'`);
  }

  private regex(pos: number): Token {
    const s = this.src;
    let i = pos + 1;
    let inClass = false;
    for (;;) {
      const c = s[i];
      if (c === undefined || c === '\n' || c === '\r') throw this.fail(pos, `unterminated regex at ${pos}; expected a closing '/'`);
      if (c === '\\') i++;
      else if (c === '[') inClass = true;
      else if (c === ']') inClass = false;
      // A '/' inside [...] does not end a JavaScript regex either.
      else if (c === '/' && !inClass) break;
      i++;
    }
    const body = s.slice(pos + 1, i);
    let end = i + 1;
    let flags = '';
    while (end < s.length && /[A-Za-z0-9_]/.test(s[end] ?? '')) {
      const flag = s[end] ?? '';
      if (!REGEX_FLAGS.includes(flag)) throw this.fail(end, `unsupported regex flag '${flag}' at ${end}; allowed flags: i, m, s, u`);
      if (flags.includes(flag)) throw this.fail(end, `repeated regex flag '${flag}' at ${end}`);
      flags += flag;
      end++;
    }
    if (body === '') throw this.fail(pos, `empty regex at ${pos}; write a pattern between the slashes, such as /^summar/i`);
    if (body.length > MAX_REGEX_SOURCE_LENGTH) {
      throw this.fail(pos, `regex too long at ${pos}: ${body.length} characters, at most ${MAX_REGEX_SOURCE_LENGTH} are allowed`);
    }
    let regex: RegExp;
    try {
      regex = new RegExp(body, flags);
    } catch (err) {
      // V8 says "Invalid regular expression: /(/: Unterminated group"; the last part is the news.
      const detail = err instanceof Error ? (err.message.split(': ').pop() ?? err.message) : String(err);
      throw this.fail(pos, `invalid regex at ${pos}: ${detail}`);
    }
    return { kind: 'regex', regex, pos, end };
  }

  private number(pos: number): Token {
    const s = this.src;
    const text = matchAt(NUMBER, s, pos) ?? '';
    const tail = matchAt(NUMBER_TAIL, s, pos + text.length) ?? '';
    if (tail !== '' || text === '') {
      throw this.fail(pos, `invalid number '${text}${tail}' at ${pos}; numbers are written like 42, -1 or 0.5`);
    }
    const value = Number(text);
    if (!Number.isFinite(value)) throw this.fail(pos, `number out of range at ${pos}`);
    return { kind: 'literal', value, pos, end: pos + text.length };
  }

  private path(pos: number): Token {
    const s = this.src;
    let end = pos + (matchAt(SEGMENT, s, pos) ?? '').length;
    while (s[end] === '.') {
      const segment = matchAt(SEGMENT, s, end + 1);
      if (segment === undefined) {
        const found = s[end + 1] === undefined ? 'the end of the condition' : JSON.stringify(s[end + 1]);
        throw this.fail(end + 1, `expected a name after '.' at ${end + 1}, found ${found}; names start with a letter or '_'`);
      }
      end += 1 + segment.length;
    }
    const text = s.slice(pos, end);
    if (WORDS.has(text)) return { kind: 'word', word: text as Word, pos, end };
    if (text === 'true' || text === 'false') return { kind: 'literal', value: text === 'true', pos, end };
    if (text === 'null') return { kind: 'literal', value: null, pos, end };
    return { kind: 'path', path: text, pos, end };
  }
}

// ---------------------------------------------------------------------------------------------
// Parser: recursive descent that returns closures. Grammar, loosest binding first:
//   condition  := and ('or' and)*
//   and        := unary ('and' unary)*
//   unary      := 'not' unary | '(' condition ')' | comparison
//   comparison := operand [op operand] | operand ('in' | 'not' 'in') list | operand ('=~' | '!~') regex
//   operand    := path | string | number | true | false | null

type Predicate = (ctx: ConditionContext) => boolean;
type Getter = (ctx: ConditionContext) => unknown;
type Operand = { readonly kind: 'path'; readonly path: string } | { readonly kind: 'literal'; readonly value: Scalar };

const OPERATORS = '==, !=, <, <=, >, >=, in, not in, =~, !~';

class Parser {
  private readonly lexer: Lexer;
  readonly paths: string[] = [];

  constructor(
    src: string,
    private readonly roots: readonly string[],
  ) {
    this.lexer = new Lexer(src);
  }

  parse(): Predicate {
    if (this.lexer.peek().kind === 'eof') throw this.lexer.fail(0, `empty condition at 0; expected one such as task == "code"`);
    const predicate = this.or(0, undefined);
    const token = this.lexer.next();
    if (token.kind !== 'eof') {
      const hint = token.kind === 'punct' && token.char === ')' ? " (there is no '(' to close)" : this.joinHint(token);
      throw this.lexer.fail(token.pos, `expected 'and', 'or' or the end of the condition at ${token.pos}, found ${this.lexer.describe(token)}${hint}`);
    }
    return predicate;
  }

  private or(depth: number, after: string | undefined): Predicate {
    const parts = [this.and(depth, after)];
    while (this.isWord(this.lexer.peek(), 'or')) {
      this.lexer.next();
      parts.push(this.and(depth, "'or'"));
    }
    return anyOf(parts);
  }

  private and(depth: number, after: string | undefined): Predicate {
    const parts = [this.unary(depth, after)];
    while (this.isWord(this.lexer.peek(), 'and')) {
      this.lexer.next();
      parts.push(this.unary(depth, "'and'"));
    }
    return allOf(parts);
  }

  private unary(depth: number, after: string | undefined): Predicate {
    const token = this.lexer.peek();
    if (this.isWord(token, 'not') || (token.kind === 'punct' && token.char === '(')) {
      if (depth >= MAX_CONDITION_DEPTH) {
        throw this.lexer.fail(token.pos, `condition nested too deeply at ${token.pos}; at most ${MAX_CONDITION_DEPTH} levels of parentheses and 'not'`);
      }
      this.lexer.next();
      if (token.kind === 'word') {
        const inner = this.unary(depth + 1, "'not'");
        return (ctx) => !inner(ctx);
      }
      const inner = this.or(depth + 1, "'('");
      const close = this.lexer.next();
      if (close.kind !== 'punct' || close.char !== ')') {
        throw this.lexer.fail(
          close.pos,
          `expected 'and', 'or' or ')' at ${close.pos}, found ${this.lexer.describe(close)} (the '(' at ${token.pos} is not closed)${this.joinHint(close)}`,
        );
      }
      return inner;
    }
    return this.comparison(after);
  }

  private comparison(after: string | undefined): Predicate {
    const first = this.lexer.next();
    if (first.kind !== 'path' && first.kind !== 'literal') {
      let hint = '';
      if (first.kind === 'regex') hint = "; a regex can only follow '=~' or '!~'";
      else if (first.kind === 'punct' && first.char === '[') hint = "; a list can only follow 'in' or 'not in'";
      const where = after === undefined ? '' : ` after ${after}`;
      throw this.lexer.fail(first.pos, `expected a condition${where} at ${first.pos}, found ${this.lexer.describe(first)}${hint}`);
    }
    const left = this.operand(first);
    const opToken = this.lexer.peek();

    if (opToken.kind === 'op') {
      this.lexer.next();
      const op = opToken.op;
      const right = this.lexer.next();
      if (op === '=~' || op === '!~') {
        if (right.kind !== 'regex') {
          const hint = right.kind === 'literal' && typeof right.value === 'string' ? ' (write the pattern between slashes, not quotes)' : '';
          throw this.lexer.fail(right.pos, `expected a regex such as /^summar/i after '${op}' at ${right.pos}, found ${this.lexer.describe(right)}${hint}`);
        }
        const matches = regexTest(getter(left), right.regex);
        return op === '=~' ? matches : (ctx) => !matches(ctx);
      }
      if (right.kind !== 'path' && right.kind !== 'literal') {
        let hint = '';
        if (right.kind === 'regex') hint = " (match a regex with '=~')";
        else if (right.kind === 'punct' && right.char === '[') hint = " (compare with a list using 'in')";
        throw this.lexer.fail(right.pos, `expected a value after '${op}' at ${right.pos}, found ${this.lexer.describe(right)}${hint}`);
      }
      return compare(op, left, this.operand(right));
    }

    if (this.isWord(opToken, 'in') || this.isWord(opToken, 'not')) {
      this.lexer.next();
      let op = 'in';
      if (opToken.kind === 'word' && opToken.word === 'not') {
        const inWord = this.lexer.next();
        if (!this.isWord(inWord, 'in')) {
          throw this.lexer.fail(inWord.pos, `expected 'in' after 'not' at ${inWord.pos}, found ${this.lexer.describe(inWord)}`);
        }
        op = 'not in';
      }
      const member = memberOf(getter(left), this.list(op));
      return op === 'in' ? member : (ctx) => !member(ctx);
    }

    if (left.kind === 'path') return truthyAt(left.path);
    if (typeof left.value === 'boolean') {
      const value = left.value;
      return () => value;
    }
    throw this.lexer.fail(
      opToken.pos,
      `expected a comparison operator (${OPERATORS}) after ${this.lexer.describe(first)} at ${opToken.pos}, found ${this.lexer.describe(opToken)}`,
    );
  }

  private list(op: string): Scalar[] {
    const open = this.lexer.next();
    if (open.kind !== 'punct' || open.char !== '[') {
      const hint = open.kind === 'path' ? "; 'in' takes a list of values written in the condition, not a path" : '';
      throw this.lexer.fail(open.pos, `expected a list such as ["a", "b"] after '${op}' at ${open.pos}, found ${this.lexer.describe(open)}${hint}`);
    }
    const items: Scalar[] = [];
    let token = this.lexer.next();
    if (token.kind === 'punct' && token.char === ']') return items;
    for (;;) {
      if (token.kind !== 'literal') {
        const expected = items.length === 0 ? "a value or ']'" : "a value after ','";
        const hint = token.kind === 'path' ? '; list items are strings, numbers, true, false or null' : '';
        throw this.lexer.fail(token.pos, `expected ${expected} in the list at ${token.pos}, found ${this.lexer.describe(token)}${hint}`);
      }
      items.push(token.value);
      const separator = this.lexer.next();
      if (separator.kind === 'punct' && separator.char === ']') return items;
      if (separator.kind !== 'punct' || separator.char !== ',') {
        throw this.lexer.fail(
          separator.pos,
          `expected ',' or ']' in the list at ${separator.pos}, found ${this.lexer.describe(separator)} (the '[' at ${open.pos} is not closed)`,
        );
      }
      token = this.lexer.next();
    }
  }

  /** Checks the root and records the path; header names are lower-cased here, once. */
  private operand(token: Token & { kind: 'path' | 'literal' }): Operand {
    if (token.kind === 'literal') return { kind: 'literal', value: token.value };
    const dot = token.path.indexOf('.');
    const root = dot === -1 ? token.path : token.path.slice(0, dot);
    if (!this.roots.includes(root)) {
      const suggestion = closest(root, this.roots);
      const didYouMean = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
      const allowed = this.roots.length === 0 ? 'none' : this.roots.join(', ');
      throw this.lexer.fail(token.pos, `unknown root "${root}" at ${token.pos}${didYouMean}; allowed roots: ${allowed}`);
    }
    const path = root === HEADER_ROOT && dot !== -1 ? `${root}${token.path.slice(dot).toLowerCase()}` : token.path;
    if (!this.paths.includes(path)) this.paths.push(path);
    return { kind: 'path', path };
  }

  private isWord(token: Token, word: Word): boolean {
    return token.kind === 'word' && token.word === word;
  }

  /** A hint for a token found where 'and' / 'or' should join two conditions. */
  private joinHint(token: Token): string {
    if (token.kind === 'op') return "; comparisons can't be chained, join them with 'and'";
    if (token.kind === 'path') {
      const suggestion = closest(token.path, ['and', 'or', 'in', 'not'], 1);
      if (suggestion !== undefined) return ` (did you mean '${suggestion}'?)`;
    }
    return '';
  }
}

// ---------------------------------------------------------------------------------------------
// Closures. Values are compared by type first: no coercion between strings, numbers and booleans.

function anyOf(parts: readonly Predicate[]): Predicate {
  const [a, b] = parts;
  if (a === undefined) return () => false;
  if (b === undefined) return a;
  if (parts.length === 2) return (ctx) => a(ctx) || b(ctx);
  return (ctx) => parts.some((part) => part(ctx));
}

function allOf(parts: readonly Predicate[]): Predicate {
  const [a, b] = parts;
  if (a === undefined) return () => true;
  if (b === undefined) return a;
  if (parts.length === 2) return (ctx) => a(ctx) && b(ctx);
  return (ctx) => parts.every((part) => part(ctx));
}

function getter(operand: Operand): Getter {
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

function truthyAt(path: string): Predicate {
  return (ctx) => truthy(ctx(path));
}

function compare(op: Exclude<CompareOp, '=~' | '!~'>, left: Operand, right: Operand): Predicate {
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

function memberOf(value: Getter, items: readonly Scalar[]): Predicate {
  // Set.has compares like ===, which for scalars is exactly `==` above.
  const set: ReadonlySet<unknown> = new Set(items.filter((item) => item !== null));
  const hasNull = items.includes(null);
  return (ctx) => {
    const v = value(ctx);
    return isAbsent(v) ? hasNull : set.has(v);
  };
}

function regexTest(value: Getter, regex: RegExp): Predicate {
  // No 'g' or 'y' flag is accepted, so test() keeps no state between calls and the RegExp can be shared.
  return (ctx) => {
    const v = value(ctx);
    return typeof v === 'string' && regex.test(v.length > MAX_REGEX_INPUT_LENGTH ? v.slice(0, MAX_REGEX_INPUT_LENGTH) : v);
  };
}
