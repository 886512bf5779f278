import { type Failure, type FailureReason, failure } from '../../core/failure.js';
import { isRecord } from '../../core/json.js';
import type { UpstreamHeaders } from '../../core/upstream.js';
import { classifyHttpFailure, upstreamMessage } from '../failure.js';

/**
 * Bedrock names every error: over HTTP in the `x-amzn-errortype` header
 * ("ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"), inside a stream in
 * the `:exception-type` header ("throttlingException"). The name says more than the status does,
 * so it decides the reason; the status-based classification is the fallback for names not listed.
 */
const BY_NAME: Readonly<Record<string, FailureReason>> = {
  throttlingexception: 'rate_limited',
  servicequotaexceededexception: 'rate_limited',
  serviceunavailableexception: 'overloaded',
  modelnotreadyexception: 'overloaded',
  internalserverexception: 'server_error',
  modelstreamerrorexception: 'server_error',
  modelerrorexception: 'server_error',
  modeltimeoutexception: 'timeout',
  accessdeniedexception: 'auth',
  unrecognizedclientexception: 'auth',
  invalidsignatureexception: 'auth',
  expiredtokenexception: 'auth',
  resourcenotfoundexception: 'not_found',
  validationexception: 'bad_request',
};

// "max tokens" as words, not the `max_tokens` parameter name, which also appears in plain bad requests.
const CONTEXT = /too long|too many (?:input )?tokens|max(?:imum)? (?:input )?tokens|context (?:length|window)|maximum context/i;

function headerValue(headers: UpstreamHeaders, name: string): string | undefined {
  const v = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** "ThrottlingException:http://..." or "com.amazon.bedrock#ThrottlingException" → "ThrottlingException". */
export function errorName(headers: UpstreamHeaders, body: unknown): string | undefined {
  const raw = headerValue(headers, 'x-amzn-errortype') ?? (isRecord(body) && typeof body.__type === 'string' ? body.__type : undefined);
  if (!raw) return undefined;
  const name = (raw.split(':')[0] ?? '').split('#').pop()?.trim();
  return name ? name : undefined;
}

function reasonFor(name: string, message: string, fallback: FailureReason): FailureReason {
  const known = BY_NAME[name.toLowerCase()];
  if (known === undefined) return fallback;
  if (known === 'bad_request') {
    if (fallback === 'content_filtered' || fallback === 'context_length_exceeded') return fallback;
    if (CONTEXT.test(message)) return 'context_length_exceeded';
  }
  return known;
}

/** Quota exhaustion will not pass with a short wait: move to another target instead of retrying. */
function dispositionFor(name: string): { disposition?: Failure['disposition'] } {
  return name.toLowerCase() === 'servicequotaexceededexception' ? { disposition: 'fallback' } : {};
}

export function classifyError(status: number, body: unknown, headers: UpstreamHeaders): Failure {
  const base = classifyHttpFailure(status, body, headers);
  const name = errorName(headers, body);
  if (!name) return base;
  const reason = reasonFor(name, base.message, base.reason);
  return failure(reason, base.message, {
    status,
    upstreamCode: name,
    retryAfterMs: base.retryAfterMs,
    phase: base.phase,
    ...dispositionFor(name),
  });
}

/**
 * A failure reported inside ConverseStream: `exception:<name>` (a modelled exception whose payload is
 * {"message": ...}) or `error:<code>` (an unmodelled service error whose data is the message).
 */
export function streamFailure(event: string, data: string): Failure {
  const [kind, name = 'unknown'] = splitOnce(event);
  if (kind === 'error') {
    return failure('server_error', data || `upstream stream error ${name}`, { upstreamCode: name, phase: 'stream' });
  }
  let parsed: unknown = data;
  try {
    parsed = JSON.parse(data) as unknown;
  } catch {
    // Plain-text payload: use it as the message.
  }
  const message = upstreamMessage(parsed, `upstream stream exception ${name}`);
  return failure(reasonFor(name, message, 'server_error'), message, { upstreamCode: name, phase: 'stream', ...dispositionFor(name) });
}

function splitOnce(event: string): [string, string | undefined] {
  const at = event.indexOf(':');
  return at < 0 ? [event, undefined] : [event.slice(0, at), event.slice(at + 1)];
}
