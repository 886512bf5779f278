import { type Distribution, fixed } from './rng.js';

/** How one simulated model behaves. Built-in scenarios and scenario-file entries both compile to this. */
export interface Behaviour {
  /** The name shown in the attempts log. */
  scenario: string;
  firstTokenMs: Distribution;
  tokenMs: Distribution;
  /** Forces the length (in tokens) of text replies. */
  tokens: number | null;
  /** A fixed reply text instead of the generated one. */
  reply: string | null;
  /** Fraction of requests (after the first-N and outage rules) that fail with errorStatus. */
  errorRate: number;
  errorStatus: number;
  /** Sent as Retry-After (and retry-after-ms in OpenAI format) on injected errors, when set. */
  retryAfterS: number | null;
  /** The first N requests fail with errorStatus. */
  failFirst: number;
  /** Every request fails with errorStatus. */
  failAlways: boolean;
  /** Requests between start and start+duration, measured from the model's first request, get 503. */
  outage: { startAfterMs: number; durationMs: number } | null;
  cutAfter: number | null;
  stallAfter: number | null;
  malformedAfter: number | null;
  noDone: boolean;
  reset: boolean;
  noResponse: boolean;
  contextLength: boolean;
  contentFilter: boolean;
  rejectPrefill: boolean;
}

export const DEFAULT_BEHAVIOUR: Behaviour = Object.freeze({
  scenario: 'ok',
  firstTokenMs: fixed(5),
  tokenMs: fixed(1),
  tokens: null,
  reply: null,
  errorRate: 0,
  errorStatus: 500,
  retryAfterS: null,
  failFirst: 0,
  failAlways: false,
  outage: null,
  cutAfter: null,
  stallAfter: null,
  malformedAfter: null,
  noDone: false,
  reset: false,
  noResponse: false,
  contextLength: false,
  contentFilter: false,
  rejectPrefill: false,
});

interface BuiltIn {
  description: string;
  patch: Partial<Behaviour>;
}

/** The README table documents these; keep the two in step. */
export const BUILT_IN_SCENARIOS: Readonly<Record<string, BuiltIn>> = {
  ok: { description: 'Normal answers with small latencies (first token ~5 ms, ~1 ms per token). Unknown names behave like this.', patch: {} },
  'rate-limit-once': {
    description: 'First request 429 with Retry-After: 1 (and retry-after-ms: 1000 in OpenAI format); then ok.',
    patch: { failFirst: 1, errorStatus: 429, retryAfterS: 1 },
  },
  'rate-limit': { description: 'Always 429, no Retry-After.', patch: { failAlways: true, errorStatus: 429 } },
  'error-500-once': { description: 'First request 500; then ok.', patch: { failFirst: 1, errorStatus: 500 } },
  'error-503': { description: 'Always 503.', patch: { failAlways: true, errorStatus: 503 } },
  outage: {
    description: "503 for the first 60 s after the model's first request, then ok.",
    patch: { outage: { startAfterMs: 0, durationMs: 60_000 } },
  },
  reset: { description: 'Reads the request, then resets the TCP connection before any response headers.', patch: { reset: true } },
  'no-response': { description: 'Accepts the request and never answers; the socket stays open until the client closes it.', patch: { noResponse: true } },
  'slow-first-token': { description: 'First token after 3 s, then normal pace.', patch: { firstTokenMs: fixed(3000) } },
  'cut-after-5': {
    description: 'Stream closed after 5 content tokens with no terminal event. `cut-after-N` works for any N.',
    patch: { cutAfter: 5 },
  },
  stall: { description: 'After 3 content tokens the stream goes silent but the connection stays open.', patch: { stallAfter: 3 } },
  'malformed-chunk': {
    description: 'One unparseable data line after the 2nd content token, then the stream continues normally.',
    patch: { malformedAfter: 2 },
  },
  'no-done': {
    description:
      'Complete stream (finish reason and usage) without the terminal event: no `data: [DONE]` (OpenAI), no message_stop (Anthropic). Gemini streams have no terminal event, so they end normally.',
    patch: { noDone: true },
  },
  'context-length': { description: "400 context-length-exceeded in the provider's own shape and wording.", patch: { contextLength: true } },
  'content-filter': {
    description:
      'OpenAI: 400 code content_filter. Anthropic: a normal answer with stop_reason "refusal". Gemini: promptFeedback.blockReason SAFETY, no candidates.',
    patch: { contentFilter: true },
  },
  'reject-prefill': {
    description: 'If the last message is an assistant turn (prefill): 400 saying prefill is not supported; else ok.',
    patch: { rejectPrefill: true },
  },
  slow: { description: 'First token after 250 ms and 250 ms between tokens.', patch: { firstTokenMs: fixed(250), tokenMs: fixed(250) } },
};

const CUT_AFTER = /^cut-after-(\d{1,6})$/;
const STALL_AFTER = /^stall-after-(\d{1,6})$/;

/** The built-in behaviour a scenario name selects, or null when the name is not built in. */
export function builtInBehaviour(name: string): Behaviour | null {
  const builtIn = BUILT_IN_SCENARIOS[name];
  if (builtIn) return { ...DEFAULT_BEHAVIOUR, ...builtIn.patch, scenario: name };
  const cut = CUT_AFTER.exec(name);
  if (cut?.[1]) return { ...DEFAULT_BEHAVIOUR, cutAfter: Number(cut[1]), scenario: name };
  const stall = STALL_AFTER.exec(name);
  if (stall?.[1]) return { ...DEFAULT_BEHAVIOUR, stallAfter: Number(stall[1]), scenario: name };
  return null;
}

export function isBuiltInScenario(name: string): boolean {
  return builtInBehaviour(name) !== null;
}

/** A model id minus its optional `@tag`: the tag only isolates state. */
export function scenarioNameOf(model: string): string {
  const at = model.indexOf('@');
  return at === -1 ? model : model.slice(0, at);
}
