/**
 * The classifier's scanner: reads text in one pass, character by character, and fires signals into
 * a ScanState. Words are hashed folded and looked up in the lexicon (classify-lexicon.ts); code and
 * math notation are recognised from the characters around operators. (A regex per table would cost
 * about as much, per table, as this whole pass.)
 *
 * scan() walks the text; each kind of character has a function of its own: the start of a line
 * (list items, stack frames), a word (identifier shapes, error output, keyword flags, lead/object
 * pairs) and every other character (newlines, fences and inline code, sentence ends, operators).
 */

import {
  DIGIT_LEADS,
  type Entry,
  F_DECLARATION,
  F_ERROR,
  F_INTO,
  F_LATEX,
  F_LINE,
  LEXICON,
  LEXICON_MASK,
  PAIR_AFTER_INTO,
  PAIR_GAP,
  PAIR_SIGNAL,
  type Phrase,
  S_LIST_ITEM,
  S_NOTATION,
  S_STACK,
  S_SYNTAX,
  sig,
  type Term,
} from './classify-lexicon.js';
import { endLex, fire, type Lex, NEVER, PAIR_COUNT, type ScanState, startLex } from './classify-state.js';
import { SYMBOLS, symbol } from './classify-symbols.js';
import { UNSPACED_TERMS } from './classify-terms.js';
import { declarationAt, fold, hashStep, isBlank, isDigit, isWordChar, isWordCharHigh, matchRest, sameWord } from './classify-text.js';

/** ASCII characters that mean nothing to the scanner beyond being the line's last solid one. */
const PLAIN = Uint8Array.from({ length: 128 }, (_, c) => (c > 32 && !isWordChar(c) && !SYMBOLS.includes(c) ? 1 : 0));

/** Scans text[from, to) into `st`. Lexical state (fences, pending pair leads) is local to one call. */
export function scan(text: string, from: number, to: number, st: ScanState): void {
  const lx = startLex(text, from, to, st);
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (lx.atLineStart && !isBlank(c) && c !== 10) lineStart(lx, i, c);
    if (isWordChar(c)) i = word(lx, i);
    else if (c === 32) i++;
    else if (c >= 128 || PLAIN[c] === 0) i = symbol(lx, i, c);
    else {
      lx.lastSolid = c;
      i++;
    }
  }
  if (st.inFence) st.codeChars += to - lx.fenceStart;
  st.inFence = false;
  if (lx.sawWide) unspaced(lx);
  endLex(lx);
}

// ---- The first solid character of a line.

function lineStart(lx: Lex, i: number, c: number): void {
  lx.atLineStart = false;
  if (!lx.st.inFence) listItem(lx, i, c);
  const text = lx.text;
  if (i > lx.lineBegin && c === 97 && text.charCodeAt(i + 1) === 116 && text.charCodeAt(i + 2) === 32) stackFrame(lx, i);
}

/** "1. ", "2) ", "- ", "* ", "• " open a list item. */
function listItem(lx: Lex, i: number, c: number): void {
  const text = lx.text;
  if (isDigit(c)) {
    let k = i + 1;
    if (k < lx.to && isDigit(text.charCodeAt(k))) k++;
    const p = text.charCodeAt(k);
    if ((p === 46 || p === 41) && isBlank(text.charCodeAt(k + 1))) fire(lx.st, S_LIST_ITEM);
  } else if ((c === 45 || c === 42 || c === 0x2022) && isBlank(text.charCodeAt(i + 1))) {
    fire(lx.st, S_LIST_ITEM);
  }
}

/** An indented "at ...:12:5)" line is a JavaScript or Java stack frame. */
function stackFrame(lx: Lex, i: number): void {
  const text = lx.text;
  for (let k = i + 3; k < lx.to && k < i + 300; k++) {
    const d = text.charCodeAt(k);
    if (d === 10) return;
    if (d === 58 && isDigit(text.charCodeAt(k + 1))) {
      fire(lx.st, S_STACK);
      return;
    }
  }
}

// ---- Words.

/** A word (or a phrase the lexicon knows that starts with it) at `start`; returns where it ends. */
function word(lx: Lex, start: number): number {
  const text = lx.text;
  let i = readWord(lx, start);
  const len = i - start;
  const entry = lookup(text, start, len, lx.hash);
  let term = entry?.term;
  const phrase = entry === undefined || entry.phrases.length === 0 ? undefined : phraseAt(text, i, entry);
  if (phrase !== undefined) {
    term = phrase.term;
    i += phrase.rest.length;
  }
  // Error output: "TypeError:", "error[E0382]", "error TS2345".
  if (text.charCodeAt(i) === 58 && len >= 5) errorLabel(lx, start, len);
  if (term !== undefined && term.flags !== 0) flagged(lx, term.flags, start, len, i);
  if (lx.st.inFence) {
    if (term !== undefined) for (const s of term.signals) fire(lx.st, s);
  } else if (term === undefined && !lx.digitsOnly) {
    // A word the lexicon does not know completes and leads no pair: it only moves the count on.
    lx.prevInto = false;
    lx.wordIndex++;
  } else {
    inProse(lx, term);
  }
  return i;
}

/** Hashes the word at `start` folded and notes its shape: camelCase and snake_case are code. */
function readWord(lx: Lex, start: number): number {
  const { text, to } = lx;
  let h = 0;
  let lowerRun = 0;
  let camel = false;
  let snake = false;
  let digitsOnly = true;
  const c = text.charCodeAt(start);
  const firstLower = c >= 97 && c <= 122;
  let i = start;
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
      if (ch >= 0x2e80) lx.sawWide = true;
      ch = fold(ch);
      digitsOnly = false;
      lowerRun = 0;
    } else {
      break;
    }
    h = hashStep(h, ch);
  }
  lx.hash = h;
  lx.digitsOnly = digitsOnly;
  lx.lastSolid = 97;
  if (camel || snake) fire(lx.st, S_SYNTAX);
  return i;
}

function lookup(text: string, start: number, len: number, h: number): Entry | undefined {
  let entry = LEXICON[h & LEXICON_MASK];
  while (entry !== undefined && !(entry.hash === h && entry.word.length === len && sameWord(text, start, entry.word))) entry = entry.next;
  return entry;
}

/** The longest of the entry's phrases that continues at `i`. */
function phraseAt(text: string, i: number, entry: Entry): Phrase | undefined {
  for (const phrase of entry.phrases) if (matchRest(text, i, phrase.rest)) return phrase;
  return undefined;
}

/** "TypeError:", "RuntimeException:": the word before the colon ends in error or exception. */
function errorLabel(lx: Lex, start: number, len: number): void {
  const text = lx.text;
  if (sameWord(text, start + len - 5, 'error') || (len >= 9 && sameWord(text, start + len - 9, 'exception'))) fire(lx.st, S_STACK);
}

/** What a flagged word means from the characters around it; `end` is just after the word. */
function flagged(lx: Lex, f: number, start: number, len: number, end: number): void {
  const { text, st } = lx;
  if (f & F_ERROR && errorCodeAt(text, end)) fire(st, S_STACK);
  if (f & F_LINE && tracebackLineAt(text, start, end)) fire(st, S_STACK);
  if (f & F_DECLARATION && declarationAt(text, end, len === 8)) fire(st, S_SYNTAX);
  if (f & F_LATEX && start > 0 && text.charCodeAt(start - 1) === 92) fire(st, S_NOTATION);
}

/** "error[E0382]" (rustc) or "error TS2345" (tsc), the code starting at `i`. */
function errorCodeAt(text: string, i: number): boolean {
  const n = text.charCodeAt(i);
  return (
    (n === 91 && fold(text.charCodeAt(i + 1)) === 101 && isDigit(text.charCodeAt(i + 2))) ||
    (n === 32 && fold(text.charCodeAt(i + 1)) === 116 && fold(text.charCodeAt(i + 2)) === 115 && isDigit(text.charCodeAt(i + 3)))
  );
}

/** A Python traceback's `File "x.py", line 3`: the word `line` spans [start, end). */
function tracebackLineAt(text: string, start: number, end: number): boolean {
  return (
    start >= 3 &&
    text.charCodeAt(start - 1) === 32 &&
    text.charCodeAt(start - 2) === 44 &&
    text.charCodeAt(start - 3) === 34 &&
    text.charCodeAt(end) === 32 &&
    isDigit(text.charCodeAt(end + 1))
  );
}

/**
 * A word outside code: it may complete a pair whose lead came earlier in the sentence (the pair's
 * signal then replaces the word's own), and it may lead pairs itself.
 */
function inProse(lx: Lex, term: Term | undefined): void {
  const leads = (term?.leads ?? 0) | (lx.digitsOnly ? DIGIT_LEADS : 0);
  const consumed = term !== undefined && term.objects !== 0 && completePair(lx, term.objects);
  if (leads !== 0) for (let p = 0; p < PAIR_COUNT; p++) if ((leads >> p) & 1) lx.leadAt[p] = lx.wordIndex;
  if (!consumed && term !== undefined) for (const s of term.signals) fire(lx.st, s);
  lx.prevInto = term !== undefined && (term.flags & F_INTO) !== 0;
  lx.wordIndex++;
}

/** Fires the first pair (in PAIRS order) whose lead is close enough before this object word. */
function completePair(lx: Lex, objects: number): boolean {
  for (let p = 0; p < PAIR_COUNT; p++) {
    if (((objects >> p) & 1) === 0) continue;
    const lead = lx.leadAt[p]!;
    if (lead < lx.sentenceStart || lx.wordIndex - lead - 1 > PAIR_GAP[p]! || (PAIR_AFTER_INTO[p] === 1 && !lx.prevInto)) continue;
    fire(lx.st, PAIR_SIGNAL[p]!);
    lx.leadAt[p] = NEVER;
    return true;
  }
  return false;
}

/** Scripts written without spaces: their terms are found by substring, once per scan. */
function unspaced(lx: Lex): void {
  for (const [term, name] of UNSPACED_TERMS) {
    const at = lx.text.indexOf(term, lx.from);
    if (at >= 0 && at < lx.to) fire(lx.st, sig(name));
  }
}
