import { describeTarget, type Target } from '../config/types.js';
import { ERROR_CODES, type ErrorCode, GatewayError } from '../errors.js';
import { type Failure, type FailureReason, failure, UpstreamFailure } from '../providers/failure.js';

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

/**
 * Any error of an attempt as a classified failure. A GatewayError thrown while building means this
 * target cannot carry the request (e.g. an unsupported content type): another target may. Any
 * other exception is the gateway's own fault (a bug, a stack overflow on a hostile body): never
 * the provider's, so it is not retried, moves no breaker and ends the request with a 500.
 */
export function toFailure(err: unknown): Failure {
  if (err instanceof UpstreamFailure) return err.failure;
  if (err instanceof GatewayError) {
    return { ...failure('bad_request', err.message, { disposition: 'fallback', phase: 'local' }), local: { code: err.code, param: err.param } };
  }
  return {
    ...failure('internal', 'internal error in the gateway; the request id in x-switchyard-request-id finds it in the log', { phase: 'local' }),
    local: { code: 'internal_error', param: null },
    cause: err,
  };
}

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
  const message = n === 1 ? `${attempts[0]?.target} failed (${where}): ${best.message}` : `All ${n} attempts failed; most relevant: ${where}: ${best.message}`;
  // Upstream request errors keep the upstream's status where it is a client error the caller can fix.
  const status = best.reason === 'bad_request' && best.status !== undefined && best.status >= 400 && best.status < 500 ? best.status : undefined;
  return new GatewayError(code, message, { attempts, headers, ...(status !== undefined ? { status } : {}) });
}

function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}
