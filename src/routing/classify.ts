/**
 * Rule-based request classification for routing: what kind of task a chat request is, how hard it
 * looks, how long it is, and whether someone is likely waiting on the answer. It runs before a
 * target is chosen whenever routing reads it (rules, `auto`, explain), so it is cheap (a few
 * microseconds on a typical prompt) and pure: no I/O, no clocks, no state kept between calls, the
 * same request always gives the same classification.
 *
 * The keyword knowledge is data in classify-terms.ts; this file is the mechanism.
 * Text is read in one pass, character by character: words are looked up in a hashed lexicon built
 * from the tables at load, and code and math notation are recognised from the characters around
 * operators. (A regex per table would cost about as much, per table, as this whole pass.)
 */
import type { ChatMessage, ChatRequest, ContentPart } from '../api/chat.js';
import type { Counter, ScoredDomain, SignalDef, SignalName } from './classify-terms.js';
import { DECLARATION_WORDS, INTO_WORDS, LATEX_COMMANDS, MATH_SYMBOLS, PAIRS, SIGNALS, UNSPACED_TERMS, WORD_TABLES } from './classify-terms.js';

export type TaskDomain = 'code' | 'math' | 'creative' | 'summarization' | 'translation' | 'extraction' | 'chat';
export type Complexity = 'simple' | 'medium' | 'complex';
export type LengthClass = 'short' | 'medium' | 'long' | 'very_long';

/** Everything the decision used, flat and numeric so explain output can print it as is. */
export interface ClassificationFeatures {
  /** Characters of text in all messages (text parts and tool-call arguments), counted exactly. */
  chars: number;
  messages: number;
  /** Messages with role `user`: the depth of the conversation. */
  userTurns: number;
  /** Characters of the last user message, counted exactly. */
  lastUserChars: number;
  /** Characters of the last user message the keyword scan read (all of it, or a head and a tail). */
  scannedChars: number;
  /** Characters of system and developer messages. */
  systemChars: number;
  /** Fenced code blocks (``` pairs; an unclosed fence counts as one). */
  codeFences: number;
  /** Characters inside fenced code blocks. */
  codeChars: number;
  /** Programming languages, code words, code syntax, identifiers, inline code, "write a function". */
  codeHints: number;
  /** Stack-trace frames and compiler or runtime error lines. */
  stackTraces: number;
  /** Math words, symbols, equations and LaTeX. */
  mathHints: number;
  summaryHints: number;
  translationHints: number;
  extractionHints: number;
  creativeHints: number;
  /** Words asking for reasoning: "step by step", "prove", "trade-offs", "design", "architecture", ... */
  reasoningHints: number;
  /** Constraint words: "must", "at least", "do not", "exactly", ... */
  constraints: number;
  /** Numbered or bulleted lines: steps or requirements. */
  listItems: number;
  /** Question marks that end a sentence. */
  questions: number;
  /** Domain points the system prompt contributed (already weighted by SYSTEM_WEIGHT). */
  systemPoints: number;
  /** Points of the chosen task (0 when the task is 'chat' because nothing reached MIN_TASK_SCORE). */
  taskScore: number;
  /** Complexity points; compare with MEDIUM_AT and COMPLEX_AT. */
  complexityScore: number;
  tools: number;
  hasTools: boolean;
  hasImages: boolean;
  /** response_format asks for json_object or json_schema. */
  jsonOutput: boolean;
  stream: boolean;
  /** max_completion_tokens, else max_tokens, when the request sets one. */
  maxTokens?: number;
}

export interface Classification {
  task: TaskDomain;
  complexity: Complexity;
  length: LengthClass;
  /** True when the caller likely waits on the answer interactively (streaming, short max tokens, chatty turn). */
  latencySensitive: boolean;
  /** The features the decision used, so explain output can show why (numbers and booleans only). */
  features: ClassificationFeatures;
}

// =============================================================================================
// Thresholds.
// =============================================================================================

/** Length classes by total characters of message text: short < 2,000 <= medium < 16,000 <= long < 64,000 <= very_long. */
export const SHORT_MAX_CHARS = 2_000;
export const MEDIUM_MAX_CHARS = 16_000;
export const LONG_MAX_CHARS = 64_000;

/** Keyword scan of the last user message: all of it when it fits in HEAD + TAIL, else its first HEAD and last TAIL characters. */
export const SCAN_HEAD_CHARS = 4_096;
export const SCAN_TAIL_CHARS = 2_048;
/** Characters of the system prompt(s) scanned, from the start. */
export const SYSTEM_SCAN_CHARS = 2_048;
/** The system prompt sets the context, the user message states the task: system points count half. */
export const SYSTEM_WEIGHT = 0.5;

/** A domain needs this many points to replace the default 'chat'. */
export const MIN_TASK_SCORE = 2;
/** Tie-break order: on equal points the earlier domain wins. */
const DOMAIN_PRIORITY = ['code', 'math', 'translation', 'summarization', 'extraction', 'creative'] as const satisfies readonly ScoredDomain[];
/** Extraction points from response_format: a schema is a stronger sign than a bare JSON object. */
export const JSON_OBJECT_POINTS = 3;
export const JSON_SCHEMA_POINTS = 4;

/** Complexity: medium from MEDIUM_AT points, complex from COMPLEX_AT. */
export const MEDIUM_AT = 2;
export const COMPLEX_AT = 6;
/** Long context takes a more capable model: +1 from LONG_CONTEXT_CHARS in all messages, +2 from HUGE_CONTEXT_CHARS. */
export const LONG_CONTEXT_CHARS = 8_000;
export const HUGE_CONTEXT_CHARS = 32_000;
/** Code to read: +1 from CODE_CHARS_MEDIUM characters in fences, +2 from CODE_CHARS_LARGE; +1 for any stack trace. */
export const CODE_CHARS_MEDIUM = 400;
export const CODE_CHARS_LARGE = 2_000;
/** Steps and constraints (list items + constraint words): +1 from STEPS_MEDIUM, +2 from STEPS_MANY. */
export const STEPS_MEDIUM = 3;
export const STEPS_MANY = 6;
/** Questions in the last user message: +1 from QUESTIONS_MEDIUM, +2 from QUESTIONS_MANY. */
export const QUESTIONS_MEDIUM = 2;
export const QUESTIONS_MANY = 4;
/** Each reasoning hint adds REASONING_POINTS, at most REASONING_MAX_POINTS in all. */
export const REASONING_POINTS = 2;
export const REASONING_MAX_POINTS = 6;
/** Tools: +1 when any, +2 from MANY_TOOLS. */
export const MANY_TOOLS = 8;
/** Conversation depth: +1 from DEEP_TURNS user turns, +2 from VERY_DEEP_TURNS. */
export const DEEP_TURNS = 4;
export const VERY_DEEP_TURNS = 10;
/** Requested output: +1 from LARGE_OUTPUT_TOKENS, +2 from HUGE_OUTPUT_TOKENS, -1 up to TINY_OUTPUT_TOKENS. */
export const LARGE_OUTPUT_TOKENS = 4_096;
export const HUGE_OUTPUT_TOKENS = 16_384;
export const TINY_OUTPUT_TOKENS = 256;
/** Images: +1 (the model must read them). */
export const IMAGE_POINTS = 1;

/** Latency: a max_tokens up to this marks an interactive caller. */
export const LATENCY_MAX_TOKENS = 512;
/** Latency: a simple 'chat' turn up to this many characters is a conversation someone is typing. */
export const CHATTY_MAX_CHARS = 400;

// =============================================================================================
// Lexicon: the tables compiled at load into a hash map keyed like the scanner hashes words.
// =============================================================================================

const SIGNAL_NAMES = Object.keys(SIGNALS) as SignalName[];
const SIGNAL_INDEX = new Map<SignalName, number>(SIGNAL_NAMES.map((name, i) => [name, i]));
const COUNTERS: readonly Counter[] = [
  'fence',
  'code',
  'stackTrace',
  'math',
  'summary',
  'translation',
  'extraction',
  'creative',
  'reasoning',
  'constraint',
  'question',
  'listItem',
];
const sig = (name: SignalName): number => SIGNAL_INDEX.get(name)!;
const SIG_COUNTER = Int8Array.from(SIGNAL_NAMES, (n) => COUNTERS.indexOf(SIGNALS[n].counter));
const SIG_DOMAIN = Int8Array.from(SIGNAL_NAMES, (n) => {
  const def: SignalDef = SIGNALS[n];
  return def.domain === undefined ? -1 : DOMAIN_PRIORITY.indexOf(def.domain);
});
const SIG_POINTS = Float64Array.from(SIGNAL_NAMES, (n) => (SIGNALS[n] as SignalDef).points ?? 0);
const SIG_CAP = Uint8Array.from(SIGNAL_NAMES, (n) => (SIGNALS[n] as SignalDef).cap ?? 0);
const SIG_IN_CODE = Uint8Array.from(SIGNAL_NAMES, (n) => ((SIGNALS[n] as SignalDef).inCode === true ? 1 : 0));

const S_FENCE = sig('fence');
const S_STACK = sig('stackTrace');
const S_SYNTAX = sig('codeSyntax');
const S_INLINE = sig('inlineCode');
const S_NOTATION = sig('mathNotation');
const S_MATH_SYMBOL = sig('mathSymbol');
const S_ARITHMETIC = sig('arithmetic');
const S_QUESTION = sig('question');
const S_LIST_ITEM = sig('listItem');

const F_INTO = 1;
const F_DECLARATION = 2;
const F_LATEX = 4;
const F_LINE = 8; // Python traceback: File "x.py", line 3
const F_ERROR = 16; // rustc error[E0382], tsc error TS2345

interface Term {
  signals: number[];
  leads: number; // bit p: lead of PAIRS[p]
  objects: number; // bit p: object of PAIRS[p]
  flags: number;
}
interface Phrase {
  rest: string; // what follows the first word, separator included: "step by step" -> " by step"
  term: Term;
}
interface Entry {
  word: string;
  hash: number;
  term: Term | undefined;
  phrases: Phrase[];
  next: Entry | undefined; // same slot
}

const PAIR_GAP = Int32Array.from(PAIRS, (p) => p.gap);
const PAIR_SIGNAL = Int32Array.from(PAIRS, (p) => sig(p.signal));
const PAIR_AFTER_INTO = Uint8Array.from(PAIRS, (p) => (p.afterInto === true ? 1 : 0));
const DIGIT_LEADS = PAIRS.reduce((mask, p, i) => (p.digitsLead === true ? mask | (1 << i) : mask), 0);
const MATH_SYMBOL_CODES = new Set(Array.from(MATH_SYMBOLS, (ch) => ch.charCodeAt(0)));

/** Letters, digits, underscore; Latin-1 letters and other scripts, minus symbol and punctuation blocks. */
function isWordChar(c: number): boolean {
  if (c < 0x80) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
  return isWordCharHigh(c);
}
function isWordCharHigh(c: number): boolean {
  return (
    c >= 0xc0 &&
    c !== 0xd7 &&
    c !== 0xf7 &&
    !(c >= 0x2000 && c <= 0x2bff) &&
    !(c >= 0x3000 && c <= 0x303f) &&
    !(c >= 0xd800 && c <= 0xdfff) &&
    !(c >= 0xfe00 && c <= 0xffef) &&
    !MATH_SYMBOL_CODES.has(c)
  );
}
/** Lower-cases the letters the tables can contain: ASCII, Latin-1, basic Cyrillic. */
function fold(c: number): number {
  if (c >= 65 && c <= 90) return c + 32;
  if (c < 0xc0) return c;
  if (c <= 0xde && c !== 0xd7) return c + 32;
  if (c >= 0x410 && c <= 0x42f) return c + 32;
  return c;
}
const hashStep = (h: number, c: number): number => (Math.imul(h, 31) + c) | 0;

/** Hash table: a word's slot is its hash's low bits; a slot chains the entries that share it. */
const LEXICON_BITS = 12;
const LEXICON_MASK = (1 << LEXICON_BITS) - 1;
const LEXICON: (Entry | undefined)[] = new Array<Entry | undefined>(1 << LEXICON_BITS).fill(undefined);

function entryFor(word: string): Entry {
  let h = 0;
  for (let i = 0; i < word.length; i++) h = hashStep(h, word.charCodeAt(i));
  const slot = h & LEXICON_MASK;
  for (let x = LEXICON[slot]; x !== undefined; x = x.next) if (x.word === word) return x;
  const created: Entry = { word, hash: h, term: undefined, phrases: [], next: LEXICON[slot] };
  LEXICON[slot] = created;
  return created;
}

/** The term for a table entry: the entry of its first word, or one of that entry's phrases. */
function termFor(text: string): Term {
  const folded = Array.from(text, (ch) => String.fromCharCode(fold(ch.charCodeAt(0)))).join('');
  let end = 0;
  while (end < folded.length && isWordChar(folded.charCodeAt(end))) end++;
  if (end === 0) throw new Error(`classify table entry must start with a letter or digit: ${text}`);
  const entry = entryFor(folded.slice(0, end));
  const fresh = (): Term => ({ signals: [], leads: 0, objects: 0, flags: 0 });
  if (end === folded.length) {
    entry.term ??= fresh();
    return entry.term;
  }
  const rest = folded.slice(end);
  let phrase = entry.phrases.find((p) => p.rest === rest);
  if (phrase === undefined) {
    phrase = { rest, term: fresh() };
    entry.phrases.push(phrase);
    entry.phrases.sort((a, b) => b.rest.length - a.rest.length); // longest phrase first
  }
  return phrase.term;
}

for (const [table, name] of WORD_TABLES) {
  for (const text of table) {
    const term = termFor(text);
    if (!term.signals.includes(sig(name))) term.signals.push(sig(name));
  }
}
PAIRS.forEach((pair, p) => {
  for (const text of pair.lead) termFor(text).leads |= 1 << p;
  for (const text of pair.object) termFor(text).objects |= 1 << p;
});
for (const text of INTO_WORDS) termFor(text).flags |= F_INTO;
for (const text of DECLARATION_WORDS) termFor(text).flags |= F_DECLARATION;
for (const text of LATEX_COMMANDS) termFor(text).flags |= F_LATEX;
termFor('line').flags |= F_LINE;
termFor('error').flags |= F_ERROR;

// =============================================================================================
// Scanner.
// =============================================================================================

const NEVER = -1_000_000; // word index of a lead that has not been seen

/** Scores and counters one classification accumulates; one ScanState per source (user or system). */
interface ScanState {
  readonly weight: number;
  readonly counted: boolean;
  readonly scores: Float64Array; // by DOMAIN_PRIORITY index
  readonly counts: Int32Array; // by COUNTERS index
  readonly hits: Uint8Array; // by signal, for caps
  points: number;
  codeChars: number;
  inFence: boolean;
}

function newState(weight: number, counted: boolean, scores: Float64Array, counts: Int32Array): ScanState {
  return { weight, counted, scores, counts, hits: new Uint8Array(SIGNAL_NAMES.length), points: 0, codeChars: 0, inFence: false };
}

function fire(st: ScanState, s: number): void {
  if (st.inFence && SIG_IN_CODE[s] === 0) return;
  if (st.counted) st.counts[SIG_COUNTER[s]!]!++;
  const d = SIG_DOMAIN[s]!;
  if (d >= 0 && st.hits[s]! < SIG_CAP[s]!) {
    st.hits[s]!++;
    const p = SIG_POINTS[s]! * st.weight;
    st.scores[d]! += p;
    st.points += p;
  }
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isBlank = (c: number): boolean => c === 32 || c === 9 || c === 13;

/** Folded comparison of `rest` at `pos`; a space matches any blank or hyphen, an apostrophe also ’. */
function matchRest(text: string, pos: number, rest: string): boolean {
  if (pos + rest.length > text.length) return false;
  for (let k = 0; k < rest.length; k++) {
    const r = rest.charCodeAt(k);
    const t = text.charCodeAt(pos + k);
    if (r === 32) {
      if (t !== 32 && t !== 9 && t !== 10 && t !== 45) return false;
    } else if (r === 39) {
      if (t !== 39 && t !== 0x2019) return false;
    } else if (fold(t) !== r) {
      return false;
    }
  }
  const end = pos + rest.length;
  return !(isWordChar(rest.charCodeAt(rest.length - 1)) && end < text.length && isWordChar(text.charCodeAt(end)));
}

function sameWord(text: string, start: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if (fold(text.charCodeAt(start + k)) !== word.charCodeAt(k)) return false;
  return true;
}

/** The next non-blank character at or after `i` on the same line, or -1. */
function nextSolid(text: string, i: number): number {
  for (let k = i; k < text.length && k < i + 8; k++) {
    const c = text.charCodeAt(k);
    if (!isBlank(c)) return c === 10 ? -1 : c;
  }
  return -1;
}
/** The previous non-blank character before `i` on the same line, or -1. */
function prevSolid(text: string, i: number): number {
  for (let k = i - 1; k >= 0 && k > i - 8; k--) {
    const c = text.charCodeAt(k);
    if (!isBlank(c)) return c === 10 ? -1 : c;
  }
  return -1;
}
const isOperand = (c: number): boolean => c >= 0 && (isWordChar(c) || c === 41 || c === 40); // word, ')' or '('

/** "name(" after a declaration keyword: def f(, fn f(, func f(, function f( or function(. */
function declarationAt(text: string, i: number, anonymousOk: boolean): boolean {
  let k = i;
  while (k < text.length && text.charCodeAt(k) === 32) k++;
  const nameStart = k;
  while (k < text.length && isWordChar(text.charCodeAt(k))) k++;
  if (k === nameStart && !anonymousOk) return false;
  while (k < text.length && text.charCodeAt(k) === 32) k++;
  return text.charCodeAt(k) === 40;
}

/** "f(x) =" ending just before `i`. */
function functionNotationBefore(text: string, i: number): boolean {
  let k = i - 1;
  while (k >= 0 && text.charCodeAt(k) === 32) k--;
  if (k < 4 || text.charCodeAt(k) !== 41) return false;
  const v = fold(text.charCodeAt(k - 1));
  const f = fold(text.charCodeAt(k - 3));
  return v >= 97 && v <= 122 && text.charCodeAt(k - 2) === 40 && (f === 102 || f === 103 || f === 104) && !isWordChar(text.charCodeAt(k - 4));
}

/**
 * Scans text[from, to) into `st`. Lexical state (fences, pending pair leads) is local to one call;
 * scores, counters and caps accumulate in `st`.
 */
function scan(text: string, from: number, to: number, st: ScanState): void {
  const leadAt = new Int32Array(PAIRS.length).fill(NEVER);
  let sentenceStart = 0; // word index where the current sentence began: pairs do not reach across sentences
  st.inFence = false;
  let fenceStart = 0;
  let wordIndex = 0;
  let prevInto = false;
  let lineBegin = from;
  let atLineStart = true;
  let lastSolid = -1; // last non-blank character of the current line
  let lastArith = NEVER; // position of the last arithmetic operator on the current line
  let sawWide = false;
  let i = from;

  while (i < to) {
    const c = text.charCodeAt(i);

    if (atLineStart && !isBlank(c) && c !== 10) {
      atLineStart = false;
      if (!st.inFence) {
        // "1. ", "2) ", "- ", "* ", "• " open a list item.
        if (isDigit(c)) {
          let k = i + 1;
          if (k < to && isDigit(text.charCodeAt(k))) k++;
          const p = text.charCodeAt(k);
          if ((p === 46 || p === 41) && isBlank(text.charCodeAt(k + 1))) fire(st, S_LIST_ITEM);
        } else if ((c === 45 || c === 42 || c === 0x2022) && isBlank(text.charCodeAt(i + 1))) {
          fire(st, S_LIST_ITEM);
        }
      }
      // An indented "at ...:12:5)" line is a JavaScript or Java stack frame.
      if (i > lineBegin && c === 97 && text.charCodeAt(i + 1) === 116 && text.charCodeAt(i + 2) === 32) {
        for (let k = i + 3; k < to && k < i + 300; k++) {
          const d = text.charCodeAt(k);
          if (d === 10) break;
          if (d === 58 && isDigit(text.charCodeAt(k + 1))) {
            fire(st, S_STACK);
            break;
          }
        }
      }
    }

    if (isWordChar(c)) {
      // ---- a word: hash it folded, note identifier shapes, look it up.
      const start = i;
      let h = 0;
      let lowerRun = 0;
      let camel = false;
      let snake = false;
      let digitsOnly = true;
      const firstLower = c >= 97 && c <= 122;
      for (; i < to; i++) {
        let ch = text.charCodeAt(i);
        if (ch >= 97 && ch <= 122) {
          lowerRun++;
          digitsOnly = false;
        } else if (ch >= 65 && ch <= 90) {
          if (firstLower && lowerRun >= 2) camel = true; // fooBar, getUserById; not iPhone or YouTube
          lowerRun = 0;
          digitsOnly = false;
          ch += 32;
        } else if (isDigit(ch)) {
          // digits keep the current shape
        } else if (ch === 95) {
          if (i > start && i + 1 < to && isWordChar(text.charCodeAt(i + 1))) snake = true;
          digitsOnly = false;
        } else if (ch >= 0x80 && isWordCharHigh(ch)) {
          if (ch >= 0x2e80) sawWide = true;
          ch = fold(ch);
          digitsOnly = false;
          lowerRun = 0;
        } else {
          break;
        }
        h = hashStep(h, ch);
      }
      const len = i - start;
      lastSolid = 97;
      if (camel || snake) fire(st, S_SYNTAX);

      let term: Term | undefined;
      let entry = LEXICON[h & LEXICON_MASK];
      while (entry !== undefined && !(entry.hash === h && entry.word.length === len && sameWord(text, start, entry.word))) entry = entry.next;
      if (entry !== undefined) {
        term = entry.term;
        for (const phrase of entry.phrases) {
          if (matchRest(text, i, phrase.rest)) {
            term = phrase.term;
            i += phrase.rest.length;
            break;
          }
        }
      }

      // Error output: "TypeError:", "error[E0382]", "error TS2345".
      if (text.charCodeAt(i) === 58 && len >= 5) {
        if (sameWord(text, start + len - 5, 'error') || (len >= 9 && sameWord(text, start + len - 9, 'exception'))) fire(st, S_STACK);
      }
      if (term !== undefined && term.flags !== 0) {
        const f = term.flags;
        if (f & F_ERROR) {
          const n = text.charCodeAt(i);
          if (
            (n === 91 && fold(text.charCodeAt(i + 1)) === 101 && isDigit(text.charCodeAt(i + 2))) ||
            (n === 32 && fold(text.charCodeAt(i + 1)) === 116 && fold(text.charCodeAt(i + 2)) === 115 && isDigit(text.charCodeAt(i + 3)))
          ) {
            fire(st, S_STACK);
          }
        }
        if (
          f & F_LINE &&
          start >= 3 &&
          text.charCodeAt(start - 1) === 32 &&
          text.charCodeAt(start - 2) === 44 &&
          text.charCodeAt(start - 3) === 34 &&
          text.charCodeAt(i) === 32 &&
          isDigit(text.charCodeAt(i + 1))
        ) {
          fire(st, S_STACK);
        }
        if (f & F_DECLARATION && declarationAt(text, i, len === 8)) fire(st, S_SYNTAX);
        if (f & F_LATEX && start > 0 && text.charCodeAt(start - 1) === 92) fire(st, S_NOTATION);
      }

      if (st.inFence) {
        if (term !== undefined) for (const s of term.signals) fire(st, s);
        continue;
      }
      const leads = (term?.leads ?? 0) | (digitsOnly ? DIGIT_LEADS : 0);
      let consumed = false;
      if (term !== undefined && term.objects !== 0) {
        for (let p = 0; p < PAIRS.length; p++) {
          if (((term.objects >> p) & 1) === 0) continue;
          const lead = leadAt[p]!;
          if (lead < sentenceStart || wordIndex - lead - 1 > PAIR_GAP[p]! || (PAIR_AFTER_INTO[p] === 1 && !prevInto)) continue;
          fire(st, PAIR_SIGNAL[p]!);
          leadAt[p] = NEVER;
          consumed = true;
          break;
        }
      }
      if (leads !== 0) for (let p = 0; p < PAIRS.length; p++) if ((leads >> p) & 1) leadAt[p] = wordIndex;
      if (!consumed && term !== undefined) for (const s of term.signals) fire(st, s);
      prevInto = term !== undefined && (term.flags & F_INTO) !== 0;
      wordIndex++;
      continue;
    }

    // ---- not a word character.
    if (c === 32) {
      i++;
      continue;
    }
    const n1 = i + 1 < text.length ? text.charCodeAt(i + 1) : -1;
    const n2 = i + 2 < text.length ? text.charCodeAt(i + 2) : -1;
    switch (c) {
      case 10: // newline: a line of code ends in ; or {, and a new sentence begins.
        if (lastSolid === 59 || lastSolid === 123) fire(st, S_SYNTAX);
        atLineStart = true;
        lineBegin = i + 1;
        lastSolid = -1;
        lastArith = NEVER;
        sentenceStart = wordIndex;
        i++;
        continue;
      case 9:
      case 13:
        i++;
        continue;
      case 96: // ` : a fence, or an inline code span (its content is code, so it is skipped).
        if (n1 === 96 && n2 === 96) {
          if (st.inFence) st.codeChars += i - fenceStart;
          else fenceStart = i + 3;
          fire(st, S_FENCE); // counted in and out of fences
          st.inFence = !st.inFence;
          i += 3;
          lastSolid = c;
          continue;
        }
        if (!st.inFence) {
          let k = i + 1;
          while (k < to && k < i + 82 && text.charCodeAt(k) !== 96 && text.charCodeAt(k) !== 10) k++;
          if (k < to && text.charCodeAt(k) === 96 && k > i + 1) {
            fire(st, S_INLINE);
            i = k + 1;
            lastSolid = c;
            continue;
          }
        }
        break;
      case 63: // ?
      case 46: // .
      case 33: // !
        if (c === 33 && n1 === 61) {
          if (n2 === 61) fire(st, S_SYNTAX); // !==
          i += 2;
          lastSolid = 61;
          continue;
        }
        if (n1 === -1 || isBlank(n1) || n1 === 10) {
          if (c === 63) fire(st, S_QUESTION);
          sentenceStart = wordIndex;
        }
        break;
      case 61: // =
        if (n1 === 62 || (n1 === 61 && n2 === 61)) {
          fire(st, S_SYNTAX); // => ===
          i += n1 === 62 ? 2 : 3;
          lastSolid = 61;
          continue;
        }
        if (n1 === 61) {
          i += 2;
          lastSolid = 61;
          continue;
        }
        if (functionNotationBefore(text, i)) fire(st, S_NOTATION);
        else if (i - lastArith <= 24) fire(st, S_ARITHMETIC); // x + 7 = 22
        break;
      case 38: // &&
      case 124: // ||
      case 58: // ::
        if (n1 === c) {
          fire(st, S_SYNTAX);
          i += 2;
          lastSolid = c;
          continue;
        }
        break;
      case 43: // + : ++ += or arithmetic
      // biome-ignore lint/suspicious/noFallthroughSwitchClause: a spaced + or - is an arithmetic operator like * / ^
      case 45: // - : -= or spaced subtraction
        if ((c === 43 && n1 === 43) || n1 === 61) {
          fire(st, S_SYNTAX);
          i += 2;
          lastSolid = 61;
          continue;
        }
        // Only a spaced minus is one; it is not counted alone ("9 - 5" is a range), only in an equation.
        if (c === 45 && !(isBlank(text.charCodeAt(i - 1)) && isBlank(n1))) break;
      // falls through
      case 42: // *
      case 47: // / (spaced only: 24/7 and 1/2/2024 are not sums)
      case 94: // ^
        {
          if (c === 47 && !(isBlank(text.charCodeAt(i - 1)) && isBlank(n1))) break;
          const before = prevSolid(text, i);
          const after = nextSolid(text, i + 1);
          if (isOperand(before) && isOperand(after)) {
            lastArith = i;
            if (c === 94)
              fire(st, S_MATH_SYMBOL); // x^2
            else if (c !== 45 && (isDigit(before) || before === 41) && (isDigit(after) || after === 40)) fire(st, S_ARITHMETIC); // 3 * 4, (a + b) * 2
          }
        }
        break;
      case 37: // 15% of 80
        if (isDigit(text.charCodeAt(i - 1)) && n1 === 32 && fold(n2) === 111 && fold(text.charCodeAt(i + 3)) === 102) fire(st, S_ARITHMETIC);
        break;
      case 60: // </tag
        if (n1 === 47 && n2 >= 97 && n2 <= 122) fire(st, S_SYNTAX);
        break;
      case 40: // obj.method(
        if (i > 0 && isWordChar(text.charCodeAt(i - 1))) {
          let k = i - 1;
          while (k > from && k > i - 40 && isWordChar(text.charCodeAt(k - 1))) k--;
          if (k >= 2 && text.charCodeAt(k - 1) === 46 && isWordChar(text.charCodeAt(k - 2))) fire(st, S_SYNTAX);
        }
        break;
      case 41: // foo(); if (x) {
        {
          const after = nextSolid(text, i + 1);
          if (after === 59 || after === 123) fire(st, S_SYNTAX);
        }
        break;
      case 35: // #include
        if (matchRest(text, i + 1, 'include')) fire(st, S_SYNTAX);
        break;
      case 36: // $$ display math
        if (n1 === 36) {
          fire(st, S_NOTATION);
          i += 2;
          lastSolid = c;
          continue;
        }
        break;
      default:
        if (c >= 0x80 && MATH_SYMBOL_CODES.has(c)) fire(st, S_MATH_SYMBOL);
    }
    lastSolid = c;
    i++;
  }
  if (st.inFence) st.codeChars += to - fenceStart;
  st.inFence = false;

  if (sawWide) {
    for (const [term, name] of UNSPACED_TERMS) {
      const at = text.indexOf(term, from);
      if (at >= 0 && at < to) fire(st, sig(name));
    }
  }
}

// =============================================================================================
// Messages.
// =============================================================================================

type Content = string | readonly ContentPart[] | null | undefined;

/** Exact character count of a content's text, without building the text. */
function textLength(content: Content): number {
  if (content == null) return 0;
  if (typeof content === 'string') return content.length;
  let n = 0;
  for (const part of content) if (part.type === 'text' && typeof part.text === 'string') n += part.text.length;
  return n;
}

function hasImage(content: Content): boolean {
  if (content == null || typeof content === 'string') return false;
  for (const part of content) if (part.type === 'image_url') return true;
  return false;
}

function messageChars(msg: ChatMessage): number {
  let n = textLength(msg.content);
  // Tool-call arguments are part of the prompt the next model call reads.
  if (msg.role === 'assistant' && Array.isArray(msg.tool_calls)) {
    for (const call of msg.tool_calls) n += call.function?.arguments?.length ?? 0;
  }
  return n;
}

/** Scans up to `budget` characters from the start of a content; returns how many it scanned. */
function scanHead(content: Content, budget: number, st: ScanState): number {
  if (content == null || budget <= 0) return 0;
  if (typeof content === 'string') {
    const n = Math.min(content.length, budget);
    scan(content, 0, n, st);
    return n;
  }
  let used = 0;
  for (const part of content) {
    if (used >= budget) break;
    if (part.type !== 'text' || typeof part.text !== 'string') continue;
    const n = Math.min(part.text.length, budget - used);
    scan(part.text, 0, n, st);
    used += n;
  }
  return used;
}

/** Scans the last `budget` characters of a content; returns how many it scanned. */
function scanTail(content: Content, budget: number, st: ScanState): number {
  if (content == null || budget <= 0) return 0;
  if (typeof content === 'string') {
    const n = Math.min(content.length, budget);
    scan(content, content.length - n, content.length, st);
    return n;
  }
  let used = 0;
  for (let p = content.length - 1; p >= 0 && used < budget; p--) {
    const part = content[p]!;
    if (part.type !== 'text' || typeof part.text !== 'string') continue;
    const n = Math.min(part.text.length, budget - used);
    scan(part.text, part.text.length - n, part.text.length, st);
    used += n;
  }
  return used;
}

function lengthClass(chars: number): LengthClass {
  if (chars < SHORT_MAX_CHARS) return 'short';
  if (chars < MEDIUM_MAX_CHARS) return 'medium';
  if (chars < LONG_MAX_CHARS) return 'long';
  return 'very_long';
}

/** 0, 1 or 2 points for a value against two thresholds. */
const steps = (value: number, one: number, two: number): number => (value >= two ? 2 : value >= one ? 1 : 0);

const C = Object.fromEntries(COUNTERS.map((name, i) => [name, i])) as Record<Counter, number>;

export function classify(req: ChatRequest): Classification {
  const messages: readonly ChatMessage[] = Array.isArray(req.messages) ? req.messages : [];
  let chars = 0;
  let systemChars = 0;
  let userTurns = 0;
  let hasImages = false;
  let lastUser: ChatMessage | undefined;
  let lastUserChars = 0;
  for (const msg of messages) {
    const n = messageChars(msg);
    chars += n;
    if (msg.role === 'user') {
      userTurns++;
      lastUser = msg;
      lastUserChars = n;
      if (!hasImages) hasImages = hasImage(msg.content);
    } else if (msg.role === 'system' || msg.role === 'developer') {
      systemChars += n;
    }
  }

  const scores = new Float64Array(DOMAIN_PRIORITY.length);
  const counts = new Int32Array(COUNTERS.length);

  // The last user message states the task. A long one is read at both ends: the instruction is
  // usually before or after the pasted material, rarely in its middle.
  const user = newState(1, true, scores, counts);
  let scannedChars = 0;
  if (lastUser !== undefined) {
    if (lastUserChars <= SCAN_HEAD_CHARS + SCAN_TAIL_CHARS) scannedChars = scanHead(lastUser.content, lastUserChars, user);
    else scannedChars = scanHead(lastUser.content, SCAN_HEAD_CHARS, user) + scanTail(lastUser.content, SCAN_TAIL_CHARS, user);
  }

  // System prompts set the context ("you are a Python expert"): domain points only, at half weight.
  const system = newState(SYSTEM_WEIGHT, false, scores, counts);
  if (systemChars > 0) {
    let budget = SYSTEM_SCAN_CHARS;
    for (const msg of messages) {
      if (budget <= 0) break;
      if (msg.role === 'system' || msg.role === 'developer') budget -= scanHead(msg.content, budget, system);
    }
  }

  const format = req.response_format?.type;
  const jsonOutput = format === 'json_object' || format === 'json_schema';
  const extraction = DOMAIN_PRIORITY.indexOf('extraction');
  if (format === 'json_schema') scores[extraction]! += JSON_SCHEMA_POINTS;
  else if (format === 'json_object') scores[extraction]! += JSON_OBJECT_POINTS;

  let task: TaskDomain = 'chat';
  let taskScore = 0;
  for (let d = 0; d < DOMAIN_PRIORITY.length; d++) {
    const score = scores[d]!;
    if (score >= MIN_TASK_SCORE && score > taskScore) {
      task = DOMAIN_PRIORITY[d]!;
      taskScore = score;
    }
  }

  const count = (name: Counter): number => counts[C[name]]!;
  const tools = Array.isArray(req.tools) ? req.tools.length : 0;
  const rawMax = req.max_completion_tokens ?? req.max_tokens;
  const maxTokens = typeof rawMax === 'number' && Number.isFinite(rawMax) ? rawMax : undefined;
  const reasoningHints = count('reasoning');
  const stackTraces = count('stackTrace');

  let complexityScore =
    steps(chars, LONG_CONTEXT_CHARS, HUGE_CONTEXT_CHARS) +
    steps(user.codeChars, CODE_CHARS_MEDIUM, CODE_CHARS_LARGE) +
    (stackTraces > 0 ? 1 : 0) +
    steps(count('listItem') + count('constraint'), STEPS_MEDIUM, STEPS_MANY) +
    steps(count('question'), QUESTIONS_MEDIUM, QUESTIONS_MANY) +
    Math.min(reasoningHints * REASONING_POINTS, REASONING_MAX_POINTS) +
    steps(tools, 1, MANY_TOOLS) +
    steps(userTurns, DEEP_TURNS, VERY_DEEP_TURNS) +
    (hasImages ? IMAGE_POINTS : 0);
  if (maxTokens !== undefined) {
    complexityScore += steps(maxTokens, LARGE_OUTPUT_TOKENS, HUGE_OUTPUT_TOKENS);
    if (maxTokens <= TINY_OUTPUT_TOKENS) complexityScore -= 1;
  }
  const complexity: Complexity = complexityScore >= COMPLEX_AT ? 'complex' : complexityScore >= MEDIUM_AT ? 'medium' : 'simple';

  const stream = req.stream === true;
  const latencySensitive =
    stream ||
    (maxTokens !== undefined && maxTokens <= LATENCY_MAX_TOKENS) ||
    (task === 'chat' && complexity === 'simple' && lastUserChars <= CHATTY_MAX_CHARS && tools === 0 && !jsonOutput);

  const features: ClassificationFeatures = {
    chars,
    messages: messages.length,
    userTurns,
    lastUserChars,
    scannedChars,
    systemChars,
    codeFences: Math.ceil(count('fence') / 2),
    codeChars: user.codeChars,
    codeHints: count('code'),
    stackTraces,
    mathHints: count('math'),
    summaryHints: count('summary'),
    translationHints: count('translation'),
    extractionHints: count('extraction'),
    creativeHints: count('creative'),
    reasoningHints,
    constraints: count('constraint'),
    listItems: count('listItem'),
    questions: count('question'),
    systemPoints: system.points,
    taskScore,
    complexityScore,
    tools,
    hasTools: tools > 0,
    hasImages,
    jsonOutput,
    stream,
  };
  if (maxTokens !== undefined) features.maxTokens = maxTokens;

  return { task, complexity, length: lengthClass(chars), latencySensitive, features };
}
