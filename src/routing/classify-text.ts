/**
 * Character-level reading for the classifier's scanner and lexicon: which characters make words,
 * case folding, the word hash, and small look-arounds (a phrase's rest, the operand beside an
 * operator, a declaration, function notation). All on UTF-16 code units, no allocation.
 */
import { MATH_SYMBOLS } from './classify-terms.js';

export const MATH_SYMBOL_CODES = new Set(Array.from(MATH_SYMBOLS, (ch) => ch.charCodeAt(0)));

/** Letters, digits, underscore; Latin-1 letters and other scripts, minus symbol and punctuation blocks. */
export function isWordChar(c: number): boolean {
  if (c < 0x80) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
  return isWordCharHigh(c);
}
export function isWordCharHigh(c: number): boolean {
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
export function fold(c: number): number {
  if (c >= 65 && c <= 90) return c + 32;
  if (c < 0xc0) return c;
  if (c <= 0xde && c !== 0xd7) return c + 32;
  if (c >= 0x410 && c <= 0x42f) return c + 32;
  return c;
}
export const hashStep = (h: number, c: number): number => (Math.imul(h, 31) + c) | 0;

export const isDigit = (c: number): boolean => c >= 48 && c <= 57;
export const isBlank = (c: number): boolean => c === 32 || c === 9 || c === 13;

/** Folded comparison of `rest` at `pos`; a space matches any blank or hyphen, an apostrophe also ’. */
export function matchRest(text: string, pos: number, rest: string): boolean {
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

export function sameWord(text: string, start: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if (fold(text.charCodeAt(start + k)) !== word.charCodeAt(k)) return false;
  return true;
}

/** The next non-blank character at or after `i` on the same line, or -1. */
export function nextSolid(text: string, i: number): number {
  for (let k = i; k < text.length && k < i + 8; k++) {
    const c = text.charCodeAt(k);
    if (!isBlank(c)) return c === 10 ? -1 : c;
  }
  return -1;
}
/** The previous non-blank character before `i` on the same line, or -1. */
export function prevSolid(text: string, i: number): number {
  for (let k = i - 1; k >= 0 && k > i - 8; k--) {
    const c = text.charCodeAt(k);
    if (!isBlank(c)) return c === 10 ? -1 : c;
  }
  return -1;
}
export const isOperand = (c: number): boolean => c >= 0 && (isWordChar(c) || c === 41 || c === 40); // word, ')' or '('

/** "name(" after a declaration keyword: def f(, fn f(, func f(, function f( or function(. */
export function declarationAt(text: string, i: number, anonymousOk: boolean): boolean {
  let k = i;
  while (k < text.length && text.charCodeAt(k) === 32) k++;
  const nameStart = k;
  while (k < text.length && isWordChar(text.charCodeAt(k))) k++;
  if (k === nameStart && !anonymousOk) return false;
  while (k < text.length && text.charCodeAt(k) === 32) k++;
  return text.charCodeAt(k) === 40;
}

/** "f(x) =" ending just before `i`. */
export function functionNotationBefore(text: string, i: number): boolean {
  let k = i - 1;
  while (k >= 0 && text.charCodeAt(k) === 32) k--;
  if (k < 4 || text.charCodeAt(k) !== 41) return false;
  const v = fold(text.charCodeAt(k - 1));
  const f = fold(text.charCodeAt(k - 3));
  return v >= 97 && v <= 122 && text.charCodeAt(k - 2) === 40 && (f === 102 || f === 103 || f === 104) && !isWordChar(text.charCodeAt(k - 4));
}
