/**
 * Per-target circuit breaker: stops sending traffic to a target that keeps failing, waits out a
 * cooldown, then lets a few probe requests decide whether it is healthy again.
 *
 *   closed ──(failure rate or failure streak)──► open ──(cooldown passed)──► half_open
 *     ▲                                            ▲                            │
 *     └──────────(halfOpenProbes successes)────────┼────────────────────────────┤
 *                                                  └────(a probe fails)─────────┘
 *
 * Pure: time and randomness are arguments, so every transition can be tested to the millisecond.
 * The open → half_open step happens on its own as time passes; it is applied (and reported) by
 * whichever call first observes a `now` past the cooldown, since nothing here may run a timer.
 */
import { SlidingWindow } from './window.js';

export type BreakerState = 'closed' | 'open' | 'half_open';

/**
 * 'ignored' is for outcomes that say nothing about the target's health: deterministic client
 * errors (bad_request, auth, not_found, context_length_exceeded …) that would fail the same way
 * anywhere, or an attempt abandoned because the client went away. Counting them would let one
 * misbehaving client open the breaker for everybody.
 */
export type BreakerOutcome = 'success' | 'failure' | 'ignored';

export interface BreakerConfig {
  /** Span of history the failure rate is computed over, ms. */
  windowMs: number;
  /** Buckets the window is cut into (memory per breaker is constant in this number). */
  buckets: number;
  /** No rate-based opening until the window holds this many counted outcomes: 1 of 1 is not a trend. */
  minRequests: number;
  /** Open when failures / total in the window reaches this fraction (0 < rate ≤ 1). */
  failureRate: number;
  /** Open after this many failures in a row, whatever the rate: catches a target that died mid-window. */
  consecutiveFailures: number;
  /** First cooldown, ms. */
  cooldownMs: number;
  /** Each open that follows a failed probe waits this many times longer than the last. */
  cooldownMultiplier: number;
  /** Ceiling on a cooldown, jitter included, so a long outage is still re-probed regularly. */
  maxCooldownMs: number;
  /**
   * ± fraction of the cooldown drawn from rng, so gateways (or targets) that opened together do not
   * all probe the recovering upstream in the same millisecond.
   */
  jitter: number;
  /** Probes in flight at once while half-open, and the successes needed to close. */
  halfOpenProbes: number;
}

export const DEFAULT_BREAKER: Readonly<BreakerConfig> = Object.freeze({
  windowMs: 60_000,
  buckets: 10,
  minRequests: 10,
  failureRate: 0.2,
  consecutiveFailures: 5,
  cooldownMs: 30_000,
  cooldownMultiplier: 2,
  maxCooldownMs: 300_000,
  jitter: 0.2,
  halfOpenProbes: 1,
});

/** `now` is the time passed to the call that made the transition happen (or observed it, for open → half_open). */
export type TransitionListener = (from: BreakerState, to: BreakerState, now: number) => void;

export interface BreakerSnapshot {
  state: BreakerState;
  failures: number;
  total: number;
  consecutiveFailures: number;
  /** Start of the current (or, when half-open, the last) open period. */
  openedAt?: number;
  /** End of that open period's cooldown. */
  reopenAt?: number;
  /** Opens since the breaker was last closed by a probe: the step the cooldown has grown to. */
  opens: number;
}

export class CircuitBreaker {
  readonly config: Readonly<BreakerConfig>;
  private readonly window: SlidingWindow;
  private readonly onTransition: TransitionListener | undefined;
  private current: BreakerState = 'closed';
  private streak = 0;
  private opens = 0;
  private openedAt: number | undefined;
  private reopenAt: number | undefined;
  private probesInFlight = 0;
  private probeSuccesses = 0;

  constructor(config: Partial<BreakerConfig> = {}, onTransition?: TransitionListener) {
    this.config = Object.freeze(validate({ ...DEFAULT_BREAKER, ...config }));
    this.window = new SlidingWindow({ windowMs: this.config.windowMs, buckets: this.config.buckets });
    this.onTransition = onTransition;
  }

  state(now: number): BreakerState {
    this.advance(now);
    return this.current;
  }

  /**
   * Whether an attempt may be sent now. In half-open a `true` takes a probe slot, which the
   * matching record() gives back, so every allowed attempt must be recorded ('ignored' if it
   * ended without telling anything) or the slot stays taken.
   */
  allow(now: number): boolean {
    this.advance(now);
    if (this.current === 'closed') return true;
    if (this.current === 'open') return false;
    if (this.probesInFlight >= this.config.halfOpenProbes) return false;
    this.probesInFlight++;
    return true;
  }

  record(outcome: BreakerOutcome, now: number, rng: () => number): void {
    this.advance(now);
    if (this.current === 'closed') {
      this.recordClosed(outcome, now, rng);
    } else if (this.current === 'half_open') {
      this.recordProbe(outcome, now, rng);
    }
    // Open: the outcome belongs to an attempt sent before the breaker opened. A late success must
    // not close it (the failures that opened it are more recent news) and a late failure must not
    // lengthen a cooldown that has already been decided.
  }

  /**
   * An active health probe found the target answering: end the open period now. The breaker goes
   * half-open, so real traffic still has to confirm the recovery before it closes.
   */
  probeSucceeded(now: number): void {
    this.advance(now);
    if (this.current !== 'open') return;
    this.reopenAt = now;
    this.advance(now);
  }

  /** When the current open period ends, or undefined when the breaker is not open. */
  opensUntil(now: number): number | undefined {
    this.advance(now);
    return this.current === 'open' ? this.reopenAt : undefined;
  }

  snapshot(now: number): BreakerSnapshot {
    this.advance(now);
    const { total, failures } = this.window.counts(now);
    const snap: BreakerSnapshot = { state: this.current, failures, total, consecutiveFailures: this.streak, opens: this.opens };
    if (this.current !== 'closed') {
      snap.openedAt = this.openedAt;
      snap.reopenAt = this.reopenAt;
    }
    return snap;
  }

  private recordClosed(outcome: BreakerOutcome, now: number, rng: () => number): void {
    if (outcome === 'ignored') return;
    this.window.record(outcome === 'success', now);
    if (outcome === 'success') {
      this.streak = 0;
      return;
    }
    this.streak++;
    const { total, failures } = this.window.counts(now);
    const rateTripped = total >= this.config.minRequests && failures / total >= this.config.failureRate;
    if (rateTripped || this.streak >= this.config.consecutiveFailures) this.open(now, rng);
  }

  private recordProbe(outcome: BreakerOutcome, now: number, rng: () => number): void {
    // With no probe out, this cannot be a probe's result: it is a straggler sent while closed,
    // and letting it decide would close or re-open the breaker on stale evidence.
    if (this.probesInFlight === 0) return;
    this.probesInFlight--;
    if (outcome === 'ignored') return;
    if (outcome === 'failure') {
      this.open(now, rng);
      return;
    }
    this.probeSuccesses++;
    if (this.probeSuccesses >= this.config.halfOpenProbes) this.close(now);
  }

  private open(now: number, rng: () => number): void {
    const from = this.current;
    this.opens++;
    this.openedAt = now;
    this.reopenAt = now + this.cooldown(rng);
    this.probesInFlight = 0;
    this.probeSuccesses = 0;
    this.transition(from, 'open', now);
  }

  private close(now: number): void {
    const from = this.current;
    // The target has proved itself: judge it on fresh outcomes only, and start the cooldown
    // ladder from the bottom next time.
    this.window.reset();
    this.streak = 0;
    this.opens = 0;
    this.openedAt = undefined;
    this.reopenAt = undefined;
    this.probesInFlight = 0;
    this.probeSuccesses = 0;
    this.transition(from, 'closed', now);
  }

  private advance(now: number): void {
    if (this.current === 'open' && this.reopenAt !== undefined && now >= this.reopenAt) {
      this.probesInFlight = 0;
      this.probeSuccesses = 0;
      this.transition('open', 'half_open', now);
    }
  }

  /** Cooldown for the open that has just been counted in `opens` (1st open → cooldownMs). */
  private cooldown(rng: () => number): number {
    const { cooldownMs, cooldownMultiplier, maxCooldownMs, jitter } = this.config;
    const base = Math.min(maxCooldownMs, cooldownMs * cooldownMultiplier ** (this.opens - 1));
    const jittered = base * (1 + jitter * (2 * rng() - 1));
    // Capped after jitter too: maxCooldownMs is a promise about how long a target can stay dark.
    return Math.round(Math.min(maxCooldownMs, Math.max(0, jittered)));
  }

  // State is fully updated before the listener runs, so a throwing observer cannot leave the
  // breaker half way through a transition.
  private transition(from: BreakerState, to: BreakerState, now: number): void {
    this.current = to;
    this.onTransition?.(from, to, now);
  }
}

/**
 * When every candidate is open, the one whose cooldown ends first (earlier in the list wins a tie,
 * keeping the plan's order of preference). Trying it beats refusing the request without trying.
 * Undefined when the list is empty or any candidate is closed or half-open: the caller should go
 * through allow() instead. A half-open target with its probe slots taken is deliberately not
 * offered: a probe is already testing it, and piling more traffic on it is what the limit prevents.
 */
export function pickEarliest(candidates: { id: string; breaker: CircuitBreaker }[], now: number): string | undefined {
  let best: { id: string; until: number } | undefined;
  for (const { id, breaker } of candidates) {
    const until = breaker.opensUntil(now);
    if (until === undefined) return undefined;
    if (best === undefined || until < best.until) best = { id, until };
  }
  return best?.id;
}

function validate(c: BreakerConfig): BreakerConfig {
  const fail = (field: keyof BreakerConfig, rule: string): never => {
    throw new RangeError(`breaker ${field} ${rule}, got ${String(c[field])}`);
  };
  if (!(c.minRequests >= 1) || !Number.isInteger(c.minRequests)) fail('minRequests', 'must be an integer ≥ 1');
  if (!(c.failureRate > 0 && c.failureRate <= 1)) fail('failureRate', 'must be in (0, 1]');
  if (!(c.consecutiveFailures >= 1) || !Number.isInteger(c.consecutiveFailures)) fail('consecutiveFailures', 'must be an integer ≥ 1');
  if (!(c.cooldownMs >= 0) || !Number.isFinite(c.cooldownMs)) fail('cooldownMs', 'must be a finite number ≥ 0');
  if (!(c.cooldownMultiplier >= 1) || !Number.isFinite(c.cooldownMultiplier)) fail('cooldownMultiplier', 'must be a finite number ≥ 1');
  if (!(c.maxCooldownMs >= c.cooldownMs) || !Number.isFinite(c.maxCooldownMs)) fail('maxCooldownMs', 'must be finite and ≥ cooldownMs');
  if (!(c.jitter >= 0 && c.jitter < 1)) fail('jitter', 'must be in [0, 1)');
  if (!(c.halfOpenProbes >= 1) || !Number.isInteger(c.halfOpenProbes)) fail('halfOpenProbes', 'must be an integer ≥ 1');
  // windowMs and buckets are checked by SlidingWindow.
  return c;
}
