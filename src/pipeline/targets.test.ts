import { describe, expect, it } from 'vitest';
import { compile } from '../config/compile.js';
import { describeTarget } from '../config/types.js';
import { TargetStates } from './targets.js';

const config = compile(
  {
    providers: {
      a: { format: 'openai', base_url: 'http://127.0.0.1:1/v1', auth: 'none' },
      b: { format: 'openai', base_url: 'http://127.0.0.1:2/v1', auth: 'none' },
    },
    models: { m: { targets: ['a/x', 'b/x'] } },
    resilience: { outlier: { min_requests: 10 } },
  },
  { env: {}, source: 'test' },
);
const [ax, bx] = config.models.get('m')!.targets as [never, never];
const peers = (key: string): string[] => ['a/x', 'b/x'].filter((k) => k !== key);
const mid = (): number => 0.5;

function traffic(states: TargetStates, now: number, failuresOfA: number): void {
  const a = states.get(ax);
  const b = states.get(bx);
  for (let i = 0; i < 20; i++) {
    a.outlier.record(i >= failuresOfA, 100, now);
    b.outlier.record(true, 100, now);
  }
}

describe('TargetStates.sweepOutliers', () => {
  it('ejects, keeps the target out of rotation for the ejection, and doubles it when ejected again in a row', () => {
    const states = new TargetStates(config.resilience);
    traffic(states, 0, 10);
    const first = states.sweepOutliers(1000, mid, peers);
    expect(first.map((e) => [e.key, e.reason, e.durationMs])).toEqual([['a/x', 'failure_rate', 30_000]]);
    const a = states.get(ax);
    expect(states.unavailableUntil(a, 1000)).toBe(31_000);
    expect(states.snapshot(1000).find((s) => s.target === 'a/x')!.ejected).toMatchObject({ reason: 'failure_rate', remaining_ms: 30_000 });
    // Its history is forgotten: while out (and with no new traffic) nothing more happens.
    expect(states.sweepOutliers(20_000, mid, peers)).toEqual([]);
    expect(states.unavailableUntil(a, 31_000)).toBeUndefined();
    traffic(states, 40_000, 10);
    expect(states.sweepOutliers(41_000, mid, peers).map((e) => e.durationMs)).toEqual([60_000]);
    expect(describeTarget(a.target)).toBe('a/x');
  });

  it('starts the ladder again once the target is judged healthy on enough traffic', () => {
    const states = new TargetStates(config.resilience);
    traffic(states, 0, 10);
    states.sweepOutliers(1000, mid, peers);
    traffic(states, 40_000, 0);
    expect(states.sweepOutliers(41_000, mid, peers)).toEqual([]);
    traffic(states, 80_000, 10);
    expect(states.sweepOutliers(81_000, mid, peers).map((e) => e.durationMs)).toEqual([30_000]);
  });
});

describe('TargetStates for targets the config does not declare', () => {
  const declared = new Set(['a/x', 'b/x']);
  const first = config.models.get('m')!.targets[0]!;
  const undeclared = (id: string) => ({ provider: first.provider, model: { ...first.model, id } });
  const limited = { ...config.resilience, undeclaredTargets: { max: 3, idleMs: 1000 } };

  it('keeps declared targets for good and at most `max` undeclared ones, least recently used forgotten first', () => {
    const now = 0;
    const states = new TargetStates(limited, undefined, { declared, clock: () => now });
    const a = states.get(ax);
    a.coolOffUntil = 99;
    for (const id of ['u1', 'u2', 'u3']) states.get(undeclared(id));
    states.get(undeclared('u1')); // used again: now the most recent
    states.get(undeclared('u4')); // evicts u2
    expect(states.snapshot(now).map((s) => s.target)).toEqual(['a/x', 'a/u3', 'a/u1', 'a/u4']);
    for (let i = 0; i < 10; i++) states.get(undeclared(`v${i}`));
    expect(states.snapshot(now).map((s) => s.target)).toEqual(['a/x', 'a/v7', 'a/v8', 'a/v9']);
    expect(states.get(ax)).toBe(a);
    expect(a.coolOffUntil).toBe(99);
  });

  it('forgets an undeclared target unused for `idleMs`; one used within it keeps its state', () => {
    let now = 0;
    const states = new TargetStates(limited, undefined, { declared, clock: () => now });
    const u = states.get(undeclared('u'));
    u.coolOffUntil = 5;
    now = 999;
    expect(states.get(undeclared('u'))).toBe(u);
    now = 1998;
    expect(states.get(undeclared('u'))).toBe(u);
    now = 2998;
    const fresh = states.get(undeclared('u'));
    expect(fresh).not.toBe(u);
    expect(fresh.coolOffUntil).toBe(0);
    states.get(undeclared('w')); // sweeps idle entries as it goes
    now = 5000;
    states.get(undeclared('z'));
    expect(states.snapshot(now).map((s) => s.target)).toEqual(['a/z']);
  });

  it('peek reads state without creating it', () => {
    const states = new TargetStates(limited, undefined, { declared });
    expect(states.peek(ax)).toBeUndefined();
    expect(states.peek(undeclared('u'))).toBeUndefined();
    expect(states.snapshot(0)).toEqual([]);
    const a = states.get(ax);
    expect(states.peek(ax)).toBe(a);
    const u = states.get(undeclared('u'));
    expect(states.peek(undeclared('u'))).toBe(u);
  });

  it('gives public models a hedge budget each and folds client-named routes into one per provider', () => {
    const states = new TargetStates(limited, undefined, { declared, routes: new Set(['m']) });
    expect(states.hedgeBudget('m', 0.1)).toBe(states.hedgeBudget('m', 0.1));
    expect(states.hedgeBudget('a/one', 0.1)).toBe(states.hedgeBudget('a/two', 0.1));
    expect(states.hedgeBudget('a/one', 0.1)).not.toBe(states.hedgeBudget('b/one', 0.1));
    expect(states.hedgeBudget('a/one', 0.1)).not.toBe(states.hedgeBudget('m', 0.1));
  });
});
