import { describeTarget, type Target } from '../config/types.js';
import { ERROR_CODES, type ErrorCode, GatewayError } from '../core/errors.js';
import { type Failure, type FailureReason, failure, UpstreamFailure } from '../core/failure.js';
import type { Redactor } from '../core/redact.js';
import type { ExecContext } from './context.js';

/** One try of one target, as the client and the logs see it. */
export interface AttemptRecord {
  target: string;
  /** `hedge_lost`: stopped because a hedged attempt answered first; never billed. */
  outcome: 'ok' | FailureReason | 'aborted' | 'hedge_lost';
  status?: number;
  duration_ms: number;
  message?: string;
}

export function failedAttempt(target: Target, f: Failure, startedAt: number, now: number): AttemptRecord {
  const rec: AttemptRecord = {
    target: describeTarget(target),
    outcome: f.reason,
    duration_ms: Math.round(now - startedAt),
    message: f.message,
  };
  if (f.status !== undefined) rec.status = f.status;
  return rec;
}

/** What toFailure needs of the request: its redactor, and its log (which adds the request id). */
export type FailureScope = Pick<ExecContext, 'redact' | 'log'>;

/**
 * Any error of an attempt as the classified failure the executor records. Every failure the
 * attempts list, the client's error and the request's log carry passes here, so this is where
 * upstream text is made safe (docs/errors.md#what-upstream-text-reaches-the-client): credentials
 * redacted, a refused key reported by provider and code only, and transport details (addresses,
 * hosts, paths) moved to the log. Runs on failures only. A GatewayError thrown while building means
 * this target cannot carry the request (e.g. an unsupported content type): another target may.
 */
export function toFailure(err: unknown, target: Target, scope: FailureScope): Failure {
  const f = classify(err);
  if (f.reason === 'internal') {
    const { detail, ...rest } = f;
    scope.log('internal_error', { target: describeTarget(target), error: detail });
    return { ...rest, target: describeTarget(target) };
  }
  // The gateway's own refusal (an adapter cannot carry the request) has no upstream text in it.
  if (f.local) return { ...f, target: describeTarget(target) };
  const { detail, ...rest } = f;
  const safe: Failure = { ...rest, message: clientMessage(f, target, scope.redact), target: describeTarget(target) };
  if (detail !== undefined || f.reason === 'auth') {
    const upstream = detail ?? f.message;
    scope.log('upstream_failure', { target: safe.target, reason: f.reason, ...(f.status !== undefined ? { status: f.status } : {}), detail: upstream });
  }
  return safe;
}

function classify(err: unknown): Failure {
  if (err instanceof UpstreamFailure) return err.failure;
  if (err instanceof GatewayError) {
    return { ...failure('bad_request', err.message, { disposition: 'fallback', phase: 'local' }), local: { code: err.code, param: err.param } };
  }
  // Any other exception is the gateway's own fault (a bug, a stack overflow on a hostile body),
  // never the provider's: not retried, no breaker moves, and the client gets a 500.
  const name = err instanceof Error ? err.name : typeof err;
  return {
    ...failure('internal', `unexpected ${name} in the gateway; the log has it under the request id in x-switchyard-request-id`, {
      phase: 'local',
      detail: err instanceof Error ? (err.stack ?? err.message) : String(err),
    }),
    local: { code: 'internal_error', param: null },
  };
}

function clientMessage(f: Failure, target: Target, redact: Redactor): string {
  if (f.reason !== 'auth') return redact.text(f.message);
  // The upstream's words about a refused key may quote the key: the provider and its code say enough.
  const code = f.upstreamCode !== undefined && SAFE_CODE.test(f.upstreamCode) && redact.text(f.upstreamCode) === f.upstreamCode ? f.upstreamCode : undefined;
  const why = [f.status !== undefined ? `HTTP ${f.status}` : undefined, code].filter((x) => x !== undefined).join(', ');
  return `provider ${target.provider.name} refused the gateway's credentials${why ? ` (${why})` : ''}`;
}

/** A provider error code worth showing: a short identifier, never free text. */
const SAFE_CODE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

const CODE_OF: Record<FailureReason, ErrorCode> = {
  internal: 'internal_error',
  bad_request: 'upstream_bad_request',
  content_filtered: 'content_filtered',
  context_length_exceeded: 'context_length_exceeded',
  not_found: 'model_not_found',
  rate_limited: 'rate_limited',
  overloaded: 'upstream_overloaded',
  server_error: 'upstream_error',
  timeout: 'upstream_timeout',
  connection: 'upstream_unreachable',
  auth: 'upstream_auth',
  stream_interrupted: 'stream_interrupted',
};

/** Which failure best explains the outcome to the client: what the client can act on comes first. */
const RANK: readonly FailureReason[] = [
  'internal',
  'bad_request',
  'content_filtered',
  'context_length_exceeded',
  'not_found',
  'rate_limited',
  'overloaded',
  'timeout',
  'server_error',
  'stream_interrupted',
  'connection',
  'auth',
];

export function finalError(failures: readonly Failure[], attempts: AttemptRecord[]): GatewayError {
  let best: Failure | undefined;
  for (const f of failures) {
    if (!best || RANK.indexOf(f.reason) < RANK.indexOf(best.reason)) best = f;
  }
  if (!best) return new GatewayError('upstream_error', 'No upstream target could be tried for this request', { attempts });
  if (best.local && isErrorCode(best.local.code)) {
    const message = attempts.length === 1 ? best.message : `No target could take this request; most relevant: ${best.message}`;
    return new GatewayError(best.local.code, message, { param: best.local.param, attempts });
  }
  const code = CODE_OF[best.reason];
  const headers: Record<string, string> = {};
  // 429, and 503 from an overloaded or full target, say when to come back if anyone said.
  if ((best.reason === 'rate_limited' || best.reason === 'overloaded') && best.retryAfterMs !== undefined) {
    headers['retry-after'] = String(Math.ceil(best.retryAfterMs / 1000));
  }
  const n = attempts.length;
  const where = best.status !== undefined ? `HTTP ${best.status}` : best.reason;
  const relevant = best.target !== undefined ? `${best.target} (${where})` : where;
  const message =
    n === 1 ? `${attempts[0]?.target} failed (${where}): ${best.message}` : `All ${n} attempts failed; most relevant: ${relevant}: ${best.message}`;
  // Upstream request errors keep the upstream's status where it is a client error the caller can fix.
  const status = best.reason === 'bad_request' && best.status !== undefined && best.status >= 400 && best.status < 500 ? best.status : undefined;
  return new GatewayError(code, message, { attempts, headers, ...(status !== undefined ? { status } : {}) });
}

function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}
