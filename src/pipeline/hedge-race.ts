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
  promise: Promise<{ racer: Racer<T>; ok: true; value: T } | { racer: Racer<T>; ok: false; err: unknown }>;
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
export async function raceHedged<T>(input: RaceInput<T>): Promise<RaceResult<T>> {
  const { ctx, candidates, attempts } = input;
  const hedge = input.hedge.config;
  const primary = candidates[0]!;
  const budget = ctx.targets.hedgeBudget(input.hedge.route, hedge.budgetRatio);
  budget.onRequest(ctx.now());
  // Hedges go to other providers, one target each: a second request to a slow provider is slow
  // for the same reason.
  const providers = new Set([primary.provider.name]);
  const spares: Target[] = [];
  for (const t of candidates.slice(1)) {
    if (providers.has(t.provider.name)) continue;
    providers.add(t.provider.name);
    spares.push(t);
  }
  const racers = new Set<Racer<T>>();
  const tried = new Set<Target>();
  /** Stops every racer still running; each is settled as lost (never billed, probe slot freed). */
  const abandon = (): void => {
    for (const other of racers) other.cancel.abort(new HedgeLost());
    for (const other of racers) {
      other.release();
      input.settled(other.target, other.st, other.started, { lost: true });
    }
    racers.clear();
  };
  let used = 1;
  let winner: Racer<T> | undefined;

  const launch = (target: Target): void => {
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
      if (winner && winner !== racer) return false;
      winner = racer;
      for (const other of racers) if (other !== racer) other.cancel.abort(new HedgeLost());
      return true;
    };
    racer.promise = input.attempt(target, attempts, cancel, claim).then(
      (value) => ({ racer, ok: true as const, value }),
      (err: unknown) => ({ racer, ok: false as const, err }),
    );
    racers.add(racer);
    tried.add(target);
  };

  // Races take in-flight slots without queueing: a full target is not worth racing.
  if (!(ctx.targets.get(primary).limiter?.tryAcquire() ?? true)) return { kind: 'failed', tried, stop: false };
  launch(primary);
  let hedges = 0;
  const delay = hedgeDelay(policyOf(hedge), ctx.targets.get(primary).firstToken, ctx.now());
  let wait = delay;
  while (racers.size > 0) {
    const canHedge = !winner && hedges < hedge.maxHedges && hedges < spares.length && used < ctx.policy.maxAttempts;
    let timer: NodeJS.Timeout | undefined;
    const tick = canHedge ? new Promise<'hedge'>((resolve) => (timer = setTimeout(() => resolve('hedge'), wait))) : undefined;
    const next = await Promise.race([...[...racers].map((r) => r.promise), ...(tick ? [tick] : [])]);
    clearTimeout(timer);
    if (next === 'hedge') {
      const target = spares[hedges]!;
      const limiter = ctx.targets.get(target).limiter;
      const slotFree = !limiter || limiter.active < limiter.options.maxInFlight;
      if (!winner && slotFree && budget.tryAcquire(ctx.now())) {
        limiter?.tryAcquire();
        hedges++;
        used++;
        ctx.events.emit('hedge', { primary: ctx.targets.get(primary).key, hedge: ctx.targets.get(target).key, delayMs: delay });
        launch(target);
        wait = delay;
      } else {
        // No budget or no free slot now: look again soon. The requests still waiting then are the
        // slowest ones, which is where a hedge buys the most.
        wait = Math.max(10, Math.round(delay / 4));
      }
      continue;
    }
    const { racer } = next;
    racers.delete(racer);
    racer.release();
    if (next.ok) {
      input.settled(racer.target, racer.st, racer.started, { ok: true });
      abandon();
      return { kind: 'won', value: next.value, target: racer.target };
    }
    if (next.err instanceof HedgeLost || (winner && winner !== racer && racer.cancel.aborted)) {
      input.settled(racer.target, racer.st, racer.started, { lost: true });
      continue;
    }
    if (ctx.signal.aborted) {
      abandon();
      throw next.err;
    }
    const failure = toFailure(next.err, racer.target, ctx);
    input.failures.push(failure);
    attempts.push(failedAttempt(racer.target, failure, racer.started, ctx.now()));
    // A racer that was told when to come back stays out of rotation until then, as in the walk.
    if (failure.retryAfterMs !== undefined && failure.retryAfterMs > 0)
      racer.st.coolOffUntil = Math.max(racer.st.coolOffUntil, ctx.now() + failure.retryAfterMs);
    input.settled(racer.target, racer.st, racer.started, { ok: false, failure });
    if (winner === racer) {
      abandon();
      return { kind: 'committed_failure', failure, target: racer.target };
    }
    if (failure.disposition === 'fatal') {
      abandon();
      return { kind: 'failed', tried, stop: true };
    }
  }
  return { kind: 'failed', tried, stop: false };
}
