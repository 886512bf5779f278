import type { HedgeConfig, Target } from '../config/types.js';
import type { Cancellation } from '../core/cancel.js';
import type { Failure } from '../core/failure.js';
import { type HedgePolicy, hedgeDelay } from '../resilience/hedge.js';
import { type AttemptRecord, failedAttempt, toFailure } from './attempts.js';
import type { ExecContext } from './context.js';
import type { HedgeSpec } from './plan.js';
import type { TargetState } from './targets.js';

/** Why a racer was stopped: another attempt answered first. */
export class HedgeLost extends Error {
  constructor() {
    super('another attempt answered first');
    this.name = 'HedgeLost';
  }
}

/** One try of one target. `claim` is asked before the first content reaches the client. */
export type Attempt<T> = (target: Target, attempts: readonly AttemptRecord[], signal: Cancellation, claim: () => boolean) => Promise<T>;

export interface RaceInput<T> {
  ctx: ExecContext;
  hedge: HedgeSpec;
  /** The candidates in plan order; the race uses the first and hedges on later ones. */
  candidates: readonly Target[];
  attempt: Attempt<T>;
  attempts: AttemptRecord[];
  failures: Failure[];
  /** Called on every settled racer, for breakers, budgets and events. */
  settled: (target: Target, st: TargetState, started: number, outcome: { ok: true } | { ok: false; failure: Failure } | { lost: true }) => void;
}

export type RaceResult<T> =
  | { kind: 'won'; value: T; target: Target }
  /** The winner failed after its content reached the client: nothing else may be tried. */
  | { kind: 'committed_failure'; failure: Failure; target: Target }
  /** Every racer failed; `tried` are the targets raced; `stop` when one failure was fatal. */
  | { kind: 'failed'; tried: ReadonlySet<Target>; stop: boolean };

interface Racer<T> {
  target: Target;
  st: TargetState;
  cancel: Cancellation;
  release: () => void;
  started: number;
  promise: Promise<Finished<T>>;
}

function policyOf(h: HedgeConfig): HedgePolicy {
  if (h.adaptive) return { mode: 'adaptive', quantile: h.adaptive.quantile, minMs: h.adaptive.minMs, maxMs: h.adaptive.maxMs, fallbackMs: h.adaptive.maxMs };
  return { mode: 'fixed', delayMs: h.delayMs ?? 0 };
}

/**
 * The first target, and after a delay the same request to later candidates on other providers, at
 * most `maxHedges` of them and within the route's hedge budget. The first to answer (for a
 * stream: to claim the client with its first content) wins; the others are aborted at once and
 * recorded as `hedge_lost`, never billed. When every racer fails the plan goes on after them.
 */
export function raceHedged<T>(input: RaceInput<T>): Promise<RaceResult<T>> {
  return new HedgeRace(input).run();
}

type Finished<T> = { racer: Racer<T>; ok: true; value: T } | { racer: Racer<T>; ok: false; err: unknown };

class HedgeRace<T> {
  private readonly ctx: ExecContext;
  private readonly config: HedgeConfig;
  private readonly primary: Target;
  /** Hedge targets: later candidates, one per other provider (a second request to a slow provider is slow for the same reason). */
  private readonly spares: Target[] = [];
  private readonly racers = new Set<Racer<T>>();
  private readonly tried = new Set<Target>();
  private winner: Racer<T> | undefined;
  private hedges = 0;
  private used = 1;

  constructor(private readonly input: RaceInput<T>) {
    this.ctx = input.ctx;
    this.config = input.hedge.config;
    this.primary = input.candidates[0]!;
    const providers = new Set([this.primary.provider.name]);
    for (const t of input.candidates.slice(1)) {
      if (providers.has(t.provider.name)) continue;
      providers.add(t.provider.name);
      this.spares.push(t);
    }
  }

  async run(): Promise<RaceResult<T>> {
    const { ctx } = this;
    const budget = ctx.targets.hedgeBudget(this.input.hedge.route, this.config.budgetRatio);
    budget.onRequest(ctx.now());
    // Races take in-flight slots without queueing: a full target is not worth racing.
    if (!(ctx.targets.get(this.primary).limiter?.tryAcquire() ?? true)) return { kind: 'failed', tried: this.tried, stop: false };
    this.launch(this.primary);
    const delay = hedgeDelay(policyOf(this.config), ctx.targets.get(this.primary).firstToken, ctx.now());
    let wait = delay;
    while (this.racers.size > 0) {
      const next = await this.nextEvent(wait);
      if (next === 'hedge') {
        // No budget or no free slot now: look again soon. The requests still waiting then are the
        // slowest ones, which is where a hedge buys the most.
        wait = this.hedge(budget, delay) ? delay : Math.max(10, Math.round(delay / 4));
        continue;
      }
      const result = this.finished(next);
      if (result) return result;
    }
    return { kind: 'failed', tried: this.tried, stop: false };
  }

  /** The first racer to finish, or 'hedge' when the hedge delay passes first (while a hedge may still be sent). */
  private async nextEvent(wait: number): Promise<Finished<T> | 'hedge'> {
    const canHedge = !this.winner && this.hedges < this.config.maxHedges && this.hedges < this.spares.length && this.used < this.ctx.policy.maxAttempts;
    let timer: NodeJS.Timeout | undefined;
    const pending: Promise<Finished<T> | 'hedge'>[] = [];
    for (const r of this.racers) pending.push(r.promise);
    if (canHedge) pending.push(new Promise<'hedge'>((resolve) => (timer = setTimeout(() => resolve('hedge'), wait))));
    try {
      return await Promise.race(pending);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends the next hedge if the budget and the target's in-flight cap allow; false to look again soon. */
  private hedge(budget: { tryAcquire(now: number): boolean }, delay: number): boolean {
    const { ctx } = this;
    const target = this.spares[this.hedges]!;
    const limiter = ctx.targets.get(target).limiter;
    const slotFree = !limiter || limiter.active < limiter.options.maxInFlight;
    if (this.winner || !slotFree || !budget.tryAcquire(ctx.now())) return false;
    limiter?.tryAcquire();
    this.hedges++;
    this.used++;
    ctx.events.emit('hedge', { primary: ctx.targets.get(this.primary).key, hedge: ctx.targets.get(target).key, delayMs: delay });
    this.launch(target);
    return true;
  }

  private launch(target: Target): void {
    const { ctx } = this;
    const st = ctx.targets.get(target);
    st.retryBudget.onRequest(ctx.now());
    st.breaker.allow(ctx.now()); // takes a half-open probe slot; availability was checked by the planner
    const { cancel, release: releaseSignal } = ctx.signal.child();
    // The racer's in-flight slot (taken by the caller) goes back with its cancellation.
    const release = (): void => {
      releaseSignal();
      st.limiter?.release();
    };
    const racer = { target, st, cancel, release, started: ctx.now() } as Racer<T>;
    const claim = (): boolean => {
      if (this.winner && this.winner !== racer) return false;
      this.winner = racer;
      for (const other of this.racers) if (other !== racer) other.cancel.abort(new HedgeLost());
      return true;
    };
    racer.promise = this.input.attempt(target, this.input.attempts, cancel, claim).then(
      (value) => ({ racer, ok: true as const, value }),
      (err: unknown) => ({ racer, ok: false as const, err }),
    );
    this.racers.add(racer);
    this.tried.add(target);
  }

  /** A racer finished: the race's result when that decides it, else undefined to wait for the others. */
  private finished(next: Finished<T>): RaceResult<T> | undefined {
    const { ctx, input } = this;
    const { racer } = next;
    this.racers.delete(racer);
    racer.release();
    if (next.ok) {
      input.settled(racer.target, racer.st, racer.started, { ok: true });
      this.abandon();
      return { kind: 'won', value: next.value, target: racer.target };
    }
    if (next.err instanceof HedgeLost || (this.winner && this.winner !== racer && racer.cancel.aborted)) {
      input.settled(racer.target, racer.st, racer.started, { lost: true });
      return undefined;
    }
    if (ctx.signal.aborted) {
      this.abandon();
      throw next.err;
    }
    const failure = toFailure(next.err, racer.target, ctx);
    input.failures.push(failure);
    input.attempts.push(failedAttempt(racer.target, failure, racer.started, ctx.now()));
    // A racer that was told when to come back stays out of rotation until then, as in the walk.
    if (failure.retryAfterMs !== undefined && failure.retryAfterMs > 0)
      racer.st.coolOffUntil = Math.max(racer.st.coolOffUntil, ctx.now() + failure.retryAfterMs);
    input.settled(racer.target, racer.st, racer.started, { ok: false, failure });
    if (this.winner === racer) {
      this.abandon();
      return { kind: 'committed_failure', failure, target: racer.target };
    }
    if (failure.disposition !== 'fatal') return undefined;
    this.abandon();
    return { kind: 'failed', tried: this.tried, stop: true };
  }

  /** Stops every racer still running; each is settled as lost (never billed, probe slot freed). */
  private abandon(): void {
    for (const other of this.racers) other.cancel.abort(new HedgeLost());
    for (const other of this.racers) {
      other.release();
      this.input.settled(other.target, other.st, other.started, { lost: true });
    }
    this.racers.clear();
  }
}
