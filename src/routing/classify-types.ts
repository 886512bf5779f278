/**
 * What the classifier says about a request (classify.ts re-exports all of it): the labels routing
 * reads and the features behind them, for explain output.
 */

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
