import type { Failure, FailurePhase, FailureReason } from '../../core/failure.js';
import { DISPOSITION, failure } from '../../core/failure.js';
import { isRecord } from '../../core/json.js';
import type { UpstreamHeaders } from '../../core/upstream.js';
import { classifyHttpFailure } from '../failure.js';
import { unwrapError } from './wire.js';

/** google.rpc status → reason; these are more precise than the HTTP status they travel with. */
const REASON_BY_STATUS: Readonly<Record<string, FailureReason>> = {
  RESOURCE_EXHAUSTED: 'rate_limited',
  UNAVAILABLE: 'overloaded',
  DEADLINE_EXCEEDED: 'timeout',
  INTERNAL: 'server_error',
  PERMISSION_DENIED: 'auth',
  UNAUTHENTICATED: 'auth',
  NOT_FOUND: 'not_found',
};

const TOKEN_LIMIT = /exceeds the maximum number of tokens|input token count|token count .*exceeds|too many tokens/i;
/** Gemini reports a bad API key as 400 INVALID_ARGUMENT; it is this provider's credentials at fault, not the request. */
const BAD_KEY = /API key not valid|API key expired|API_KEY_INVALID/i;

/**
 * Classify a Gemini error: `{error: {code, message, status, details}}`, sometimes wrapped in a
 * one-element array.
 */
export function classifyGeminiError(status: number, body: unknown, headers: UpstreamHeaders, phase: FailurePhase = 'headers'): Failure {
  const error = unwrapError(body);
  // The shared classifier reads the message from either shape but not the array's status string.
  const base = classifyHttpFailure(status, error ? { error } : body, headers, phase);
  if (!error) return base;

  const rpcStatus = typeof error.status === 'string' ? error.status : undefined;
  const details = Array.isArray(error.details) ? error.details : [];
  let reason: FailureReason = base.reason;
  let disposition = base.disposition;

  const mapped = rpcStatus ? REASON_BY_STATUS[rpcStatus] : undefined;
  if (mapped) {
    reason = mapped;
    disposition = DISPOSITION[mapped];
  } else if (rpcStatus === 'INVALID_ARGUMENT' || rpcStatus === 'FAILED_PRECONDITION') {
    const haystack = `${base.message} ${detailReasons(details).join(' ')}`;
    if (BAD_KEY.test(haystack)) {
      reason = 'auth';
      disposition = 'fallback';
    } else if (TOKEN_LIMIT.test(haystack)) {
      reason = 'context_length_exceeded';
      disposition = 'fallback';
    } else if (rpcStatus === 'FAILED_PRECONDITION') {
      // e.g. "User location is not supported" or billing not enabled: this provider cannot serve
      // the request, another may.
      reason = 'bad_request';
      disposition = 'fallback';
    }
  }

  const retryAfterMs = base.retryAfterMs ?? retryDelayMs(details);
  return failure(reason, base.message, {
    disposition,
    status,
    upstreamCode: rpcStatus ?? base.upstreamCode,
    retryAfterMs,
    phase,
  });
}

/** google.rpc.RetryInfo `retryDelay` ("13s", "0.5s") in milliseconds. */
function retryDelayMs(details: readonly unknown[]): number | undefined {
  for (const d of details) {
    if (!isRecord(d) || typeof d['@type'] !== 'string' || !d['@type'].endsWith('google.rpc.RetryInfo')) continue;
    const m = typeof d.retryDelay === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(d.retryDelay.trim()) : null;
    if (m) return Math.round(Number(m[1]) * 1000);
  }
  return undefined;
}

/** google.rpc.ErrorInfo reasons (e.g. API_KEY_INVALID). */
function detailReasons(details: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const d of details) if (isRecord(d) && typeof d.reason === 'string') out.push(d.reason);
  return out;
}
