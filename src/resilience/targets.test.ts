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
