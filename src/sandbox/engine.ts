import type { Behaviour } from './scenarios.js';
import type { ModelState } from './state.js';
import type { Dialogue, ErrorKind, ErrorSpec } from './types.js';

export type Decision =
  | { action: 'reset' }
  | { action: 'no_response' }
  | { action: 'error'; spec: ErrorSpec; outcome: 'error' | 'rejected' }
  | { action: 'answer'; contentFilter: boolean };

export function errorKindFor(status: number): ErrorKind {
  switch (status) {
    case 429:
      return 'rate_limit';
    case 502:
      return 'bad_gateway';
    case 503:
      return 'unavailable';
    case 504:
      return 'timeout';
    case 529:
      return 'overloaded';
    default:
      return status >= 500 ? 'server' : 'invalid_request';
  }
}

function injected(b: Behaviour, status: number): Decision {
  const spec: ErrorSpec = { kind: errorKindFor(status), status };
  if (b.retryAfterS !== null) spec.retryAfterS = b.retryAfterS;
  return { action: 'error', spec, outcome: 'error' };
}

/**
 * What the simulated provider does with this request, before any content is generated. Connection
 * faults come first (they happen before the provider reads anything), then availability, then
 * request validation, in the order a real provider applies them.
 * `d` is null for embeddings, where prefill and content filtering do not apply.
 */
export function decide(b: Behaviour, state: ModelState, now: number, d: Dialogue | null, promptTokens: number): Decision {
  if (b.reset) return { action: 'reset' };
  if (b.noResponse) return { action: 'no_response' };
  if (b.outage) {
    const since = now - state.firstAt;
    if (since >= b.outage.startAfterMs && since < b.outage.startAfterMs + b.outage.durationMs) return injected(b, 503);
  }
  if (b.failAlways || state.count <= b.failFirst) return injected(b, b.errorStatus);
  if (b.errorRate > 0 && state.rng() < b.errorRate) return injected(b, b.errorStatus);
  if (b.contextLength) return { action: 'error', spec: { kind: 'context_length', status: 400, promptTokens }, outcome: 'rejected' };
  if (d && b.rejectPrefill && d.last === 'assistant') return { action: 'error', spec: { kind: 'prefill', status: 400 }, outcome: 'rejected' };
  return { action: 'answer', contentFilter: d !== null && b.contentFilter };
}
