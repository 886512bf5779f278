import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChatRequest, ChatResponse, Usage } from '../api/chat.js';
import type { EmbeddingsRequest, EmbeddingsResponse } from '../api/embeddings.js';
import type { GatewayConfig, ResilienceConfig, Target } from '../config/types.js';
import { type Cancellation, DeadlineExceeded } from '../core/cancel.js';
import { GatewayError } from '../core/errors.js';
import type { Redactor } from '../core/redact.js';
import type { EventBus } from '../telemetry/events.js';
import type { Transport } from '../transport/client.js';
import type { AttemptRecord } from './attempts.js';
import type { StreamSink } from './execute-stream.js';
import type { RoutePlan } from './plan.js';
import type { Router } from './router.js';
import type { TargetStates } from './targets.js';

export type Logger = (level: 'info' | 'warn' | 'error', event: string, fields: Record<string, unknown>) => void;
export type Headers = Record<string, string>;

/** The gateway's services, built once at start-up and shared by every request. */
export interface Runtime {
  readonly config: GatewayConfig;
  readonly transport: Transport;
  /** Per-target breakers, retry budgets, cool-offs and latency, shared by every request. */
  readonly targets: TargetStates;
  /** Routing's live side: session pins, round-robin turns. */
  readonly router: Router;
  /** Where attempts, retries, fallbacks, hedges and finished requests are published. */
  readonly events: EventBus;
  /** Redacts the gateway's own secrets from upstream text and log lines (core/redact.ts). */
  readonly redact: Redactor;
  /** Monotonic milliseconds (performance.now in production; a fake clock in tests). */
  readonly now: () => number;
  readonly rng: () => number;
  readonly log: Logger;
}

/** The request in the canonical form every later stage reads, whatever API the client spoke. */
export type CanonicalRequest = { readonly op: 'chat'; readonly body: ChatRequest } | { readonly op: 'embeddings'; readonly body: EmbeddingsRequest };

/** Who is calling, as authenticate found it (tenancy); routing and admission read it. */
export interface Identity {
  name?: string;
  tenant?: string;
  class?: string;
  dataClasses?: readonly string[];
}

/** What execute produced: the answering target, every attempt, and for a JSON answer its value. */
export interface Answer {
  readonly target: Target;
  readonly attempts: readonly AttemptRecord[];
  /** The canonical answer of a JSON response; absent for a stream (already written). */
  readonly value?: ChatResponse | EmbeddingsResponse;
  /** The upstream's bytes when `value` is them unchanged: an OpenAI client gets them as they are, not re-encoded. */
  readonly verbatim?: Buffer;
  readonly usage?: Usage;
  /** The stream ended in-band with this error code after content (never a success). */
  readonly inBandError?: string;
}

/**
 * One API of the gateway as the stages see it: what the client sends, and how to answer in the
 * client's dialect. Implemented per route in http/endpoints.ts.
 */
export interface Endpoint {
  readonly path: string;
  readonly method: 'GET' | 'POST';
  /** How errors are rendered: OpenAI JSON, or Anthropic's shape for /v1/messages. */
  readonly dialect: 'openai' | 'anthropic';
  /** The parsed JSON body as the canonical request; throws a GatewayError naming what is wrong. */
  decode?(body: unknown): CanonicalRequest;
  /** A sink writing a chat stream to the client in this dialect, opened with `headers` for the answering target. */
  sink?(ctx: RequestContext, headers: (target: Target, attempts: readonly AttemptRecord[]) => Headers): StreamSink;
  /** The canonical JSON answer in this dialect. */
  encode?(ctx: RequestContext, value: ChatResponse | EmbeddingsResponse): unknown;
}

/**
 * One request on its way through the stages. The frame (id, deadline, cancellation) is set by the
 * ingress; each later field is written once, by the stage that owns it, and read by the ones after.
 */
export interface RequestContext {
  readonly id: string;
  readonly rt: Runtime;
  readonly endpoint: Endpoint;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** On rt.now's clock. */
  readonly startedAt: number;
  /** The request's deadline (server.request_timeout_ms or x-switchyard-timeout-ms), on rt.now's clock. */
  readonly deadlineAt: number;
  /** Aborted when the client disconnects or the request deadline passes; `reason` says which. */
  readonly signal: Cancellation;
  /** Headers every response of this request carries (request id, sandbox). */
  readonly headers: Headers;
  /** read body */
  request: CanonicalRequest | undefined;
  /** authenticate */
  identity: Identity | undefined;
  /** plan */
  plan: RoutePlan | undefined;
  /** execute */
  answer: Answer | undefined;
}

/** A field an earlier stage should have written: its absence is a bug in the chain, not the client's fault. */
export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`stage order: ${what} is not set`);
  return value;
}

/** What every attempt of one request shares: read-only, built once by execute from the runtime and the plan. */
export interface ExecContext {
  readonly requestId: string;
  readonly transport: Transport;
  /** Aborted when the client disconnects or the plan's deadline passes; `reason` says which. */
  readonly signal: Cancellation;
  /** Attempt limits (the plan's) and backoff (config `resilience`). */
  readonly policy: Pick<ResilienceConfig, 'maxAttempts' | 'maxRetriesPerTarget' | 'backoff'>;
  readonly targets: TargetStates;
  readonly events: EventBus;
  readonly now: () => number;
  readonly rng: () => number;
  /** When the request must be answered, on the `now` clock. */
  readonly deadlineAt: number;
  /** Notes that do not change the response (skipped malformed chunks, late upstream errors). */
  readonly log: (event: string, fields: Record<string, unknown>) => void;
  readonly redact: Redactor;
}

/** Converts an abort of the request signal into what the client should see. */
export function abortError(signal: Cancellation, attempts: unknown[]): GatewayError {
  const reason: unknown = signal.reason;
  if (reason instanceof DeadlineExceeded) {
    return new GatewayError('upstream_timeout', reason.message, { attempts });
  }
  return new GatewayError('client_closed', 'client closed the connection', { attempts });
}
