import { DISPOSITION, type Failure, type FailureReason, failure } from '../../core/failure.js';
import { isRecord } from '../../core/json.js';
import type { UpstreamHeaders } from '../../core/upstream.js';
import { classifyHttpFailure, PREFILL_UNSUPPORTED } from '../failure.js';

export { PREFILL_UNSUPPORTED };

// "This model does not support assistant message prefill. The conversation must end with a user message."
const PREFILL_PATTERN = /assistant message prefill|does not support (?:assistant )?prefill|must end with a user message/i;
const CONTEXT_PATTERN = /prompt is too long|context window|too many (?:input )?tokens/i;

/** Failure reason for each Anthropic error `type`; undefined leaves the status-based reason. */
export function reasonForErrorType(type: string | undefined): FailureReason | undefined {
  switch (type) {
    case 'overloaded_error':
      return 'overloaded';
    case 'rate_limit_error':
      return 'rate_limited';
    case 'authentication_error':
    case 'permission_error':
    // An account without credit will not serve this request; another provider may.
    case 'billing_error':
      return 'auth';
    case 'not_found_error':
      return 'not_found';
    case 'api_error':
      return 'server_error';
    case 'timeout_error':
      return 'timeout';
    case 'request_too_large':
      return 'context_length_exceeded';
    case 'invalid_request_error':
      return 'bad_request';
    default:
      return undefined;
  }
}

/** Anthropic error envelope {type:'error', error:{type, message}} → its type and message. */
export function anthropicError(body: unknown): { type?: string; message?: string } {
  if (!isRecord(body) || !isRecord(body.error)) return {};
  const { type, message } = body.error;
  return {
    ...(typeof type === 'string' ? { type } : {}),
    ...(typeof message === 'string' ? { message } : {}),
  };
}

/** Classify a non-2xx Anthropic response, refining the shared status/body classification. */
export function classifyAnthropicError(status: number, body: unknown, headers: UpstreamHeaders): Failure {
  const base = classifyHttpFailure(status, body, headers);
  return refine(base, body);
}

/** Classify an in-band `event: error` of a stream (HTTP status was 200 by then). */
export function classifyStreamError(data: unknown): Failure {
  const { type, message } = anthropicError(data);
  const base = failure(reasonForErrorType(type) ?? 'server_error', message ?? 'Anthropic stream reported an error', {
    upstreamCode: type,
    phase: 'stream',
  });
  return refine(base, data);
}

function refine(base: Failure, body: unknown): Failure {
  const { type, message = base.message } = anthropicError(body);
  let reason = reasonForErrorType(type) ?? base.reason;
  let upstreamCode = type ?? base.upstreamCode;
  let disposition = DISPOSITION[reason];

  if (type === 'invalid_request_error' || (type === undefined && base.reason === 'bad_request')) {
    if (CONTEXT_PATTERN.test(message) || base.reason === 'context_length_exceeded') reason = 'context_length_exceeded';
    else if (PREFILL_PATTERN.test(message)) {
      reason = 'bad_request';
      upstreamCode = PREFILL_UNSUPPORTED;
    } else reason = base.reason;
    disposition = DISPOSITION[reason];
    // The request is fine for a model that accepts prefill, so this target, not the request, is at fault.
    if (upstreamCode === PREFILL_UNSUPPORTED) disposition = 'fallback';
  }

  const out: Failure = { ...base, reason, disposition };
  if (upstreamCode !== undefined) out.upstreamCode = upstreamCode;
  return out;
}
