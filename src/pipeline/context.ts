import type { ResilienceConfig } from '../config/types.js';
import { type Cancellation, DeadlineExceeded } from '../core/cancel.js';
import { GatewayError } from '../core/errors.js';
import type { Redactor } from '../core/redact.js';
import type { EventBus } from '../telemetry/events.js';
import type { Transport } from '../transport/client.js';
import type { TargetStates } from './targets.js';

/** Per-request state shared by every attempt of that request. */
export interface ExecContext {
  requestId: string;
  transport: Transport;
  /** Aborted when the client disconnects or the request deadline passes; `reason` says which. */
  signal: Cancellation;
  /** Attempt limits and backoff (config `resilience`). */
  policy: ResilienceConfig;
  /** Per-target breakers, retry budgets and cool-offs, shared by every request. */
  targets: TargetStates;
  /** Where attempts, retries, fallbacks and hedges are published for metrics and logs. */
  events: EventBus;
  /** Monotonic milliseconds (performance.now in production; a fake clock in tests). */
  now: () => number;
  rng: () => number;
  /** When the request must be answered, on the `now` clock. */
  deadlineAt: number;
  /** Filled in as the request goes: whether it streams, and the error a stream ended with in-band. */
  outcome: { stream: boolean; inBandError?: string };
  /** Notes that do not change the response (skipped malformed chunks, late upstream errors). */
  log: (event: string, fields: Record<string, unknown>) => void;
  /** Redacts the gateway's own secrets and credential-shaped text from upstream failures (core/redact.ts). */
  redact: Redactor;
}

/** Converts an abort of the request signal into what the client should see. */
export function abortError(signal: Cancellation, attempts: unknown[]): GatewayError {
  const reason: unknown = signal.reason;
  if (reason instanceof DeadlineExceeded) {
    return new GatewayError('upstream_timeout', reason.message, { attempts });
  }
  return new GatewayError('client_closed', 'client closed the connection', { attempts });
}
