/**
 * HTTP failure classification every wire format shares: the reason from the status, the
 * Retry-After family of headers, the message and code from any provider's error body, and rules
 * applied after an adapter's own classification. Adapters call these from classifyError.
 */
import { type Failure, type FailurePhase, type FailureReason, failure } from '../core/failure.js';

/** Reason from the HTTP status alone; adapters refine it from the body (context length, content filter). */
export function reasonFromStatus(status: number): FailureReason {
  if (status === 429) return 'rate_limited';
  if (status === 503 || status === 529) return 'overloaded';
  if (status === 408 || status === 504) return 'timeout';
  if (status >= 500) return 'server_error';
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 413) return 'context_length_exceeded';
  return 'bad_request';
}

type HeaderGetter = { get(name: string): string | null } | Record<string, string | string[] | undefined>;

function header(headers: HeaderGetter, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const v = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Milliseconds the upstream asked us to wait, from (in order of precision) `retry-after-ms`,
 * `retry-after` (seconds or HTTP date), and the OpenAI/Anthropic rate-limit reset headers.
 */
export function parseRetryAfter(headers: HeaderGetter, now: number = Date.now()): number | undefined {
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const ra = header(headers, 'retry-after');
  if (ra !== undefined && ra.trim() !== '') {
    const secs = Number(ra);
    if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
    const date = Date.parse(ra);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  // OpenAI: "x-ratelimit-reset-requests: 1s" / "6m0s" / "20ms"
  for (const name of ['x-ratelimit-reset-requests', 'x-ratelimit-reset-tokens']) {
    const v = header(headers, name);
    const parsed = v === undefined ? undefined : parseGoDuration(v);
    if (parsed !== undefined) return parsed;
  }
  // Anthropic: RFC 3339 timestamps
  for (const name of ['anthropic-ratelimit-requests-reset', 'anthropic-ratelimit-tokens-reset']) {
    const v = header(headers, name);
    if (v === undefined) continue;
    const t = Date.parse(v);
    if (Number.isFinite(t)) return Math.max(0, t - now);
  }
  return undefined;
}

/** "1h2m3.5s", "20ms", "6m0s" → milliseconds. */
export function parseGoDuration(s: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let matched = '';
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const n = Number(m[1]);
    total += m[2] === 'h' ? n * 3_600_000 : m[2] === 'm' ? n * 60_000 : m[2] === 's' ? n * 1000 : n;
    matched += m[0];
  }
  return matched.length > 0 && matched === s.trim() ? total : undefined;
}

/**
 * Rules every wire format shares, applied after the adapter classified a response, so no adapter's
 * own refinement can lose them. A refused prefill (final assistant turn) is not the request's
 * fault: another target may accept it.
 */
export function applySharedRules(f: Failure): Failure {
  if ((f.status === 400 || f.status === 422) && PREFILL_PATTERNS.test(f.message)) {
    return { ...f, reason: 'bad_request', disposition: 'fallback', upstreamCode: PREFILL_UNSUPPORTED };
  }
  return f;
}

/** Message text of an upstream error body in any of the providers' shapes. */
export function upstreamMessage(body: unknown, fallback: string): string {
  if (typeof body === 'string') return body.slice(0, 500) || fallback;
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const err = (Array.isArray(b) ? b[0]?.error : b.error) as unknown;
    if (err && typeof err === 'object') {
      const msg = (err as Record<string, unknown>).message;
      if (typeof msg === 'string') return msg;
    }
    if (typeof err === 'string') return err;
    if (typeof b.message === 'string') return b.message;
    if (typeof b.Message === 'string') return b.Message;
  }
  return fallback;
}

const CONTEXT_PATTERNS =
  /context[_ ]length|context window|maximum context|too many tokens|prompt is too long|input is too long|exceeds? the (?:maximum|max)|input token count|reduce the length/i;
const FILTER_PATTERNS = /content[_ ]?(?:filter|policy|management)|safety|responsible ai|flagged|blocked/i;
/** A model that refuses a final assistant turn (prefill): another target may accept it. */
const PREFILL_PATTERNS = /prefill|final assistant (?:message|turn)|must end with a user/i;

/** The upstreamCode given to a prefill refusal, whatever the wire format. */
export const PREFILL_UNSUPPORTED = 'prefill_unsupported';

/**
 * Shared classification from status + body text. Adapters call this and may override for
 * provider-specific codes.
 */
export function classifyHttpFailure(status: number, body: unknown, headers: HeaderGetter, phase: FailurePhase = 'headers'): Failure {
  const message = upstreamMessage(body, `upstream returned HTTP ${status}`);
  let reason = reasonFromStatus(status);
  const code = errorCodeOf(body);
  const haystack = `${code ?? ''} ${message}`;
  if ((status === 400 || status === 413 || status === 422) && CONTEXT_PATTERNS.test(haystack)) reason = 'context_length_exceeded';
  else if (status === 400 && FILTER_PATTERNS.test(haystack)) reason = 'content_filtered';
  const retryAfterMs = parseRetryAfter(headers);
  return failure(reason, message, { status, upstreamCode: code, retryAfterMs, phase });
}

function errorCodeOf(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  const err = b.error as Record<string, unknown> | undefined;
  if (err && typeof err === 'object') {
    const c = err.code ?? err.type ?? err.status;
    if (typeof c === 'string') return c;
  }
  if (typeof b.type === 'string' && b.type !== 'error') return b.type;
  if (typeof b.__type === 'string') return b.__type;
  return undefined;
}
