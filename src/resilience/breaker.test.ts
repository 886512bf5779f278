import { describe, expect, it } from 'vitest';
import { createRng } from '../sandbox/rng.js';
import { type BreakerConfig, type BreakerOutcome, type BreakerState, CircuitBreaker, DEFAULT_BREAKER, pickEarliest } from './breaker.js';

/** rng at the middle of [0, 1): jitter factor exactly 1, so cooldowns are the bare schedule. */
const MID = (): number => 0.5;

/** The sandbox's seeded PRNG (mulberry32), for the property-style jitter test. */
const seeded = createRng;

function feed(b: CircuitBreaker, outcomes: BreakerOutcome[], now: number, rng: () => number = MID): void {
  for (const o of outcomes) b.record(o, now, rng);
}

const S: BreakerOutcome = 'success';
const F: BreakerOutcome = 'failure';
const I: BreakerOutcome = 'ignored';

/** Trips a breaker by its failure streak, at `now`. */
function trip(b: CircuitBreaker, now: number, rng: () => number = MID): void {
  for (let i = 0; i < b.config.consecutiveFailures; i++) b.record(F, now, rng);
  expect(b.state(now)).toBe('open');
}

describe('CircuitBreaker defaults', () => {
  it('uses the documented defaults', () => {
    expect(DEFAULT_BREAKER).toEqual({
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
    const b = new CircuitBreaker();
    expect(b.config).toEqual(DEFAULT_BREAKER);
    expect(b.state(0)).toBe('closed');
    expect(b.allow(0)).toBe(true);
  });

  it('rejects nonsensical configuration at construction', () => {
    const bad: Partial<BreakerConfig>[] = [
      { minRequests: 0 },
      { failureRate: 0 },
      { failureRate: 1.5 },
      { consecutiveFailures: 0 },
      { cooldownMs: -1 },
      { cooldownMultiplier: 0.5 },
      { maxCooldownMs: 10, cooldownMs: 20 },
      { jitter: 1 },
      { jitter: -0.1 },
      { halfOpenProbes: 0 },
      { halfOpenProbes: 1.5 },
      { windowMs: 1_000, buckets: 3 },
    ];
    for (const c of bad) expect(() => new CircuitBreaker(c), JSON.stringify(c)).toThrow(RangeError);
  });
});

describe('opening while closed', () => {
  it('does not open on the failure rate before minRequests outcomes are in the window', () => {
    const b = new CircuitBreaker({ consecutiveFailures: 100 });
    // 9 outcomes, 4 failures (44 %): well over the rate but under the minimum count.
    feed(b, [F, S, F, S, F, S, F, S, S], 1_000);
    expect(b.state(1_000)).toBe('closed');
    expect(b.snapshot(1_000)).toMatchObject({ total: 9, failures: 4 });
    // The 10th outcome reaches minRequests: 5 / 10 ≥ 0.2.
    b.record(F, 1_000, MID);
    expect(b.state(1_000)).toBe('open');
  });

  it('opens when the failure rate reaches the threshold exactly', () => {
    const b = new CircuitBreaker({ consecutiveFailures: 100 });
    feed(b, [S, S, S, S, S, S, S, S, F], 1_000);
    expect(b.state(1_000)).toBe('closed');
    b.record(F, 1_000, MID); // 2 / 10 = 0.2
    expect(b.state(1_000)).toBe('open');
  });

  it('stays closed just below the threshold', () => {
    const b = new CircuitBreaker({ consecutiveFailures: 100 });
    feed(b, [S, S, S, S, S, S, S, S, S, S, F], 1_000); // 1 / 11
    feed(b, Array<BreakerOutcome>(9).fill(S), 1_000);
    b.record(F, 1_000, MID); // 2 / 21 < 0.2
    expect(b.state(1_000)).toBe('closed');
    expect(b.snapshot(1_000)).toMatchObject({ total: 21, failures: 2 });
  });

  it('judges the rate on the window only: failures that have aged out do not count', () => {
    const b = new CircuitBreaker({ consecutiveFailures: 100 });
    feed(b, [F, F, F, F, S, S, S, S, S], 0); // one more failure here would open it
    b.record(F, 60_000, MID); // but at 60 s the first bucket has expired: 1 outcome in the window
    expect(b.state(60_000)).toBe('closed');
    expect(b.snapshot(60_000)).toMatchObject({ total: 1, failures: 1 });
  });

  it('opens on consecutive failures regardless of minRequests', () => {
    const b = new CircuitBreaker({ minRequests: 1_000 });
    feed(b, [F, F, F, F], 0);
    expect(b.state(0)).toBe('closed');
    b.record(F, 0, MID);
    expect(b.state(0)).toBe('open');
  });

  it('a success breaks the failure streak', () => {
    const b = new CircuitBreaker({ minRequests: 1_000 });
    feed(b, [F, F, F, F, S, F, F, F, F], 0);
    expect(b.state(0)).toBe('closed');
    expect(b.snapshot(0).consecutiveFailures).toBe(4);
  });

  it('a failure streak spans bucket boundaries', () => {
    const b = new CircuitBreaker({ minRequests: 1_000 });
    for (let i = 0; i < 5; i++) b.record(F, i * 7_000, MID);
    expect(b.state(28_000)).toBe('open');
  });
});

describe("'ignored' outcomes", () => {
  it('do not enter the window, so they neither count towards minRequests nor dilute the rate', () => {
    const b = new CircuitBreaker({ consecutiveFailures: 100 });
    feed(b, [F, F], 0);
    feed(b, Array<BreakerOutcome>(50).fill(I), 0);
    expect(b.snapshot(0)).toMatchObject({ state: 'closed', total: 2, failures: 2 });
    feed(b, [S, S, S, S, S, S, S], 0); // 9 counted
    b.record(F, 0, MID); // 3 / 10
    expect(b.state(0)).toBe('open');
  });

  it('neither extend nor break a failure streak', () => {
    const b = new CircuitBreaker({ minRequests: 1_000 });
    feed(b, [F, F, I, F, I, I, F], 0);
    expect(b.snapshot(0).consecutiveFailures).toBe(4);
    expect(b.state(0)).toBe('closed');
    b.record(F, 0, MID);
    expect(b.state(0)).toBe('open');
  });
});

describe('cooldown and half-open', () => {
  it('refuses while open and turns half-open exactly when the cooldown ends', () => {
    const b = new CircuitBreaker();
    trip(b, 10_000);
    expect(b.allow(10_000)).toBe(false);
    expect(b.opensUntil(10_000)).toBe(40_000);
    expect(b.state(39_999)).toBe('open');
    expect(b.allow(39_999)).toBe(false);
    expect(b.opensUntil(39_999)).toBe(40_000);
    expect(b.state(40_000)).toBe('half_open');
    expect(b.opensUntil(40_000)).toBeUndefined();
  });

  it('opensUntil is undefined while closed', () => {
    expect(new CircuitBreaker().opensUntil(0)).toBeUndefined();
  });

  it('ignores outcomes that arrive while open (attempts sent before it opened)', () => {
    const b = new CircuitBreaker();
    trip(b, 0);
    feed(b, [S, S, S, S, S, S, S, S, S, S, S, S], 1_000);
    expect(b.state(1_000)).toBe('open');
    feed(b, [F, F, F], 2_000, () => 0.999);
    expect(b.opensUntil(2_000)).toBe(30_000);
    expect(b.snapshot(2_000)).toMatchObject({ opens: 1, openedAt: 0, reopenAt: 30_000 });
  });

  it('admits at most halfOpenProbes probes in flight', () => {
    const b = new CircuitBreaker({ halfOpenProbes: 1 });
    trip(b, 0);
    expect(b.allow(30_000)).toBe(true);
    expect(b.allow(30_000)).toBe(false);
    expect(b.allow(31_000)).toBe(false);
  });

  it('frees a probe slot on record, and closes only after halfOpenProbes successes', () => {
    const b = new CircuitBreaker({ halfOpenProbes: 2 });
    trip(b, 0);
    expect(b.allow(30_000)).toBe(true);
    expect(b.allow(30_000)).toBe(true);
    expect(b.allow(30_000)).toBe(false);
    b.record(S, 30_100, MID); // 1 of 2 successes; its slot is free again
    expect(b.state(30_100)).toBe('half_open');
    expect(b.allow(30_100)).toBe(true);
    expect(b.allow(30_100)).toBe(false);
    b.record(S, 30_200, MID);
    expect(b.state(30_200)).toBe('closed');
  });

  it("an 'ignored' probe frees its slot without deciding anything", () => {
    const b = new CircuitBreaker();
    trip(b, 0);
    expect(b.allow(30_000)).toBe(true);
    b.record(I, 30_050, MID);
    expect(b.state(30_050)).toBe('half_open');
    expect(b.allow(30_050)).toBe(true);
    b.record(S, 30_100, MID);
    expect(b.state(30_100)).toBe('closed');
  });

  it('ignores a straggler outcome in half-open when no probe is in flight', () => {
    const b = new CircuitBreaker();
    trip(b, 0);
    b.record(S, 30_000, MID);
    expect(b.state(30_000)).toBe('half_open');
    b.record(F, 30_000, MID);
    expect(b.state(30_000)).toBe('half_open');
  });

  it('a successful probe closes the breaker and resets the window, the streak and the cooldown growth', () => {
    const b = new CircuitBreaker({ minRequests: 10 });
    feed(b, [S, S, S, S, S, S], 0);
    trip(b, 0); // 11 in the window
    expect(b.allow(30_000)).toBe(true);
    b.record(F, 30_000, MID); // re-open: cooldown 60 s
    expect(b.opensUntil(30_000)).toBe(90_000);
    expect(b.allow(90_000)).toBe(true);
    b.record(S, 90_000, MID);
    expect(b.snapshot(90_000)).toEqual({ state: 'closed', failures: 0, total: 0, consecutiveFailures: 0, opens: 0 });
    // Growth was reset: the next open starts again at cooldownMs.
    trip(b, 100_000);
    expect(b.opensUntil(100_000)).toBe(130_000);
  });

  it('after closing, judges the target on fresh outcomes only', () => {
    const b = new CircuitBreaker({ consecutiveFailures: 100 });
    feed(b, [F, F, F, F, F, F, F, F, F, F], 0); // rate trip
    expect(b.state(0)).toBe('open');
    b.allow(30_000);
    b.record(S, 30_000, MID);
    expect(b.state(30_000)).toBe('closed');
    // Had the old 10 failures survived, this one failure would re-open it at once.
    b.record(F, 30_001, MID);
    expect(b.state(30_001)).toBe('closed');
  });
});

describe('cooldown growth', () => {
  function reopenSchedule(b: CircuitBreaker, rounds: number, rng: () => number): number[] {
    const cooldowns: number[] = [];
    let now = 0;
    trip(b, now, rng);
    for (let i = 0; i < rounds; i++) {
      const until = b.opensUntil(now);
      if (until === undefined) throw new Error('expected open');
      cooldowns.push(until - now);
      now = until;
      expect(b.allow(now)).toBe(true);
      b.record(F, now, rng);
    }
    return cooldowns;
  }

  it('multiplies the cooldown on each failed probe, up to maxCooldownMs', () => {
    const b = new CircuitBreaker();
    expect(reopenSchedule(b, 7, MID)).toEqual([30_000, 60_000, 120_000, 240_000, 300_000, 300_000, 300_000]);
    expect(b.snapshot(0).opens).toBe(8);
  });

  it('honours a custom multiplier and cap', () => {
    const b = new CircuitBreaker({ cooldownMs: 1_000, cooldownMultiplier: 3, maxCooldownMs: 20_000, jitter: 0 });
    expect(reopenSchedule(b, 5, () => 0.9)).toEqual([1_000, 3_000, 9_000, 20_000, 20_000]);
  });

  it('applies ± jitter from rng at its extremes', () => {
    expect(reopenSchedule(new CircuitBreaker(), 2, () => 0)).toEqual([24_000, 48_000]);
    expect(reopenSchedule(new CircuitBreaker(), 2, () => 0.75)).toEqual([33_000, 66_000]);
    const high = reopenSchedule(new CircuitBreaker(), 2, () => 0.999_999);
    expect(high[0]).toBe(36_000); // 30 000 · (1 + 0.2 · 0.999998) rounds to 36 000
    expect(high[1]).toBe(72_000);
  });

  it('never exceeds maxCooldownMs, even with upward jitter', () => {
    const schedule = reopenSchedule(new CircuitBreaker(), 6, () => 0.999_999);
    expect(schedule.slice(3)).toEqual([288_000, 300_000, 300_000]);
  });

  it('keeps every jittered cooldown within bounds for a seeded rng', () => {
    const rng = seeded(42);
    const schedule = reopenSchedule(new CircuitBreaker(), 200, rng);
    const seen = new Set<number>();
    schedule.forEach((cooldown, i) => {
      const base = Math.min(300_000, 30_000 * 2 ** i);
      expect(cooldown).toBeGreaterThanOrEqual(Math.round(base * 0.8));
      expect(cooldown).toBeLessThanOrEqual(Math.min(300_000, Math.round(base * 1.2)));
      seen.add(cooldown);
    });
    // Jitter actually varies the cooldown rather than collapsing it to one value.
    expect(seen.size).toBeGreaterThan(50);
  });
});

describe('transition events', () => {
  it('reports every transition once, in order, with the time of the call that made it', () => {
    const events: [BreakerState, BreakerState, number][] = [];
    const b = new CircuitBreaker({}, (from, to, now) => events.push([from, to, now]));
    trip(b, 1_000); // closed → open at 1 000, cooldown 30 s
    expect(b.state(20_000)).toBe('open');
    expect(b.allow(31_500)).toBe(true); // open → half_open observed at 31 500
    expect(b.state(31_600)).toBe('half_open'); // already half-open: no second event
    b.record(F, 32_000, MID); // half_open → open, cooldown 60 s
    expect(b.snapshot(92_000).state).toBe('half_open'); // observed by snapshot
    b.allow(92_000);
    b.record(S, 92_500, MID); // half_open → closed
    expect(events).toEqual([
      ['closed', 'open', 1_000],
      ['open', 'half_open', 31_500],
      ['half_open', 'open', 32_000],
      ['open', 'half_open', 92_000],
      ['half_open', 'closed', 92_500],
    ]);
  });

  it('has the new state in place when the listener runs', () => {
    const seen: BreakerState[] = [];
    const b: CircuitBreaker = new CircuitBreaker({}, (_from, _to, now) => seen.push(b.state(now)));
    trip(b, 0);
    b.allow(30_000);
    b.record(S, 30_000, MID);
    expect(seen).toEqual(['open', 'half_open', 'closed']);
  });
});

describe('snapshot', () => {
  it('describes the breaker for the admin endpoint', () => {
    const b = new CircuitBreaker({ minRequests: 100 });
    feed(b, [S, F, S, F, F], 5_000);
    expect(b.snapshot(5_000)).toEqual({ state: 'closed', failures: 3, total: 5, consecutiveFailures: 2, opens: 0 });
    feed(b, [F, F, F], 6_000);
    expect(b.snapshot(6_000)).toEqual({ state: 'open', failures: 6, total: 8, consecutiveFailures: 5, openedAt: 6_000, reopenAt: 36_000, opens: 1 });
    expect(b.snapshot(36_000)).toEqual({ state: 'half_open', failures: 6, total: 8, consecutiveFailures: 5, openedAt: 6_000, reopenAt: 36_000, opens: 1 });
  });
});

describe('pickEarliest', () => {
  function openAt(now: number, rng: () => number = MID): CircuitBreaker {
    const b = new CircuitBreaker();
    trip(b, now, rng);
    return b;
  }

  it('picks the open candidate whose cooldown ends first', () => {
    const candidates = [
      { id: 'a', breaker: openAt(5_000) }, // until 35 000
      { id: 'b', breaker: openAt(1_000) }, // until 31 000
      { id: 'c', breaker: openAt(0, () => 0.99) }, // until 35 880: opened first, but jitter made it longer
    ];
    expect(pickEarliest(candidates, 10_000)).toBe('b');
  });

  it('keeps list order on a tie', () => {
    expect(
      pickEarliest(
        [
          { id: 'x', breaker: openAt(0) },
          { id: 'y', breaker: openAt(0) },
        ],
        1,
      ),
    ).toBe('x');
  });

  it('returns undefined when any candidate is not open, or there are none', () => {
    const closed = new CircuitBreaker();
    expect(
      pickEarliest(
        [
          { id: 'a', breaker: openAt(0) },
          { id: 'b', breaker: closed },
        ],
        1_000,
      ),
    ).toBeUndefined();
    // 'a' has turned half-open by 30 000: it is not picked by cooldown, allow() decides for it.
    expect(
      pickEarliest(
        [
          { id: 'a', breaker: openAt(0) },
          { id: 'b', breaker: openAt(10_000) },
        ],
        30_000,
      ),
    ).toBeUndefined();
    expect(pickEarliest([], 0)).toBeUndefined();
  });
});

describe('probeSucceeded', () => {
  it('ends an open period early into half-open; does nothing when closed', async () => {
    const { CircuitBreaker } = await import('./breaker.js');
    const transitions: string[] = [];
    const b = new CircuitBreaker({ consecutiveFailures: 2, cooldownMs: 30_000, jitter: 0 }, (from, to, now) => transitions.push(`${from}->${to}@${now}`));
    b.probeSucceeded(0);
    expect(b.state(0)).toBe('closed');
    b.record('failure', 10, () => 0.5);
    b.record('failure', 20, () => 0.5);
    expect(b.state(1000)).toBe('open');
    b.probeSucceeded(1000);
    expect(b.state(1000)).toBe('half_open');
    expect(transitions).toEqual(['closed->open@20', 'open->half_open@1000']);
  });
});
