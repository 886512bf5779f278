/**
 * The classifier's scan state: what one classification accumulates per source (ScanState: scores,
 * counters, caps) and what one scan() call tracks as it reads (Lex: lines, sentences, fences,
 * pending pair leads), and fire(), which records a signal.
 */
import { PAIR_GAP, SIG_CAP, SIG_COUNTER, SIG_DOMAIN, SIG_IN_CODE, SIG_POINTS, SIGNAL_NAMES } from './classify-lexicon.js';

export const NEVER = -1_000_000; // word index of a lead that has not been seen
export const PAIR_COUNT = PAIR_GAP.length;

/** Scores and counters one classification accumulates; one ScanState per source (user or system). */
export interface ScanState {
  readonly weight: number;
  readonly counted: boolean;
  readonly scores: Float64Array; // by DOMAIN_PRIORITY index
  readonly counts: Int32Array; // by COUNTERS index
  readonly hits: Uint8Array; // by signal, for caps
  points: number;
  codeChars: number;
  inFence: boolean;
}

export function newState(weight: number, counted: boolean, scores: Float64Array, counts: Int32Array): ScanState {
  return { weight, counted, scores, counts, hits: new Uint8Array(SIGNAL_NAMES.length), points: 0, codeChars: 0, inFence: false };
}

export function fire(st: ScanState, s: number): void {
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

/**
 * The lexical state of one scan() call; scores, counters and caps accumulate in `st` across calls.
 * One object serves every call: scan() runs to completion (synchronously, never re-entered), so
 * startLex() resets it rather than allocating one per call, and endLex() lets go of the text.
 */
export interface Lex {
  text: string;
  from: number;
  to: number;
  st: ScanState;
  /** Word index of each pair's latest lead. */
  readonly leadAt: Int32Array;
  /** Word index where the current sentence began: pairs do not reach across sentences. */
  sentenceStart: number;
  fenceStart: number;
  wordIndex: number;
  /** The previous word was one of INTO_WORDS. */
  prevInto: boolean;
  lineBegin: number;
  atLineStart: boolean;
  /** Last non-blank character of the current line. */
  lastSolid: number;
  /** Position of the last arithmetic operator on the current line. */
  lastArith: number;
  /** A character of a script written without spaces was seen. */
  sawWide: boolean;
  /** Of the word just read: its folded hash, and whether it is all digits. */
  hash: number;
  digitsOnly: boolean;
}

const IDLE = newState(0, false, new Float64Array(0), new Int32Array(0));
const LEX: Lex = {
  text: '',
  from: 0,
  to: 0,
  st: IDLE,
  leadAt: new Int32Array(PAIR_COUNT),
  sentenceStart: 0,
  fenceStart: 0,
  wordIndex: 0,
  prevInto: false,
  lineBegin: 0,
  atLineStart: true,
  lastSolid: -1,
  lastArith: NEVER,
  sawWide: false,
  hash: 0,
  digitsOnly: false,
};

export function startLex(text: string, from: number, to: number, st: ScanState): Lex {
  st.inFence = false;
  const lx = LEX;
  lx.text = text;
  lx.from = from;
  lx.to = to;
  lx.st = st;
  lx.leadAt.fill(NEVER);
  lx.sentenceStart = 0;
  lx.fenceStart = 0;
  lx.wordIndex = 0;
  lx.prevInto = false;
  lx.lineBegin = from;
  lx.atLineStart = true;
  lx.lastSolid = -1;
  lx.lastArith = NEVER;
  lx.sawWide = false;
  return lx;
}

export function endLex(lx: Lex): void {
  lx.text = '';
  lx.st = IDLE;
}
