/**
 * The classifier's lexicon: the keyword tables of classify-terms.ts compiled at load into a hash
 * map keyed like the scanner hashes words, and the signals as flat arrays indexed by signal number
 * (what a hit counts as, which domain it scores, how many points, how many times at most).
 */
import type { Counter, ScoredDomain, SignalDef, SignalName } from './classify-terms.js';
import { DECLARATION_WORDS, INTO_WORDS, LATEX_COMMANDS, PAIRS, SIGNALS, WORD_TABLES } from './classify-terms.js';
import { fold, hashStep, isWordChar } from './classify-text.js';

/** Tie-break order: on equal points the earlier domain wins. */
export const DOMAIN_PRIORITY = ['code', 'math', 'translation', 'summarization', 'extraction', 'creative'] as const satisfies readonly ScoredDomain[];

export const SIGNAL_NAMES = Object.keys(SIGNALS) as SignalName[];
const SIGNAL_INDEX = new Map<SignalName, number>(SIGNAL_NAMES.map((name, i) => [name, i]));
export const COUNTERS: readonly Counter[] = [
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
export const sig = (name: SignalName): number => SIGNAL_INDEX.get(name)!;
export const SIG_COUNTER = Int8Array.from(SIGNAL_NAMES, (n) => COUNTERS.indexOf(SIGNALS[n].counter));
export const SIG_DOMAIN = Int8Array.from(SIGNAL_NAMES, (n) => {
  const def: SignalDef = SIGNALS[n];
  return def.domain === undefined ? -1 : DOMAIN_PRIORITY.indexOf(def.domain);
});
export const SIG_POINTS = Float64Array.from(SIGNAL_NAMES, (n) => (SIGNALS[n] as SignalDef).points ?? 0);
export const SIG_CAP = Uint8Array.from(SIGNAL_NAMES, (n) => (SIGNALS[n] as SignalDef).cap ?? 0);
export const SIG_IN_CODE = Uint8Array.from(SIGNAL_NAMES, (n) => ((SIGNALS[n] as SignalDef).inCode === true ? 1 : 0));

export const S_FENCE = sig('fence');
export const S_STACK = sig('stackTrace');
export const S_SYNTAX = sig('codeSyntax');
export const S_INLINE = sig('inlineCode');
export const S_NOTATION = sig('mathNotation');
export const S_MATH_SYMBOL = sig('mathSymbol');
export const S_ARITHMETIC = sig('arithmetic');
export const S_QUESTION = sig('question');
export const S_LIST_ITEM = sig('listItem');

export const F_INTO = 1;
export const F_DECLARATION = 2;
export const F_LATEX = 4;
export const F_LINE = 8; // Python traceback: File "x.py", line 3
export const F_ERROR = 16; // rustc error[E0382], tsc error TS2345

export interface Term {
  signals: number[];
  leads: number; // bit p: lead of PAIRS[p]
  objects: number; // bit p: object of PAIRS[p]
  flags: number;
}
export interface Phrase {
  rest: string; // what follows the first word, separator included: "step by step" -> " by step"
  term: Term;
}
export interface Entry {
  word: string;
  hash: number;
  term: Term | undefined;
  phrases: Phrase[];
  next: Entry | undefined; // same slot
}

export const PAIR_GAP = Int32Array.from(PAIRS, (p) => p.gap);
export const PAIR_SIGNAL = Int32Array.from(PAIRS, (p) => sig(p.signal));
export const PAIR_AFTER_INTO = Uint8Array.from(PAIRS, (p) => (p.afterInto === true ? 1 : 0));
export const DIGIT_LEADS = PAIRS.reduce((mask, p, i) => (p.digitsLead === true ? mask | (1 << i) : mask), 0);

/** Hash table: a word's slot is its hash's low bits; a slot chains the entries that share it. */
export const LEXICON_BITS = 12;
export const LEXICON_MASK = (1 << LEXICON_BITS) - 1;
export const LEXICON: (Entry | undefined)[] = new Array<Entry | undefined>(1 << LEXICON_BITS).fill(undefined);

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
