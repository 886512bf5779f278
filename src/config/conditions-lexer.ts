/**
 * The condition language's tokens: a lexer that scans on demand, so the first problem reported is
 * the first one in the source.
 */
import { ConditionError, MAX_REGEX_SOURCE_LENGTH } from './conditions-error.js';

const REGEX_FLAGS = 'imsu';

export type Scalar = string | number | boolean | null;
export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | '=~' | '!~';
export type Word = 'and' | 'or' | 'not' | 'in';
type Punct = '(' | ')' | '[' | ']' | ',';

interface Span {
  readonly pos: number;
  readonly end: number;
}

export type Token =
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
export class Lexer {
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
