/**
 * What to do after one attempt failed: try the same target again (after a wait), move on to the
 * next target of the plan, or give up and answer the client.
 *
 * Pure: the executor passes in everything that changes (counters, the deadline left, whether the
 * target's retry budget allows, an rng) and acts on the returned Decision. Spending the retry
 * budget, sleeping and marking a target cooled-off are the executor's jobs.
 */
import type { Failure, FailurePhase, FailureReason } from '../core/failure.js';
import { type BackoffConfig, backoffDelay, backoffDelayAtLeast, DEFAULT_BACKOFF, resolveBackoff } from './backoff.js';

/** How the same target may be tried again, when the failure's disposition is 'retry'. */
export type SameTargetRetry =
  /** Full-jitter exponential backoff. */
  | 'backoff'
  /** Wait what the upstream asked (Retry-After); without it, backoff that is never below baseMs. */
  | 'retry_after'
  /** Never on this target, whatever the disposition says. */
  | 'never';

export interface RetryRule {
  readonly sameTarget: SameTargetRetry;
  /**
   * Phases in which the same target may be tried again; absent = any phase. Outside them the
   * upstream may already have received (and billed) the request, so it goes to another target.
   */
  readonly phases?: readonly FailurePhase[];
  /** When the same target is out: the next target of the plan, or nobody. */
  readonly otherwise: 'fallback' | 'stop';
}

/**
 * The retry table: one row per failure reason. Read with the disposition the adapter set (which
 * wins when it is stricter: 'fatal' always stops, 'fallback' never retries on the same target).
 */
export const RETRY_RULES: Readonly<Record<FailureReason, RetryRule>> = Object.freeze({
  // Transient: the provider is up but struggling; a short, jittered wait usually clears it.
  overloaded: { sameTarget: 'backoff', otherwise: 'fallback' },
  server_error: { sameTarget: 'backoff', otherwise: 'fallback' },
  // Refused before a byte was sent: safe to repeat. Later (reset mid-request) the upstream may
  // have started generating, so another target is the cleaner bet.
  connection: { sameTarget: 'backoff', phases: ['connect'], otherwise: 'fallback' },
  // The provider said when to come back; if that is too far off, another target serves now.
  rate_limited: { sameTarget: 'retry_after', otherwise: 'fallback' },
  // A provider that went silent until the headers timeout will likely stay silent: asking it again
  // spends a second full timeout of the client's deadline.
  timeout: { sameTarget: 'never', otherwise: 'fallback' },
  // Whether a fallback is still possible once bytes reached the client is the executor's call.
  stream_interrupted: { sameTarget: 'never', otherwise: 'fallback' },
  // Another target may have a larger window; the executor filters the plan for one.
  context_length_exceeded: { sameTarget: 'never', otherwise: 'fallback' },
  // Wrong key, missing model, or a request this target cannot carry: another target may serve it.
  auth: { sameTarget: 'never', otherwise: 'fallback' },
  not_found: { sameTarget: 'never', otherwise: 'fallback' },
  // Fatal by default (DISPOSITION); reaches this row only when an adapter marks it 'fallback',
  // e.g. a field one provider cannot carry but others can.
  bad_request: { sameTarget: 'never', otherwise: 'fallback' },
  // The content itself was refused: sending it elsewhere is filter shopping, not resilience.
  content_filtered: { sameTarget: 'never', otherwise: 'stop' },
  // A bug in the gateway: repeating it elsewhere would hide it; the client gets a 500 with the request id.
  internal: { sameTarget: 'never', otherwise: 'stop' },
});

export interface RetryLimits {
  /** Retries on one target within one request (not counting its first attempt). */
  readonly maxRetriesPerTarget: number;
  /** Attempts for the whole request, over all targets, retries and fallbacks alike. */
  readonly maxAttempts: number;
  /**
   * A wait must be shorter than this share of the deadline left: sleeping until just before the
   * deadline and then sending guarantees a timeout. Applies to backoff and Retry-After alike.
   */
  readonly maxWaitFraction: number;
  readonly backoff: BackoffConfig;
}

/** Defaults, in one place, so a reader can see the whole policy at a glance. */
export const RETRY_DEFAULTS: RetryLimits = Object.freeze({
  maxRetriesPerTarget: 2,
  maxAttempts: 5,
  maxWaitFraction: 0.5,
  backoff: DEFAULT_BACKOFF,
});

export interface RetryInput {
  failure: Failure;
  /** Retries already made on the target that just failed, for this request. */
  retriesOnTarget: number;
  maxRetriesPerTarget?: number;
  /** Attempts already made for this request, including the one that just failed. */
  attemptsUsed: number;
  maxAttempts?: number;
  /** Milliseconds left before the request's deadline. */
  remainingMs: number;
  rng: () => number;
  backoff?: Partial<BackoffConfig>;
  maxWaitFraction?: number;
  /** The target's retry budget allows one more retry (RetryBudget.canRetry). */
  budgetAllows: boolean;
  /** The target's breaker is open (maybe opened by this very failure): it would not admit a retry. */
  breakerOpen?: boolean;
}

/** Why the decision was taken, for headers, logs and metrics. */
export type RetryWhy = 'backoff' | 'retry_after';
export type FallbackWhy =
  /** The table or the disposition rules out the same target. */
  | 'not_retryable'
  | 'retries_exhausted'
  | 'breaker_open'
  | 'budget_exhausted'
  /** The wait (backoff or Retry-After) does not fit in the deadline left. */
  | 'wait_exceeds_deadline';
export type StopWhy =
  /** The adapter classified the failure as fatal: the request itself is at fault. */
  | 'fatal'
  /** The table says no target will serve it (content filtered). */
  | 'not_fallbackable'
  | 'attempts_exhausted'
  | 'deadline_exceeded';

export type Decision =
  | { action: 'retry'; delayMs: number; reason: RetryWhy }
  /**
   * coolOffUntilMs: relative ms the target should stay out of rotation (from Retry-After), so the
   * next requests skip it instead of each learning the same 429.
   */
  | { action: 'fallback'; reason: FallbackWhy; coolOffUntilMs?: number }
  | { action: 'stop'; reason: StopWhy };

export function decide(input: RetryInput): Decision {
  const { failure: f } = input;
  const rule = RETRY_RULES[f.reason];
  const maxRetries = input.maxRetriesPerTarget ?? RETRY_DEFAULTS.maxRetriesPerTarget;
  const maxAttempts = input.maxAttempts ?? RETRY_DEFAULTS.maxAttempts;
  const waitFraction = input.maxWaitFraction ?? RETRY_DEFAULTS.maxWaitFraction;
  const backoff = resolveBackoff(input.backoff);

  // Stops come first: no target, this one or another, can help.
  if (f.disposition === 'fatal') return { action: 'stop', reason: 'fatal' };
  if (rule.otherwise === 'stop') return { action: 'stop', reason: 'not_fallbackable' };
  // Retry and fallback both cost an attempt, so neither is possible once they are used up.
  if (input.attemptsUsed >= maxAttempts) return { action: 'stop', reason: 'attempts_exhausted' };
  if (!(input.remainingMs > 0)) return { action: 'stop', reason: 'deadline_exceeded' };

  const fallback = (reason: FallbackWhy): Decision => {
    // A Retry-After of 0 asks for nothing; only a real wait is worth taking the target out.
    const coolOff = f.retryAfterMs !== undefined && f.retryAfterMs > 0 ? f.retryAfterMs : undefined;
    return coolOff === undefined ? { action: 'fallback', reason } : { action: 'fallback', reason, coolOffUntilMs: coolOff };
  };

  const phaseAllows = rule.phases === undefined || rule.phases.includes(f.phase);
  if (f.disposition !== 'retry' || rule.sameTarget === 'never' || !phaseAllows) return fallback('not_retryable');
  if (input.retriesOnTarget >= maxRetries) return fallback('retries_exhausted');
  if (input.breakerOpen === true) return fallback('breaker_open');
  if (!input.budgetAllows) return fallback('budget_exhausted');

  const retryNumber = input.retriesOnTarget + 1;
  let delayMs: number;
  let why: RetryWhy;
  if (rule.sameTarget === 'retry_after' && f.retryAfterMs !== undefined) {
    delayMs = Math.max(0, f.retryAfterMs);
    why = 'retry_after';
  } else if (rule.sameTarget === 'retry_after') {
    // No hint from the upstream: a 0 ms draw would just hit the same limit again.
    delayMs = backoffDelayAtLeast(retryNumber, input.rng, backoff.baseMs, backoff);
    why = 'backoff';
  } else {
    // Jittered backoff, but never sooner than an upstream that did say when (503 + Retry-After).
    const drawn = backoffDelay(retryNumber, input.rng, backoff);
    const asked = f.retryAfterMs ?? 0;
    delayMs = Math.max(drawn, asked);
    why = asked > drawn ? 'retry_after' : 'backoff';
  }
  if (!(delayMs < input.remainingMs * waitFraction)) return fallback('wait_exceeds_deadline');
  return { action: 'retry', delayMs, reason: why };
}
