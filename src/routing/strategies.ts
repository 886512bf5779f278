/**
 * Ranking strategies: how the routing engine orders the targets of one tier of a route. Each is a
 * pure function of what routing knows now (in-flight counts, latency, recent outcomes, prices) and
 * of the `rng` it is handed, so a seeded rng replays a decision exactly.
 *
 * Ranking is on the request path of every request, so it is total (bad numbers are read as
 * "unknown", never thrown on) and cheap: no closures per comparison, no sort beyond a few dozen
 * element moves for a usual tier.
 */

import { STRATEGY_DEFAULTS, type StrategyName, type StrategyOptions } from '../config/strategy-options.js';

/** What routing knows about one target now (the caller gathers it from live state). */
export interface TargetStats {
  /** Attempts in flight on this target now. */
  inFlight: number;
  /** Exponentially weighted moving average of latency (ms), undefined until measured. */
  latencyEwmaMs?: number;
  /** Over the last 5 minutes: counted outcomes, failures among them, and p95 latency (undefined with too few samples). */
  requests: number;
  failures: number;
  p95Ms?: number;
  /** Estimated cost of this request on this target in USD; undefined when no price is known. */
  costUsd?: number;
}

export interface RankInput {
  /** Target keys of one tier, in declared order (the order is the tie-break everywhere). */
  keys: readonly string[];
  /** One positive weight per key (weighted strategy; others ignore it). */
  weights: readonly number[];
  stats: readonly TargetStats[];
  rng: () => number;
  /** Monotonic per-(route, tier) counter for round_robin; the caller increments it per request. */
  turn: number;
  options?: StrategyOptions;
}

export interface Ranked {
  /** Indices into keys, best first; a permutation of 0..keys.length-1. */
  order: number[];
  /**
   * One score per key (same indexing as keys), higher is better; undefined where the strategy does
   * not score (priority, round_robin, weighted) or knows nothing to score on (cheapest, no price):
   * - least_in_flight: −inFlight (undefined when the count is NaN).
   * - least_latency: −latencyEwmaMs, an unmeasured target counting as 0 ms. It does not fix the
   *   order on its own: the first pick is the better of two random targets.
   * - cheapest: −costUsd (undefined when no price is known).
   * - performance: success × successWeight + latencyScore × latencyWeight, in [0, sum of weights].
   * - adaptive: the reward, success × successWeight + latencyScore × latencyWeight + costScore × costWeight.
   */
  scores: (number | undefined)[];
  /** A short human reason for the first pick, e.g. "weighted pick 90:10", "least latency (p2c) 120 ms vs 480 ms". */
  why: string;
}

/** Stands in for a missing stats entry: nothing in flight, nothing known. */
const NO_STATS: TargetStats = Object.freeze({ inFlight: 0, requests: 0, failures: 0 });

/** Orders the targets of one tier. Never throws (an unknown strategy name ranks by priority). */
export function rank(strategy: StrategyName, input: RankInput): Ranked {
  const n = input.keys.length;
  if (n === 0) return { order: [], scores: [], why: 'no targets' };
  switch (strategy) {
    case 'weighted':
      return weighted(input, n);
    case 'round_robin':
      return roundRobin(input.turn, n);
    case 'least_in_flight':
      return leastInFlight(input, n);
    case 'least_latency':
      return leastLatency(input, n);
    case 'cheapest':
      return cheapest(input, n);
    case 'performance':
      return performance(input, n);
    case 'adaptive':
      return adaptive(input, n);
    default: // priority
      return { order: identity(n), scores: unscored(n), why: 'priority (declared order)' };
  }
}

function weighted(input: RankInput, n: number): Ranked {
  const w: number[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) {
    const v = input.weights[i];
    // NaN, negative, infinite or missing weights count as 0: such a target is never picked ahead
    // of one with a real weight, and the sum stays finite.
    const x = v !== undefined && v > 0 && v < Infinity ? v : 0;
    w.push(x);
    total += x;
  }
  const remaining = identity(n); // undrawn targets, in declared order
  const order = new Array<number>(n);
  // One rng() call per pick but the last, whatever the weights, so a seeded caller can count them.
  for (let left = n; left > 1; left--) {
    const target = unit(input.rng()) * total;
    let at = -1;
    let acc = 0;
    let lastPositive = -1;
    for (let p = 0; p < left; p++) {
      const wi = w[remaining[p]!]!;
      if (wi === 0) continue;
      acc += wi;
      lastPositive = p;
      if (target < acc) {
        at = p;
        break;
      }
    }
    // Rounding can leave target just past the last sum: it belongs to the last weighted target.
    // With no weight left, the rest go in declared order.
    if (at < 0) at = Math.max(lastPositive, 0);
    const picked = remaining[at]!;
    for (let p = at + 1; p < left; p++) remaining[p - 1] = remaining[p]!;
    order[n - left] = picked;
    total -= w[picked]!;
    if (total < 0) total = 0;
  }
  order[n - 1] = remaining[0]!;
  const first = w[order[0]!]!;
  const why = first > 0 ? `weighted pick ${weightList(w)}` : 'weighted: no positive weight, declared order';
  return { order, scores: unscored(n), why };
}

function roundRobin(turn: number, n: number): Ranked {
  const t = Number.isFinite(turn) ? Math.floor(turn) : 0;
  const start = ((t % n) + n) % n;
  const order = new Array<number>(n);
  for (let i = 0; i < n; i++) order[i] = (start + i) % n;
  return { order, scores: unscored(n), why: `round robin ${start + 1} of ${n}` };
}

function leastInFlight(input: RankInput, n: number): Ranked {
  const key = new Array<number>(n);
  const scores = new Array<number | undefined>(n);
  for (let i = 0; i < n; i++) {
    const v = statsAt(input, i).inFlight;
    // An unreadable count sorts last: better to skip a target than pile onto one we cannot see.
    key[i] = Number.isNaN(v) ? Infinity : v;
    scores[i] = Number.isNaN(v) ? undefined : 0 - v;
  }
  const order = identity(n);
  sortAscending(order, key, 0);
  const a = key[order[0]!]!;
  const why = n > 1 ? `least in flight ${a} vs ${key[order[1]!]!}` : `least in flight ${a}`;
  return { order, scores, why };
}

/**
 * Power of two choices: the better of two random targets, not the best of all. Always sending to
 * the lowest EWMA herds every request onto one target until its average catches up; two random
 * candidates spread load while still steering away from slow targets. Two rng() calls; none with
 * a single target.
 */
function leastLatency(input: RankInput, n: number): Ranked {
  const key = new Array<number>(n);
  const scores = new Array<number | undefined>(n);
  for (let i = 0; i < n; i++) {
    const v = statsAt(input, i).latencyEwmaMs;
    // Unmeasured counts as 0 ms so a new target is tried, and so gets measured.
    const ms = isMeasured(v) ? v : 0;
    key[i] = ms;
    scores[i] = 0 - ms;
  }
  const order = new Array<number>(n);
  if (n === 1) {
    order[0] = 0;
    return { order, scores, why: `least latency ${fmtMs(statsAt(input, 0).latencyEwmaMs)}` };
  }
  const a = pickBelow(input.rng(), n);
  let b = pickBelow(input.rng(), n - 1);
  if (b >= a) b++; // distinct, and uniform over the other n − 1
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  const winner = key[hi]! < key[lo]! ? hi : lo; // a tie goes to the one declared first
  const loser = winner === lo ? hi : lo;
  order[0] = winner;
  for (let i = 0, p = 1; i < n; i++) if (i !== winner) order[p++] = i;
  sortAscending(order, key, 1);
  const why = `least latency (p2c) ${fmtMs(statsAt(input, winner).latencyEwmaMs)} vs ${fmtMs(statsAt(input, loser).latencyEwmaMs)}`;
  return { order, scores, why };
}

function cheapest(input: RankInput, n: number): Ranked {
  const key = new Array<number>(n);
  const scores = new Array<number | undefined>(n);
  for (let i = 0; i < n; i++) {
    const v = statsAt(input, i).costUsd;
    const known = isMeasured(v);
    key[i] = known ? v : Infinity; // no price: after every priced target
    scores[i] = known ? 0 - v : undefined;
  }
  const order = identity(n);
  sortAscending(order, key, 0);
  const best = key[order[0]!]!;
  const why = best < Infinity ? `cheapest ${fmtUsd(best)}` : 'cheapest: no known price, declared order';
  return { order, scores, why };
}

function performance(input: RankInput, n: number): Ranked {
  const weights = input.options?.performance ?? STRATEGY_DEFAULTS.performance;
  const sw = finiteOr0(weights.successWeight);
  const lw = finiteOr0(weights.latencyWeight);
  const minP95 = minMeasured(input, n, p95Of);
  const key = new Array<number>(n);
  const scores = new Array<number | undefined>(n);
  for (let i = 0; i < n; i++) {
    const s = statsAt(input, i);
    const score = successRate(s) * sw + relative(s.p95Ms, minP95) * lw;
    key[i] = -score;
    scores[i] = score;
  }
  const order = identity(n);
  sortAscending(order, key, 0);
  const top = statsAt(input, order[0]!);
  const why = `performance ${fmt2(scores[order[0]!]!)} (success ${fmtPct(successRate(top))}, p95 ${fmtMs(top.p95Ms)})`;
  return { order, scores, why };
}

/**
 * Epsilon-greedy: usually the best reward first, but with probability `exploration` another
 * target, so a target that was slow or failing once keeps being sampled and can win back its
 * place when it recovers. Only the first pick explores; fallbacks stay in reward order.
 * rng() is called once to decide and once more to explore; never with a single target.
 */
function adaptive(input: RankInput, n: number): Ranked {
  const o = input.options?.adaptive ?? STRATEGY_DEFAULTS.adaptive;
  const sw = finiteOr0(o.successWeight);
  const lw = finiteOr0(o.latencyWeight);
  const cw = finiteOr0(o.costWeight);
  const minEwma = minMeasured(input, n, ewmaOf);
  const minCost = minMeasured(input, n, costOf);
  const key = new Array<number>(n);
  const scores = new Array<number | undefined>(n);
  for (let i = 0; i < n; i++) {
    const s = statsAt(input, i);
    const reward = successRate(s) * sw + relative(s.latencyEwmaMs, minEwma) * lw + relative(s.costUsd, minCost) * cw;
    key[i] = -reward;
    scores[i] = reward;
  }
  const order = identity(n);
  sortAscending(order, key, 0);
  if (n > 1 && input.rng() < o.exploration) {
    // Uniform among all but the best; the best moves to second, the rest keep reward order.
    const at = 1 + pickBelow(input.rng(), n - 1);
    const picked = order[at]!;
    for (let p = at; p > 0; p--) order[p] = order[p - 1]!;
    order[0] = picked;
    return { order, scores, why: `explore (${fmtPct(o.exploration)} floor)` };
  }
  return { order, scores, why: `adaptive best reward ${fmt2(scores[order[0]!]!)}` };
}

// ---- shared pieces ----

function statsAt(input: RankInput, i: number): TargetStats {
  return input.stats[i] ?? NO_STATS;
}

/**
 * 1 − failures / requests, clamped to [0, 1]. With no counted requests it is 1: a target with no
 * recent history is assumed healthy, so a new or idle target gets traffic and a history.
 */
function successRate(s: TargetStats): number {
  const r = s.requests;
  if (!(r > 0 && r < Infinity)) return 1;
  const rate = 1 - s.failures / r;
  if (Number.isNaN(rate)) return 1; // unreadable failures: no information, same as no history
  return rate < 0 ? 0 : Math.min(rate, 1);
}

/** best / own in (0, 1] for a lower-is-better measure (1 for the best and for the unmeasured). */
function relative(own: number | undefined, best: number): number {
  if (!isMeasured(own) || own <= best) return 1;
  return best / own;
}

const p95Of = (s: TargetStats): number | undefined => s.p95Ms;
const ewmaOf = (s: TargetStats): number | undefined => s.latencyEwmaMs;
const costOf = (s: TargetStats): number | undefined => s.costUsd;

/** The smallest measured value over the tier (Infinity when none is). */
function minMeasured(input: RankInput, n: number, get: (s: TargetStats) => number | undefined): number {
  let min = Infinity;
  for (let i = 0; i < n; i++) {
    const v = get(statsAt(input, i));
    if (isMeasured(v) && v < min) min = v;
  }
  return min;
}

/** A usable latency or price: finite and not negative. */
function isMeasured(v: number | undefined): v is number {
  return v !== undefined && v >= 0 && v < Infinity;
}

function finiteOr0(v: number): number {
  return Number.isFinite(v) ? v : 0;
}

/** rng() clamped into [0, 1] (NaN as 0), so a misbehaving rng still yields a valid pick. */
function unit(r: number): number {
  return r > 0 ? Math.min(r, 1) : 0;
}

/** A uniform index in [0, m) from one rng() value. */
function pickBelow(r: number, m: number): number {
  const i = Math.floor(r * m);
  // `!(i > 0)` also catches NaN and -0 (an rng that returns -0 must not yield index -0).
  if (!(i > 0)) return 0;
  return i < m ? i : m - 1;
}

/**
 * Stable insertion sort of order[from..] by key ascending. Tiers are small, where this beats
 * Array.prototype.sort with a comparator; the fallback keeps a huge tier from going quadratic.
 */
function sortAscending(order: number[], key: readonly number[], from: number): void {
  const n = order.length;
  if (n - from > 32) {
    const tail = order.slice(from).sort((a, b) => key[a]! - key[b]! || a - b);
    for (let i = 0; i < tail.length; i++) order[from + i] = tail[i]!;
    return;
  }
  for (let i = from + 1; i < n; i++) {
    const x = order[i]!;
    const k = key[x]!;
    let j = i - 1;
    while (j >= from && key[order[j]!]! > k) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = x;
  }
}

function identity(n: number): number[] {
  const a = new Array<number>(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

function unscored(n: number): (number | undefined)[] {
  return new Array<number | undefined>(n).fill(undefined);
}

function weightList(w: readonly number[]): string {
  let s = String(w[0]);
  for (let i = 1; i < w.length; i++) s += `:${w[i]}`;
  return s;
}

function fmtMs(v: number | undefined): string {
  return isMeasured(v) ? `${Math.round(v)} ms` : 'unmeasured';
}

function fmtUsd(v: number): string {
  // Per-request costs are often fractions of a cent: two significant digits say enough.
  return `$${v >= 1 ? v.toFixed(2) : Number(v.toPrecision(2))}`;
}

function fmtPct(v: number): string {
  return `${Number((v * 100).toFixed(1))}%`;
}

function fmt2(v: number): string {
  return v.toFixed(2);
}
