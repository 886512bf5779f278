/**
 * The classifier's scanner on characters that are neither word characters nor spaces: newlines end
 * lines and sentences, backticks open fences and inline code, sentence marks end sentences, and
 * operators say code (`=>`, `&&`, `++`, `obj.method(`) or math (`x + 7 = 22`, `f(x) =`, `x^2`).
 * Each function takes the position of its character and returns where scanning goes on.
 */
import { S_ARITHMETIC, S_FENCE, S_INLINE, S_MATH_SYMBOL, S_NOTATION, S_QUESTION, S_SYNTAX } from './classify-lexicon.js';
import { fire, type Lex, NEVER } from './classify-state.js';
import { fold, functionNotationBefore, isBlank, isDigit, isOperand, isWordChar, MATH_SYMBOL_CODES, matchRest, nextSolid, prevSolid } from './classify-text.js';

/** The ASCII characters symbol() does more with than note them as the line's last solid character. */
export const SYMBOLS: readonly number[] = Array.from('\n\t\r`?.!=&|:+-*/^$%<()#', (ch) => ch.charCodeAt(0));

export function symbol(lx: Lex, i: number, c: number): number {
  switch (c) {
    case 10:
      return newline(lx, i);
    case 9:
    case 13:
      return i + 1;
    case 96:
      return backtick(lx, i);
    case 63: // ?
    case 46: // .
    case 33: // !
      return sentenceMark(lx, i, c);
    case 61:
      return equals(lx, i);
    case 38: // &&
    case 124: // ||
    case 58: // ::
      if (lx.text.charCodeAt(i + 1) === c) return syntax(lx, i, 2, c);
      break;
    case 43:
    case 45:
      return plusOrMinus(lx, i, c);
    case 42: // *
    case 47: // / (spaced only: 24/7 and 1/2/2024 are not sums)
    case 94: // ^
      arithmetic(lx, i, c);
      break;
    case 36: // $$ display math
      if (lx.text.charCodeAt(i + 1) === 36) {
        fire(lx.st, S_NOTATION);
        return solid(lx, i + 2, c);
      }
      break;
    default:
      marker(lx, i, c);
  }
  return solid(lx, i + 1, c);
}

/** Notes `c` as the line's last solid character; returns `next`. */
function solid(lx: Lex, next: number, c: number): number {
  lx.lastSolid = c;
  return next;
}

/** A code operator of `width` characters at `i`. */
function syntax(lx: Lex, i: number, width: number, last: number): number {
  fire(lx.st, S_SYNTAX);
  return solid(lx, i + width, last);
}

/** A line of code ends in ; or {, and a new sentence begins. */
function newline(lx: Lex, i: number): number {
  if (lx.lastSolid === 59 || lx.lastSolid === 123) fire(lx.st, S_SYNTAX);
  lx.atLineStart = true;
  lx.lineBegin = i + 1;
  lx.lastSolid = -1;
  lx.lastArith = NEVER;
  lx.sentenceStart = lx.wordIndex;
  return i + 1;
}

/** ``` opens or closes a fence; `...` outside a fence is an inline code span, skipped (its content is code). */
function backtick(lx: Lex, i: number): number {
  const { text, st } = lx;
  if (text.charCodeAt(i + 1) === 96 && text.charCodeAt(i + 2) === 96) {
    if (st.inFence) st.codeChars += i - lx.fenceStart;
    else lx.fenceStart = i + 3;
    fire(st, S_FENCE); // counted in and out of fences
    st.inFence = !st.inFence;
    return solid(lx, i + 3, 96);
  }
  if (!st.inFence) {
    let k = i + 1;
    while (k < lx.to && k < i + 82 && text.charCodeAt(k) !== 96 && text.charCodeAt(k) !== 10) k++;
    if (k < lx.to && text.charCodeAt(k) === 96 && k > i + 1) {
      fire(st, S_INLINE);
      return solid(lx, k + 1, 96);
    }
  }
  return solid(lx, i + 1, 96);
}

/** ? . ! before a blank or the end end a sentence; != and !== are code. */
function sentenceMark(lx: Lex, i: number, c: number): number {
  const text = lx.text;
  const n1 = i + 1 < text.length ? text.charCodeAt(i + 1) : -1;
  if (c === 33 && n1 === 61) {
    if (text.charCodeAt(i + 2) === 61) fire(lx.st, S_SYNTAX); // !==
    return solid(lx, i + 2, 61);
  }
  if (n1 === -1 || isBlank(n1) || n1 === 10) {
    if (c === 63) fire(lx.st, S_QUESTION);
    lx.sentenceStart = lx.wordIndex;
  }
  return solid(lx, i + 1, c);
}

/** => and === are code, == is neither; a lone = after f(x) is notation, after an operand + operand an equation. */
function equals(lx: Lex, i: number): number {
  const text = lx.text;
  const n1 = text.charCodeAt(i + 1);
  if (n1 === 62) return syntax(lx, i, 2, 61);
  if (n1 === 61) return text.charCodeAt(i + 2) === 61 ? syntax(lx, i, 3, 61) : solid(lx, i + 2, 61);
  if (functionNotationBefore(text, i)) fire(lx.st, S_NOTATION);
  else if (i - lx.lastArith <= 24) fire(lx.st, S_ARITHMETIC); // x + 7 = 22
  return solid(lx, i + 1, 61);
}

/** ++ += -= are code; a spaced + or - is an arithmetic operator like * / ^. */
function plusOrMinus(lx: Lex, i: number, c: number): number {
  const text = lx.text;
  const n1 = text.charCodeAt(i + 1);
  if ((c === 43 && n1 === 43) || n1 === 61) return syntax(lx, i, 2, 61);
  // Only a spaced minus is one; it is not counted alone ("9 - 5" is a range), only in an equation.
  if (c === 45 && !(isBlank(text.charCodeAt(i - 1)) && isBlank(n1))) return solid(lx, i + 1, c);
  arithmetic(lx, i, c);
  return solid(lx, i + 1, c);
}

/** An operator between two operands: x^2 is a math symbol, 3 * 4 and (a + b) * 2 arithmetic. */
function arithmetic(lx: Lex, i: number, c: number): void {
  const text = lx.text;
  if (c === 47 && !(isBlank(text.charCodeAt(i - 1)) && isBlank(text.charCodeAt(i + 1)))) return;
  const before = prevSolid(text, i);
  const after = nextSolid(text, i + 1);
  if (!(isOperand(before) && isOperand(after))) return;
  lx.lastArith = i;
  if (c === 94) fire(lx.st, S_MATH_SYMBOL);
  else if (c !== 45 && (isDigit(before) || before === 41) && (isDigit(after) || after === 40)) fire(lx.st, S_ARITHMETIC);
}

/** Characters that only mark something where they stand: % < ( ) # and math symbols. */
function marker(lx: Lex, i: number, c: number): void {
  const { text, st } = lx;
  switch (c) {
    case 37: // 15% of 80
      if (isDigit(text.charCodeAt(i - 1)) && text.charCodeAt(i + 1) === 32 && fold(text.charCodeAt(i + 2)) === 111 && fold(text.charCodeAt(i + 3)) === 102)
        fire(st, S_ARITHMETIC);
      break;
    case 60: // </tag
      if (text.charCodeAt(i + 1) === 47 && isLowerAt(text, i + 2)) fire(st, S_SYNTAX);
      break;
    case 40: // obj.method(
      if (i > 0 && isWordChar(text.charCodeAt(i - 1)) && methodCallBefore(lx, i)) fire(st, S_SYNTAX);
      break;
    case 41: {
      // foo(); if (x) {
      const after = nextSolid(text, i + 1);
      if (after === 59 || after === 123) fire(st, S_SYNTAX);
      break;
    }
    case 35: // #include
      if (matchRest(text, i + 1, 'include')) fire(st, S_SYNTAX);
      break;
    default:
      if (c >= 0x80 && MATH_SYMBOL_CODES.has(c)) fire(st, S_MATH_SYMBOL);
  }
}

function isLowerAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c >= 97 && c <= 122;
}

/** "obj.method" ends just before the "(" at `i` (after a word character). */
function methodCallBefore(lx: Lex, i: number): boolean {
  const text = lx.text;
  let k = i - 1;
  while (k > lx.from && k > i - 40 && isWordChar(text.charCodeAt(k - 1))) k--;
  return k >= 2 && text.charCodeAt(k - 1) === 46 && isWordChar(text.charCodeAt(k - 2));
}
