/**
 * Every upstream failure is classified once, here or in an adapter's classifyError, into a small
 * set of reasons, each with a disposition the executor acts on:
 *   retry    – the same target may succeed if tried again (after backoff / Retry-After)
 *   fallback – this target will not serve this request; another target may
 *   fatal    – no target will serve it (the request itself is at fault); return to the client
 */
export type FailureReason =
  | 'rate_limited'
  | 'overloaded'
  | 'server_error'
  | 'timeout'
  | 'connection'
  | 'context_length_exceeded'
  | 'content_filtered'
  | 'auth'
  | 'bad_request'
  | 'not_found'
  | 'stream_interrupted'
  /** The gateway's own fault (a bug, an exception while preparing the request): no provider is to blame. */
  | 'internal';

export type Disposition = 'retry' | 'fallback' | 'fatal';

export const DISPOSITION: Readonly<Record<FailureReason, Disposition>> = {
  rate_limited: 'retry',
  overloaded: 'retry',
  server_error: 'retry',
  connection: 'retry',
  timeout: 'fallback',
  context_length_exceeded: 'fallback',
  auth: 'fallback',
  not_found: 'fallback',
  stream_interrupted: 'fallback',
  content_filtered: 'fatal',
  bad_request: 'fatal',
  internal: 'fatal',
};

/**
 * Where in the exchange the failure happened: decides what is still safe to repeat. `local`: the
 * gateway failed before a byte went to the provider (building, encoding, signing the request), so
 * the failure says nothing about the provider's health.
 */
export type FailurePhase = 'local' | 'connect' | 'headers' | 'body' | 'stream';

export interface Failure {
  reason: FailureReason;
  disposition: Disposition;
  message: string;
  /** Upstream HTTP status, when there was one. */
  status?: number;
  /** Provider's own error code or type (e.g. "rate_limit_error", "RESOURCE_EXHAUSTED"). */
  upstreamCode?: string;
  /** From Retry-After / retry-after-ms / reset headers, in milliseconds from now. */
  retryAfterMs?: number;
  phase: FailurePhase;
  /**
   * Set when the gateway refused the request for this target before sending it (the adapter cannot
   * carry it, e.g. n > 1 on Anthropic): the code and field the client should see.
   */
  local?: { code: string; param: string | null };
  /**
   * What only the log may see: the raw transport error behind a client-safe `message` (addresses,
   * host names, paths). The executor logs it, redacted, and drops it from what it records.
   */
  detail?: string;
  /** `provider/model` of the attempt, once the executor recorded the failure. */
  target?: string;
}

export class UpstreamFailure extends Error {
  readonly failure: Failure;
  constructor(failure: Failure) {
    super(failure.message);
    this.name = 'UpstreamFailure';
    this.failure = failure;
  }
}

export function failure(
  reason: FailureReason,
  message: string,
  extra: Partial<Omit<Failure, 'reason' | 'message' | 'disposition'>> & { disposition?: Disposition } = {},
): Failure {
  return { reason, disposition: extra.disposition ?? DISPOSITION[reason], message, phase: extra.phase ?? 'headers', ...stripUndefined(extra) };
}

function stripUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
