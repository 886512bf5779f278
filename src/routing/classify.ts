/**
 * Rule-based request classification for routing: what kind of task a chat request is, how hard it
 * looks, how long it is, and whether someone is likely waiting on the answer. It runs before a
 * target is chosen whenever routing reads it (rules, `auto`, explain), so it is cheap (a few
 * microseconds on a typical prompt) and pure: no I/O, no clocks, no state kept between calls, the
 * same request always gives the same classification.
 *
 * The keyword knowledge is data in classify-terms.ts, compiled at load by classify-lexicon.ts.
 * Text is read in one pass, character by character (classify-scan.ts, classify-symbols.ts), into
 * per-domain points and feature counters. This file is the entry point: it decides what to read
 * (the last user message at both ends, the head of the system prompt) and turns the points and
 * counters into a task, a complexity, a length class and latency sensitivity.
 */
import type { ChatMessage, ChatRequest } from '../api/chat.js';
import { COUNTERS, DOMAIN_PRIORITY } from './classify-lexicon.js';
import { type MessageShape, measureMessages, scanHead, scanTail } from './classify-messages.js';
import { newState, type ScanState } from './classify-state.js';
import type { Counter } from './classify-terms.js';
import type { Classification, ClassificationFeatures, Complexity, LengthClass, TaskDomain } from './classify-types.js';

export type { Classification, ClassificationFeatures, Complexity, LengthClass, TaskDomain } from './classify-types.js';

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

export function classify(req: ChatRequest): Classification {
  const messages: readonly ChatMessage[] = Array.isArray(req.messages) ? req.messages : [];
  const shape = measureMessages(messages);
  const scores = new Float64Array(DOMAIN_PRIORITY.length);
  const counts = new Int32Array(COUNTERS.length);
  const user = newState(1, true, scores, counts);
  const system = newState(SYSTEM_WEIGHT, false, scores, counts);
  const scannedChars = scanLastUser(shape, user);
  if (shape.systemChars > 0) scanSystem(messages, system);
  addFormatPoints(scores, req.response_format?.type);
  const d = taskIndex(scores);
  const task: TaskDomain = d < 0 ? 'chat' : DOMAIN_PRIORITY[d]!;
  const features = featuresOf(req, messages.length, shape, scannedChars, counts, user, system);
  features.taskScore = d < 0 ? 0 : scores[d]!;
  features.complexityScore = complexityPoints(features);
  const complexity = complexityOf(features.complexityScore);
  const latencySensitive = isLatencySensitive(features, task, complexity);
  return { task, complexity, length: lengthClass(features.chars), latencySensitive, features };
}

/**
 * The last user message states the task. A long one is read at both ends: the instruction is
 * usually before or after the pasted material, rarely in its middle. Returns the characters read.
 */
function scanLastUser(shape: MessageShape, user: ScanState): number {
  const { lastUser, lastUserChars } = shape;
  if (lastUser === undefined) return 0;
  if (lastUserChars <= SCAN_HEAD_CHARS + SCAN_TAIL_CHARS) return scanHead(lastUser.content, lastUserChars, user);
  return scanHead(lastUser.content, SCAN_HEAD_CHARS, user) + scanTail(lastUser.content, SCAN_TAIL_CHARS, user);
}

/** System prompts set the context ("you are a Python expert"): domain points only, at half weight. */
function scanSystem(messages: readonly ChatMessage[], system: ScanState): void {
  let budget = SYSTEM_SCAN_CHARS;
  for (const msg of messages) {
    if (budget <= 0) break;
    if (msg.role === 'system' || msg.role === 'developer') budget -= scanHead(msg.content, budget, system);
  }
}

const EXTRACTION = DOMAIN_PRIORITY.indexOf('extraction');

function addFormatPoints(scores: Float64Array, format: string | undefined): void {
  if (format === 'json_schema') scores[EXTRACTION]! += JSON_SCHEMA_POINTS;
  else if (format === 'json_object') scores[EXTRACTION]! += JSON_OBJECT_POINTS;
}

/** The domain with the most points, at least MIN_TASK_SCORE (the earlier on a tie), or -1 for 'chat'. */
function taskIndex(scores: Float64Array): number {
  let best = -1;
  let bestScore = 0;
  for (let d = 0; d < DOMAIN_PRIORITY.length; d++) {
    const score = scores[d]!;
    if (score >= MIN_TASK_SCORE && score > bestScore) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}

const C = Object.fromEntries(COUNTERS.map((name, i) => [name, i])) as Record<Counter, number>;

/** The features, with taskScore and complexityScore still 0 (they are worked out from the rest). */
function featuresOf(
  req: ChatRequest,
  messages: number,
  shape: MessageShape,
  scannedChars: number,
  counts: Int32Array,
  user: ScanState,
  system: ScanState,
): ClassificationFeatures {
  const count = (name: Counter): number => counts[C[name]]!;
  const format = req.response_format?.type;
  const tools = Array.isArray(req.tools) ? req.tools.length : 0;
  const rawMax = req.max_completion_tokens ?? req.max_tokens;
  const features: ClassificationFeatures = {
    chars: shape.chars,
    messages,
    userTurns: shape.userTurns,
    lastUserChars: shape.lastUserChars,
    scannedChars,
    systemChars: shape.systemChars,
    codeFences: Math.ceil(count('fence') / 2),
    codeChars: user.codeChars,
    codeHints: count('code'),
    stackTraces: count('stackTrace'),
    mathHints: count('math'),
    summaryHints: count('summary'),
    translationHints: count('translation'),
    extractionHints: count('extraction'),
    creativeHints: count('creative'),
    reasoningHints: count('reasoning'),
    constraints: count('constraint'),
    listItems: count('listItem'),
    questions: count('question'),
    systemPoints: system.points,
    taskScore: 0,
    complexityScore: 0,
    tools,
    hasTools: tools > 0,
    hasImages: shape.hasImages,
    jsonOutput: format === 'json_object' || format === 'json_schema',
    stream: req.stream === true,
  };
  if (typeof rawMax === 'number' && Number.isFinite(rawMax)) features.maxTokens = rawMax;
  return features;
}

/** 0, 1 or 2 points for a value against two thresholds. */
const steps = (value: number, one: number, two: number): number => (value >= two ? 2 : value >= one ? 1 : 0);

function complexityPoints(f: ClassificationFeatures): number {
  let points =
    steps(f.chars, LONG_CONTEXT_CHARS, HUGE_CONTEXT_CHARS) +
    steps(f.codeChars, CODE_CHARS_MEDIUM, CODE_CHARS_LARGE) +
    (f.stackTraces > 0 ? 1 : 0) +
    steps(f.listItems + f.constraints, STEPS_MEDIUM, STEPS_MANY) +
    steps(f.questions, QUESTIONS_MEDIUM, QUESTIONS_MANY) +
    Math.min(f.reasoningHints * REASONING_POINTS, REASONING_MAX_POINTS) +
    steps(f.tools, 1, MANY_TOOLS) +
    steps(f.userTurns, DEEP_TURNS, VERY_DEEP_TURNS) +
    (f.hasImages ? IMAGE_POINTS : 0);
  if (f.maxTokens !== undefined) {
    points += steps(f.maxTokens, LARGE_OUTPUT_TOKENS, HUGE_OUTPUT_TOKENS);
    if (f.maxTokens <= TINY_OUTPUT_TOKENS) points -= 1;
  }
  return points;
}

const complexityOf = (points: number): Complexity => (points >= COMPLEX_AT ? 'complex' : points >= MEDIUM_AT ? 'medium' : 'simple');

/** Streaming, a short max_tokens, or a short simple chat turn: someone is likely waiting on the answer. */
function isLatencySensitive(f: ClassificationFeatures, task: TaskDomain, complexity: Complexity): boolean {
  return (
    f.stream ||
    (f.maxTokens !== undefined && f.maxTokens <= LATENCY_MAX_TOKENS) ||
    (task === 'chat' && complexity === 'simple' && f.lastUserChars <= CHATTY_MAX_CHARS && f.tools === 0 && !f.jsonOutput)
  );
}

function lengthClass(chars: number): LengthClass {
  if (chars < SHORT_MAX_CHARS) return 'short';
  if (chars < MEDIUM_MAX_CHARS) return 'medium';
  if (chars < LONG_MAX_CHARS) return 'long';
  return 'very_long';
}
