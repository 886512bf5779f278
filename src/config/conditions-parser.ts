/**
 * The condition language's parser: recursive descent that returns closures (conditions-eval.ts).
 * Grammar, loosest binding first:
 *   condition  := and ('or' and)*
 *   and        := unary ('and' unary)*
 *   unary      := 'not' unary | '(' condition ')' | comparison
 *   comparison := operand [op operand] | operand ('in' | 'not' 'in') list | operand ('=~' | '!~') regex
 *   operand    := path | string | number | true | false | null
 */
import { MAX_CONDITION_DEPTH } from './conditions-error.js';
import { allOf, anyOf, compare, getter, memberOf, type Operand, type Predicate, regexTest, truthyAt } from './conditions-eval.js';
import { Lexer, type Scalar, type Token, type Word } from './conditions-lexer.js';
import { closest } from './suggest.js';

/** The root whose second segment is a header name, matched case-insensitively. */
const HEADER_ROOT = 'header';

const OPERATORS = '==, !=, <, <=, >, >=, in, not in, =~, !~';

export class Parser {
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
