import type { Target } from '../config/types.js';
import type { Cancellation } from '../core/cancel.js';
import { type Failure, type FailureReason, failure } from '../core/failure.js';
import { decide } from '../resilience/retry-policy.js';
import type { GatewayEvents } from '../telemetry/events.js';
import { type AttemptRecord, failedAttempt, finalError, toFailure } from './attempts.js';
import { abortError, type ExecContext } from './context.js';
import { type Attempt, raceHedged } from './hedge-race.js';
import type { HedgeSpec } from './plan.js';
import { type TargetState, updateEwma } from './targets.js';

export interface PlanResult<T> {
  value: T;
  target: Target;
  attempts: AttemptRecord[];
}

/** An attempt failed after its answer had started reaching the client: nothing may be retried. */
export class CommittedFailure extends Error {
  constructor(
    readonly failure: Failure,
    readonly target: Target,
    readonly attempts: AttemptRecord[],
  ) {
    super(failure.message);
    this.name = 'CommittedFailure';
  }
}

export interface PlanHooks {
  /** True once the current attempt's answer has started reaching the client. */
  committed?: () => boolean;
  /** When (on ctx.now) the current attempt delivered its first content, for streams. */
  firstContentAt?: () => number | undefined;
  stream?: boolean;
  /** Hedging for this request (the plan's); absent means none. */
  hedge?: HedgeSpec;
  /** The request's attempt list so far, when this walk continues an earlier one (a stream's continuation). */
  attempts?: AttemptRecord[];
}

/**
 * Failures that say something about the target's health. Deterministic client errors (a bad
 * request, a filtered prompt, a missing model, a key the provider refuses) would open a breaker on
 * a healthy provider, so they do not count.
 */
const COUNTS_FOR_BREAKER: ReadonlySet<FailureReason> = new Set<FailureReason>([
  'overloaded',
  'server_error',
  'timeout',
  'connection',
  'stream_interrupted',
  'rate_limited',
]);

/**
 * Candidates in plan order, leaving out targets that are cooling off after a Retry-After or whose
 * breaker is open. When that leaves nothing, the one that becomes available first is tried rather
 * than refusing without trying.
 */
function available(ctx: ExecContext, plan: readonly Target[], now: number): { targets: Target[]; forced: boolean } {
  const ready: Target[] = [];
  let soonest: { target: Target; at: number } | undefined;
  for (const target of plan) {
    const until = ctx.targets.unavailableUntil(ctx.targets.get(target), now);
    if (until === undefined) ready.push(target);
    else if (!soonest || until < soonest.at) soonest = { target, at: until };
  }
  if (ready.length > 0 || !soonest) return { targets: ready, forced: false };
  return { targets: [soonest.target], forced: true };
}

function sleep(ms: number, ctx: ExecContext): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    const off = ctx.signal.onAbort(done);
    function done(): void {
      clearTimeout(timer);
      off();
      resolve();
    }
  });
}

/** What became of one attempt, for the bookkeeping every attempt shares. */
type Settled = { ok: true } | { ok: false; failure: Failure } | { lost: true } | { aborted: true };

const claimAlways = (): boolean => true;
const never = (): boolean => false;

/**
 * Walks a plan: each target is tried, retried on transient failures with backoff or after its
 * Retry-After (when that fits the deadline and its retry budget), then left for the next one.
 * With hedging, the first target races later ones on other providers first. One attempt budget
 * covers the whole request; a fallback never resets it. Every attempt is recorded; when nothing
 * succeeds, one error lists them all.
 */
export function runPlan<T>(ctx: ExecContext, plan: readonly Target[], run: Attempt<T>, hooks: PlanHooks = {}): Promise<PlanResult<T>> {
  return new PlanWalk(ctx, run, hooks).walk(plan);
}

class PlanWalk<T> {
  readonly attempts: AttemptRecord[];
  readonly failures: Failure[] = [];
  private candidates: Target[] = [];
  /** Every target is out of rotation: the one back soonest is tried anyway. */
  private forced = false;
  private readonly committed: () => boolean;
  private readonly stream: boolean;

  constructor(
    private readonly ctx: ExecContext,
    private readonly run: Attempt<T>,
    private readonly hooks: PlanHooks,
  ) {
    this.attempts = hooks.attempts ?? [];
    this.committed = hooks.committed ?? never;
    this.stream = hooks.stream ?? false;
  }

  async walk(plan: readonly Target[]): Promise<PlanResult<T>> {
    const { targets, forced } = available(this.ctx, plan, this.ctx.now());
    this.candidates = targets;
    this.forced = forced;
    if (this.hooks.hedge && targets.length > 1) {
      const won = await this.race(this.hooks.hedge);
      if (won) return won;
    }
    for (let i = 0; i < this.candidates.length; i++) {
      const answered = await this.tryTarget(i);
      if (answered) return answered;
    }
    throw finalError(this.failures, this.attempts);
  }

  /** The hedged race over the first candidates; undefined when the walk goes on with the targets it did not try. */
  private async race(hedge: HedgeSpec): Promise<PlanResult<T> | undefined> {
    const { ctx, attempts } = this;
    const race = await raceHedged({
      ctx,
      hedge,
      candidates: this.candidates,
      attempt: (target, list, signal, claim) => this.inFlight(target, list, signal, claim),
      attempts,
      failures: this.failures,
      settled: (target, st, started, outcome) => this.settle(target, st, started, outcome),
    }).catch((err: unknown) => {
      if (ctx.signal.aborted) throw abortError(ctx.signal, attempts);
      throw err;
    });
    if (race.kind === 'won') return { value: race.value, target: race.target, attempts };
    if (race.kind === 'committed_failure') throw new CommittedFailure(race.failure, race.target, attempts);
    if (race.stop) throw finalError(this.failures, attempts);
    // The walk goes on with the targets the race did not try (hedges skip same-provider targets).
    this.candidates = this.candidates.filter((t) => !race.tried.has(t));
    return undefined;
  }

  /** One candidate: its first attempt and its retries. The answer, or undefined to move to the next candidate. */
  private async tryTarget(i: number): Promise<PlanResult<T> | undefined> {
    const { ctx } = this;
    const target = this.candidates[i]!;
    const st = ctx.targets.get(target);
    st.retryBudget.onRequest(ctx.now());
    for (let retries = 0; ; retries++) {
      const started = ctx.now();
      // Not admitted: half-open with its probe slots taken, or opened by this request's own
      // failures. An open target is tried only as the forced pick of an all-unavailable plan.
      if (!st.breaker.allow(started) && !(this.forced && retries === 0 && st.breaker.state(started) === 'open')) return undefined;
      if (st.limiter && !(await this.slot(st, target, started, i))) return undefined;
      let value: T;
      try {
        try {
          value = await this.inFlight(target, this.attempts, ctx.signal, claimAlways);
        } finally {
          st.limiter?.release(); // held for the attempt only, never across a retry's wait
        }
      } catch (err) {
        if ((await this.afterFailure(err, target, st, started, retries, i)) === 'next') return undefined;
        continue;
      }
      this.settle(target, st, started, { ok: true });
      return { value, target, attempts: this.attempts };
    }
  }

  /** Every attempt (retries and hedges included) counts as in flight on its target while it runs. */
  private async inFlight(target: Target, attempts: readonly AttemptRecord[], signal: Cancellation, claim: () => boolean): Promise<T> {
    const st = this.ctx.targets.get(target);
    st.inFlight++;
    try {
      return await this.run(target, attempts, signal, claim);
    } finally {
      st.inFlight--;
    }
  }

  /** A target at its in-flight cap: wait in its queue, or move on when the queue is full or slow. */
  private async slot(st: TargetState, target: Target, started: number, i: number): Promise<boolean> {
    const { ctx } = this;
    if (await st.limiter!.acquire((fn) => ctx.signal.onAbort(fn))) return true;
    if (ctx.signal.aborted) throw abortError(ctx.signal, this.attempts);
    const f = atCapacity(st);
    this.failures.push(f);
    this.attempts.push(failedAttempt(target, f, started, ctx.now()));
    if (i + 1 < this.candidates.length) ctx.events.emit('fallback', { from: st.key, reason: 'at_capacity' });
    return false;
  }

  /** Records a failed attempt and decides: try the same target again (after the wait), move on, or stop (throws). */
  private async afterFailure(err: unknown, target: Target, st: TargetState, started: number, retries: number, i: number): Promise<'retry' | 'next'> {
    const { ctx } = this;
    if (ctx.signal.aborted) {
      this.settle(target, st, started, { aborted: true });
      throw abortError(ctx.signal, this.attempts);
    }
    const f = toFailure(err, target, ctx);
    this.failures.push(f);
    this.attempts.push(failedAttempt(target, f, started, ctx.now()));
    this.settle(target, st, started, { ok: false, failure: f });
    if (this.committed()) throw new CommittedFailure(f, target, this.attempts);
    const now = ctx.now();
    const decision = decide({
      failure: f,
      retriesOnTarget: retries,
      maxRetriesPerTarget: ctx.policy.maxRetriesPerTarget,
      attemptsUsed: this.attempts.length,
      maxAttempts: ctx.policy.maxAttempts,
      backoff: ctx.policy.backoff,
      remainingMs: ctx.deadlineAt - now,
      rng: ctx.rng,
      budgetAllows: st.retryBudget.canRetry(now),
      // A breaker this failure (or a concurrent request) just opened will not admit the retry:
      // waiting for it would only delay the next target.
      breakerOpen: st.breaker.state(now) === 'open',
    });
    if (decision.action === 'stop') throw finalError(this.failures, this.attempts);
    if (decision.action === 'fallback') {
      if (i + 1 < this.candidates.length) ctx.events.emit('fallback', { from: st.key, reason: decision.reason });
      if (decision.coolOffUntilMs !== undefined) st.coolOffUntil = Math.max(st.coolOffUntil, now + decision.coolOffUntilMs);
      if (f.reason === 'context_length_exceeded') this.candidates = largerWindows(this.candidates, i, target);
      return 'next';
    }
    st.retryBudget.onRetry(now);
    ctx.events.emit('retry', { target: st.key, reason: decision.reason, delayMs: decision.delayMs });
    await sleep(decision.delayMs, ctx);
    if (ctx.signal.aborted) throw abortError(ctx.signal, this.attempts);
    return 'retry';
  }

  /** Bookkeeping every finished attempt shares: breaker, latency, attempt list, events. */
  private settle(target: Target, st: TargetState, started: number, result: Settled): void {
    const { ctx } = this;
    const now = ctx.now();
    const durationMs = now - started;
    const provider = target.provider.name;
    if ('ok' in result && result.ok) {
      st.breaker.record('success', now, ctx.rng);
      const firstTokenMs = (this.hooks.firstContentAt?.() ?? now) - started;
      st.firstToken.add(firstTokenMs, now);
      st.outlier.record(true, firstTokenMs, now);
      updateEwma(st, firstTokenMs);
      this.attempts.push({ target: st.key, outcome: 'ok', status: 200, duration_ms: Math.round(durationMs) });
      ctx.events.emit('attempt', { target: st.key, provider, outcome: 'ok', status: 200, durationMs, firstTokenMs, stream: this.stream });
    } else if ('failure' in result) {
      const f = result.failure;
      const counts = COUNTS_FOR_BREAKER.has(f.reason);
      st.breaker.record(counts ? 'failure' : 'ignored', now, ctx.rng);
      if (counts) st.outlier.record(false, undefined, now);
      // A target that times out is at least that slow: least-latency routing must see it.
      if (f.reason === 'timeout') updateEwma(st, durationMs);
      const event = { target: st.key, provider, outcome: f.reason, durationMs, stream: this.stream } as GatewayEvents['attempt'];
      if (f.status !== undefined) event.status = f.status;
      ctx.events.emit('attempt', event);
    } else {
      const outcome = 'lost' in result ? 'hedge_lost' : 'aborted';
      // A hedge's loser took at least this long: keep it in the latency record, or the record
      // would only ever see the fast answers and the adaptive hedge delay would keep shrinking.
      if (outcome === 'hedge_lost') {
        st.firstToken.add(durationMs, now);
        st.outlier.addLatency(durationMs, now);
      }
      st.breaker.record('ignored', now, ctx.rng);
      this.attempts.push({ target: st.key, outcome, duration_ms: Math.round(durationMs) });
      ctx.events.emit('attempt', { target: st.key, provider, outcome, durationMs, stream: this.stream });
    }
  }
}

/** The failure a full target gives: local, so it never counts against the breaker. */
function atCapacity(st: TargetState): Failure {
  const l = st.limiter!;
  const queue = l.options.queueSize > 0 ? ` and its queue (${l.options.queueSize}) is full or was slower than ${l.options.queueTimeoutMs} ms` : '';
  return failure('overloaded', `${st.key} is at its limit of ${l.options.maxInFlight} requests in flight${queue}`, {
    phase: 'connect',
    disposition: 'fallback',
    retryAfterMs: Math.max(1000, l.options.queueTimeoutMs),
  });
}

/**
 * After a context-length rejection only targets with a larger window are worth trying. A target
 * whose window is not configured is kept: nothing says it is smaller.
 */
function largerWindows(candidates: Target[], i: number, failed: Target): Target[] {
  const limit = failed.model.contextWindow;
  if (limit === undefined) return candidates;
  return [...candidates.slice(0, i + 1), ...candidates.slice(i + 1).filter((t) => t.model.contextWindow === undefined || t.model.contextWindow > limit)];
}
