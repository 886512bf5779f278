import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { STRATEGIES, STRATEGY_DEFAULTS, type StrategyName } from '../config/strategy-options.js';
import { createRng as mulberry32 } from '../sandbox/rng.js';
import { type RankInput, rank, type TargetStats } from './strategies.js';

/** An rng that returns the given values in turn and counts its calls (throws when run dry). */
function scripted(...values: number[]): { rng: () => number; calls: () => number } {
  let i = 0;
  return {
    rng: () => {
      const v = values[i++];
      if (v === undefined) throw new Error(`rng called ${i} times, only ${values.length} values scripted`);
      return v;
    },
    calls: () => i,
  };
}

const noRng = (): number => {
  throw new Error('rng must not be called');
};

const idle = (over: Partial<TargetStats> = {}): TargetStats => ({ inFlight: 0, requests: 0, failures: 0, ...over });

function input(stats: TargetStats[], over: Partial<RankInput> = {}): RankInput {
  return {
    keys: stats.map((_, i) => `t${i}`),
    weights: stats.map(() => 1),
    stats,
    rng: noRng,
    turn: 0,
    ...over,
  };
}

/** How often each index comes first over `runs` rankings with one seeded rng. */
function firstPickShares(strategy: StrategyName, base: RankInput, runs: number, seed: number): number[] {
  const rng = mulberry32(seed);
  const counts = new Array<number>(base.keys.length).fill(0);
  for (let r = 0; r < runs; r++) {
    const first = rank(strategy, { ...base, rng }).order[0]!;
    counts[first] = counts[first]! + 1;
  }
  return counts.map((c) => c / runs);
}

function expectPermutation(order: readonly number[], n: number): void {
  expect(order).toHaveLength(n);
  expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
}

/** Any number the caller might pass, including the ones it should not. */
const anyNumber = fc.oneof(fc.double(), fc.integer({ min: 0, max: 50 }), fc.constantFrom(Number.NaN, Infinity, -Infinity, 0, -1));
const optionalNumber = fc.option(anyNumber, { nil: undefined });
const anyStats: fc.Arbitrary<TargetStats> = fc.record({
  inFlight: anyNumber,
  latencyEwmaMs: optionalNumber,
  requests: anyNumber,
  failures: anyNumber,
  p95Ms: optionalNumber,
  costUsd: optionalNumber,
});

describe('rank: properties of every strategy', () => {
  const arbInput = fc.record({
    stats: fc.array(anyStats, { maxLength: 25 }),
    weights: fc.array(anyNumber, { maxLength: 25 }),
    turn: anyNumber,
    seed: fc.integer(),
    exploration: fc.double({ min: 0, max: 1, noNaN: true }),
  });

  for (const strategy of STRATEGIES) {
    it(`${strategy}: a permutation, one score per key, no NaN score, deterministic for one rng sequence`, () => {
      fc.assert(
        fc.property(arbInput, ({ stats, weights, turn, seed, exploration }) => {
          const make = (): RankInput =>
            input(stats, { weights, turn, rng: mulberry32(seed), options: { adaptive: { ...STRATEGY_DEFAULTS.adaptive, exploration } } });
          const a = rank(strategy, make());
          expectPermutation(a.order, stats.length);
          expect(a.scores).toHaveLength(stats.length);
          for (const s of a.scores) if (s !== undefined) expect(Number.isNaN(s)).toBe(false);
          expect(typeof a.why).toBe('string');
          expect(rank(strategy, make())).toEqual(a);
        }),
      );
    });

    it(`${strategy}: stays total with an rng that returns anything`, () => {
      fc.assert(
        fc.property(fc.array(anyStats, { minLength: 1, maxLength: 8 }), fc.array(anyNumber, { minLength: 1, maxLength: 40 }), (stats, values) => {
          let i = 0;
          const rng = (): number => values[i++ % values.length]!;
          expectPermutation(rank(strategy, input(stats, { rng, weights: stats.map(() => 1) })).order, stats.length);
        }),
      );
    });
  }

  it('empty keys: empty order', () => {
    for (const strategy of STRATEGIES) {
      const r = rank(strategy, input([], { rng: noRng }));
      expect(r.order).toEqual([]);
      expect(r.scores).toEqual([]);
    }
  });

  it('a missing stats entry reads as an idle target with no history', () => {
    const r = rank('least_in_flight', { ...input([idle({ inFlight: 2 })]), keys: ['a', 'b'], weights: [1, 1] });
    expect(r.order).toEqual([1, 0]);
  });

  it('an unknown strategy name ranks in declared order', () => {
    const r = rank('nonsense' as StrategyName, input([idle(), idle(), idle()]));
    expect(r.order).toEqual([0, 1, 2]);
  });

  it('strategies that do not score leave every score undefined', () => {
    for (const strategy of ['priority', 'round_robin', 'weighted'] as const) {
      const r = rank(strategy, input([idle(), idle()], { rng: mulberry32(1) }));
      expect(r.scores).toEqual([undefined, undefined]);
    }
  });
});

describe('priority', () => {
  it('declared order, whatever the stats, without calling rng', () => {
    const r = rank('priority', input([idle({ inFlight: 9, failures: 9, requests: 9 }), idle(), idle({ costUsd: 0 })]));
    expect(r.order).toEqual([0, 1, 2]);
  });
});

describe('weighted', () => {
  const two = input([idle(), idle()], { weights: [90, 10] });

  it('the first pick follows the cumulative weights, one rng() call per pick but the last', () => {
    const low = scripted(0.8999);
    expect(rank('weighted', { ...two, rng: low.rng }).order).toEqual([0, 1]);
    expect(low.calls()).toBe(1);
    expect(rank('weighted', { ...two, rng: scripted(0.9).rng }).order).toEqual([1, 0]);

    // 50:30:20 → 0.6 × 100 = 60 falls in the second band; then 0.5 × 70 = 35 in the first of 50:20.
    const three = scripted(0.6, 0.5);
    expect(rank('weighted', input([idle(), idle(), idle()], { weights: [50, 30, 20], rng: three.rng })).order).toEqual([1, 0, 2]);
    expect(three.calls()).toBe(2);
  });

  it('says which weights it picked by', () => {
    expect(rank('weighted', { ...two, rng: scripted(0).rng }).why).toBe('weighted pick 90:10');
  });

  it('10,000 seeded rankings: first picks match 90:10 within 1.5 points', () => {
    const shares = firstPickShares('weighted', two, 10_000, 42);
    expect(Math.abs(shares[0]! - 0.9)).toBeLessThan(0.015);
    expect(Math.abs(shares[1]! - 0.1)).toBeLessThan(0.015);
  });

  it('10,000 seeded rankings: first picks match 50:30:20 within 1.5 points', () => {
    const shares = firstPickShares('weighted', input([idle(), idle(), idle()], { weights: [50, 30, 20] }), 10_000, 7);
    expect(Math.abs(shares[0]! - 0.5)).toBeLessThan(0.015);
    expect(Math.abs(shares[1]! - 0.3)).toBeLessThan(0.015);
    expect(Math.abs(shares[2]! - 0.2)).toBeLessThan(0.015);
  });

  it('second picks are drawn by weight among the rest', () => {
    // 50:30:20: after 0 goes first, 1 follows with 30 / 50 = 60%.
    const rng = mulberry32(3);
    let firstZero = 0;
    let thenOne = 0;
    for (let r = 0; r < 10_000; r++) {
      const o = rank('weighted', input([idle(), idle(), idle()], { weights: [50, 30, 20], rng })).order;
      if (o[0] === 0) {
        firstZero++;
        if (o[1] === 1) thenOne++;
      }
    }
    expect(Math.abs(thenOne / firstZero - 0.6)).toBeLessThan(0.025);
  });

  it('NaN, zero and negative weights go after every positive one, in declared order', () => {
    const rng = mulberry32(5);
    for (let r = 0; r < 200; r++) {
      const o = rank('weighted', input([idle(), idle(), idle(), idle()], { weights: [Number.NaN, 5, 0, -3], rng })).order;
      expect(o).toEqual([1, 0, 2, 3]);
    }
  });

  it('all-zero weights: declared order (still one rng() call per pick but the last)', () => {
    const s = scripted(0.99, 0.99);
    const r = rank('weighted', input([idle(), idle(), idle()], { weights: [0, 0, 0], rng: s.rng }));
    expect(r.order).toEqual([0, 1, 2]);
    expect(s.calls()).toBe(2);
  });
});

describe('round_robin', () => {
  it('rotates the start with the turn, the rest in declared cyclic order', () => {
    const three = input([idle(), idle(), idle()]);
    expect(rank('round_robin', { ...three, turn: 0 }).order).toEqual([0, 1, 2]);
    expect(rank('round_robin', { ...three, turn: 1 }).order).toEqual([1, 2, 0]);
    expect(rank('round_robin', { ...three, turn: 2 }).order).toEqual([2, 0, 1]);
    expect(rank('round_robin', { ...three, turn: 3 }).order).toEqual([0, 1, 2]);
    expect(rank('round_robin', { ...three, turn: 3_000_000_001 }).order).toEqual([1, 2, 0]);
  });

  it('spreads first picks evenly over consecutive turns', () => {
    const four = input([idle(), idle(), idle(), idle()]);
    const counts = [0, 0, 0, 0];
    for (let turn = 0; turn < 400; turn++) {
      const f = rank('round_robin', { ...four, turn }).order[0]!;
      counts[f] = counts[f]! + 1;
    }
    expect(counts).toEqual([100, 100, 100, 100]);
  });

  it('a negative, fractional or non-finite turn still yields a rotation', () => {
    const three = input([idle(), idle(), idle()]);
    expect(rank('round_robin', { ...three, turn: -1 }).order).toEqual([2, 0, 1]);
    expect(rank('round_robin', { ...three, turn: 1.7 }).order).toEqual([1, 2, 0]);
    expect(rank('round_robin', { ...three, turn: Number.NaN }).order).toEqual([0, 1, 2]);
  });
});

describe('least_in_flight', () => {
  it('ascending in-flight count, ties in declared order, no rng', () => {
    const r = rank(
      'least_in_flight',
      input([idle({ inFlight: 3 }), idle({ inFlight: 1 }), idle({ inFlight: 3 }), idle({ inFlight: 1 }), idle({ inFlight: 0 })]),
    );
    expect(r.order).toEqual([4, 1, 3, 0, 2]);
    expect(r.scores).toEqual([-3, -1, -3, -1, 0]);
    expect(r.why).toBe('least in flight 0 vs 1');
  });

  it('an unreadable count sorts last', () => {
    expect(rank('least_in_flight', input([idle({ inFlight: Number.NaN }), idle({ inFlight: 7 })])).order).toEqual([1, 0]);
  });
});

describe('least_latency (power of two choices)', () => {
  const fastSlow = input([idle({ latencyEwmaMs: 500 }), idle({ latencyEwmaMs: 100 })]);

  it('with two targets both are always drawn, so the fast one always goes first', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const s = scripted(...Array.from({ length: 2 }, mulberry32(seed)));
        const r = rank('least_latency', { ...fastSlow, rng: s.rng });
        expect(r.order).toEqual([1, 0]);
        expect(s.calls()).toBe(2);
        expect(r.why).toBe('least latency (p2c) 100 ms vs 500 ms');
      }),
    );
  });

  it('draws two distinct indices: the winner of the drawn pair goes first, the rest by EWMA', () => {
    const stats = [idle({ latencyEwmaMs: 500 }), idle({ latencyEwmaMs: 100 }), idle({ latencyEwmaMs: 300 }), idle({ latencyEwmaMs: 200 })];
    // floor(0.1 × 4) = 0, then floor(0.7 × 3) = 2, shifted past 0 → 3: the pair (500 ms, 200 ms).
    const r = rank('least_latency', input(stats, { rng: scripted(0.1, 0.7).rng }));
    expect(r.order).toEqual([3, 1, 2, 0]);
    expect(r.scores).toEqual([-500, -100, -300, -200]);
    // The same value twice still draws two targets: floor(0.5 × 4) = 2, floor(0.5 × 3) = 1.
    expect(rank('least_latency', input(stats, { rng: scripted(0.5, 0.5).rng })).order).toEqual([1, 3, 2, 0]);
  });

  it('over many rankings the fastest of three is first at least its expected 2/3, the slowest never', () => {
    const three = input([idle({ latencyEwmaMs: 500 }), idle({ latencyEwmaMs: 100 }), idle({ latencyEwmaMs: 300 })]);
    const shares = firstPickShares('least_latency', three, 10_000, 11);
    // The fastest wins every pair it is in: 2 of the 3 pairs.
    expect(shares[1]!).toBeGreaterThan(2 / 3 - 0.015);
    expect(shares[0]).toBe(0);
  });

  it('an unmeasured target counts as 0 ms: it wins its pair and leads the rest', () => {
    const r = rank('least_latency', input([idle({ latencyEwmaMs: 100 }), idle()], { rng: mulberry32(1) }));
    expect(r.order).toEqual([1, 0]);
    expect(r.why).toBe('least latency (p2c) unmeasured vs 100 ms');
    // Pair (100 ms, 300 ms) drawn: the winner first, then unmeasured ahead of the measured.
    const four = input([idle({ latencyEwmaMs: 100 }), idle({ latencyEwmaMs: 300 }), idle(), idle({ latencyEwmaMs: 50 })], { rng: scripted(0, 0.2).rng });
    expect(rank('least_latency', four).order).toEqual([0, 2, 3, 1]);
  });

  it('ties go to the target declared first, in the pair and in the rest', () => {
    const r = rank(
      'least_latency',
      input([idle({ latencyEwmaMs: 300 }), idle({ latencyEwmaMs: 200 }), idle({ latencyEwmaMs: 200 })], { rng: scripted(0.9, 0.6).rng }),
    );
    // Pair (2, 1) with equal EWMA: 1 first; then 2 (200 ms), 0 (300 ms).
    expect(r.order).toEqual([1, 2, 0]);
  });

  it('one target: no rng calls', () => {
    expect(rank('least_latency', input([idle({ latencyEwmaMs: 120 })])).order).toEqual([0]);
  });
});

describe('cheapest', () => {
  it('ascending cost, unknown cost last, ties in declared order; score is −cost', () => {
    const r = rank('cheapest', input([idle({ costUsd: 0.003 }), idle(), idle({ costUsd: 0.0012 }), idle({ costUsd: 0.003 }), idle({ costUsd: Number.NaN })]));
    expect(r.order).toEqual([2, 0, 3, 1, 4]);
    expect(r.scores).toEqual([-0.003, undefined, -0.0012, -0.003, undefined]);
    expect(r.why).toBe('cheapest $0.0012');
  });

  it('no known price: declared order', () => {
    const r = rank('cheapest', input([idle(), idle()]));
    expect(r.order).toEqual([0, 1]);
    expect(r.why).toBe('cheapest: no known price, declared order');
  });
});

describe('performance', () => {
  it('success × 0.7 + (best p95 / own p95) × 0.3 by default, descending', () => {
    expect(STRATEGY_DEFAULTS.performance).toEqual({ successWeight: 0.7, latencyWeight: 0.3 });
    const r = rank(
      'performance',
      input([
        idle({ requests: 100, failures: 10, p95Ms: 200 }), // 0.9 × 0.7 + (100 / 200) × 0.3 = 0.78
        idle({ requests: 0, failures: 0 }), // no history, unmeasured: 1 × 0.7 + 1 × 0.3 = 1
        idle({ requests: 50, failures: 0, p95Ms: 400 }), // 1 × 0.7 + (100 / 400) × 0.3 = 0.775
        idle({ requests: 20, failures: 20, p95Ms: 100 }), // the best p95, all failed: 0 × 0.7 + 1 × 0.3 = 0.3
      ]),
    );
    expect(r.scores[0]).toBeCloseTo(0.78, 12);
    expect(r.scores[1]).toBeCloseTo(1, 12);
    expect(r.scores[2]).toBeCloseTo(0.775, 12);
    expect(r.scores[3]).toBeCloseTo(0.3, 12);
    expect(r.order).toEqual([1, 0, 2, 3]);
    expect(r.why).toBe('performance 1.00 (success 100%, p95 unmeasured)');
  });

  it('honours configured weights', () => {
    const stats = [idle({ requests: 10, failures: 5, p95Ms: 100 }), idle({ requests: 10, failures: 0, p95Ms: 400 })];
    const r = rank('performance', input(stats, { options: { performance: { successWeight: 0.2, latencyWeight: 0.8 } } }));
    expect(r.scores[0]).toBeCloseTo(0.5 * 0.2 + 0.8, 12);
    expect(r.scores[1]).toBeCloseTo(0.2 + 0.25 * 0.8, 12);
    expect(r.order).toEqual([0, 1]);
    expect(rank('performance', input(stats)).order).toEqual([1, 0]);
  });

  it('equal scores keep declared order', () => {
    expect(rank('performance', input([idle(), idle(), idle()])).order).toEqual([0, 1, 2]);
  });
});

describe('adaptive (epsilon-greedy)', () => {
  // Rewards with the default weights: 0.6 × success + 0.25 × latency + 0.15 × cost.
  const three = input([
    idle({ requests: 100, failures: 20, latencyEwmaMs: 400, costUsd: 0.002 }), // 0.48 + 0.0625 + 0.075 = 0.6175
    idle({ requests: 100, failures: 0, latencyEwmaMs: 100, costUsd: 0.001 }), // 1: the best
    idle({ requests: 100, failures: 50, latencyEwmaMs: 200 }), // 0.3 + 0.125 + 0.15 (no price) = 0.575
  ]);

  it('rewards success, latency (from the EWMA) and cost; the best goes first when not exploring', () => {
    const s = scripted(0.5);
    const r = rank('adaptive', { ...three, rng: s.rng });
    expect(s.calls()).toBe(1);
    expect(r.scores[0]).toBeCloseTo(0.6175, 12);
    expect(r.scores[1]).toBeCloseTo(1, 12);
    expect(r.scores[2]).toBeCloseTo(0.575, 12);
    expect(r.order).toEqual([1, 0, 2]);
    expect(r.why).toBe('adaptive best reward 1.00');
  });

  it('exploring: one more rng() call picks uniformly among the others; the rest keep reward order', () => {
    const low = scripted(0.05, 0.2);
    const r = rank('adaptive', { ...three, rng: low.rng });
    expect(low.calls()).toBe(2);
    expect(r.order).toEqual([0, 1, 2]);
    expect(r.why).toBe('explore (10% floor)');
    expect(rank('adaptive', { ...three, rng: scripted(0.05, 0.7).rng }).order).toEqual([2, 1, 0]);
  });

  it('10,000 rankings with exploration 0.1: the best is first ~90%, each other ~5%', () => {
    const shares = firstPickShares('adaptive', { ...three, options: { adaptive: { ...STRATEGY_DEFAULTS.adaptive, exploration: 0.1 } } }, 10_000, 2024);
    expect(Math.abs(shares[1]! - 0.9)).toBeLessThan(0.02);
    expect(Math.abs(shares[0]! - 0.05)).toBeLessThan(0.015);
    expect(Math.abs(shares[2]! - 0.05)).toBeLessThan(0.015);
  });

  it('exploration 0 never explores; one target calls no rng', () => {
    const greedy = { ...three, options: { adaptive: { ...STRATEGY_DEFAULTS.adaptive, exploration: 0 } } };
    expect(firstPickShares('adaptive', greedy, 1000, 9)[1]).toBe(1);
    expect(rank('adaptive', input([idle()])).order).toEqual([0]);
  });

  it('the defaults', () => {
    expect(STRATEGY_DEFAULTS.adaptive).toEqual({ exploration: 0.1, successWeight: 0.6, latencyWeight: 0.25, costWeight: 0.15 });
  });
});
