/**
 * Shapes shared by the sandbox's parts. A request in any wire format is reduced to a Dialogue,
 * the reply is generated once as a Reply, and each format renders it back in its own shape.
 */

export type SandboxFormat = 'openai' | 'anthropic' | 'gemini';

export interface ToolSpec {
  name: string;
  /** JSON schema of the arguments, as the client declared it. */
  parameters: unknown;
}

/** What the reply generator needs to know about a chat request, in any wire format. */
export interface Dialogue {
  format: SandboxFormat;
  /** The model id as requested, `@tag` included. */
  model: string;
  stream: boolean;
  lastUserText: string;
  /** Role of the final message, normalised: a Gemini functionResponse or Anthropic tool_result is 'tool'. */
  last: 'user' | 'assistant' | 'tool' | 'none';
  /** Contents of the trailing tool results when `last` is 'tool'. */
  toolResults: string[];
  tools: ToolSpec[];
  /** False when the client said tool_choice none (or its equivalent). */
  toolsAllowed: boolean;
  /** Names the client restricted the choice to, if any. */
  forcedTools: string[];
  parallelTools: boolean;
  /** Present when JSON output was requested; `schema` when one was given. */
  json: { schema?: unknown } | null;
  promptWords: number;
  maxTokens: number | null;
  /** OpenAI stream_options.include_usage. */
  includeUsage: boolean;
}

export interface ToolCallReply {
  id: string;
  name: string;
  args: Record<string, unknown>;
  /** The JSON text of `args`, split the way streams deliver it. */
  fragments: string[];
}

export type Reply =
  | { kind: 'text'; tokens: string[]; finish: 'stop' | 'length' | 'refusal'; json: boolean }
  | { kind: 'tools'; calls: ToolCallReply[] }
  /** Gemini's answer to a blocked prompt: promptFeedback and no candidates. */
  | { kind: 'blocked' };

/** One piece of a streamed body. Content frames are the ones paced, counted, cut and stalled. */
export interface Frame {
  bytes: string;
  kind: 'meta' | 'content' | 'terminal';
}

export type ErrorKind =
  | 'rate_limit'
  | 'server'
  | 'unavailable'
  | 'overloaded'
  | 'bad_gateway'
  | 'timeout'
  | 'context_length'
  | 'content_filter'
  | 'prefill'
  | 'invalid_request'
  | 'unauthorized'
  | 'not_found';

export interface ErrorSpec {
  kind: ErrorKind;
  status: number;
  message?: string;
  retryAfterS?: number;
  /** For context-length wording. */
  promptTokens?: number;
}

export interface HttpReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Everything a renderer needs besides the reply itself. */
export interface RenderContext {
  id: string;
  model: string;
  created: number;
  promptTokens: number;
  includeUsage: boolean;
}

export type AttemptOutcome = 'ok' | 'error' | 'reset' | 'no_response' | 'cut' | 'stall' | 'malformed' | 'no_done' | 'content_filter' | 'rejected';

export interface SandboxAttempt {
  seq: number;
  /** ISO-8601 time the request arrived. */
  time: string;
  format: SandboxFormat;
  endpoint: 'chat' | 'embeddings' | 'models' | 'unknown';
  model: string | null;
  path: string;
  stream: boolean;
  /** The scenario that decided the behaviour, null when none applied (model listing, bad requests). */
  scenario: string | null;
  outcome: AttemptOutcome;
  /** HTTP status sent; null when no status line was ever sent (reset, no-response). */
  status: number | null;
  /** True when the client hung up before the sandbox finished its answer. */
  clientClosed: boolean;
  /**
   * The request body as received, parsed (messages with their image parts, tools, options), so a
   * test can check what reached the provider. Null when the body was not JSON, when there was none
   * (a model listing), or when it was dropped to keep the log's bodies within their byte cap.
   */
  request: unknown;
}
