import { describe, expect, it } from 'vitest';
import { compile } from '../config/compile.js';
import type { ProviderConfig } from '../config/types.js';
import type { Transport, UpstreamResponse } from '../transport/client.js';
import { HealthProber, OutlierSweep, tierPeers } from './health.js';
import { TargetStates } from './targets.js';

const config = compile(
  {
    providers: {
      a: { format: 'openai', base_url: 'http://127.0.0.1:1/v1', auth: 'none' },
      b: { format: 'openai', base_url: 'http://127.0.0.1:2/v1', auth: 'none' },
    },
    models: { m: { tiers: [['a/x', 'b/x'], ['a/y']] }, n: { targets: ['a/x', 'b/z'] } },
    resilience: { breaker: { consecutive_failures: 1, cooldown_ms: 30_000 }, outlier: { min_requests: 10 } },
  },
  { env: {}, source: 'test' },
);
const [ax, bx, ay] = config.models.get('m')!.targets as [never, never, never];

/** A transport that answers every probe with `status`, and remembers which providers it was asked. */
function transport(status: number): { t: Transport; asked: string[] } {
  const asked: string[] = [];
  const t = {
    send: async (provider: ProviderConfig): Promise<UpstreamResponse> => {
      asked.push(provider.name);
      const res: UpstreamResponse = { status, headers: {}, bytes: async () => Buffer.alloc(0), read: async () => undefined, dump: async () => undefined };
      return res;
    },
  } as unknown as Transport;
  return { t, asked };
}

describe('HealthProber', () => {
  it('probes only targets whose breaker is open; an answer half-opens the breaker at once, a failure changes nothing', async () => {
    let clock = 0;
    const now = (): number => clock;
    const states = new TargetStates(config.resilience);
    states.get(ax).breaker.record('failure', 0, () => 0.5); // opens (1 consecutive failure)
    states.get(bx).breaker.record('success', 0, () => 0.5);
    clock = 1000;

    const down = transport(503);
    await new HealthProber(
      config.resilience.health,
      states,
      down.t,
      now,
      () => 0.5,
      () => {},
    ).probeOnce();
    expect(down.asked).toEqual(['a']);
    expect(states.get(ax).breaker.state(clock)).toBe('open');

    const up = transport(200);
    await new HealthProber(
      config.resilience.health,
      states,
      up.t,
      now,
      () => 0.5,
      () => {},
    ).probeOnce();
    expect(up.asked).toEqual(['a']);
    expect(states.get(ax).breaker.state(clock)).toBe('half_open'); // 29 s before the cooldown would have ended
  });
});

describe('OutlierSweep', () => {
  it('peers are the other targets of the same tier, across public models', () => {
    const peers = tierPeers(config);
    expect(peers.get('a/x')).toEqual(['b/x', 'b/z']);
    expect(peers.get('a/y')).toEqual([]);
    expect(peers.get('b/z')).toEqual(['a/x']);
  });

  it('ejects from live traffic and reports each ejection', () => {
    const states = new TargetStates(config.resilience);
    for (let i = 0; i < 20; i++) {
      states.get(ax).outlier.record(i % 2 === 0, 100, 0);
      states.get(bx).outlier.record(true, 100, 0);
      states.get(ay).outlier.record(false, undefined, 0); // no peer in its tier: never ejected
    }
    const ejected: { target: string; reason: string; durationMs: number }[] = [];
    new OutlierSweep(
      config,
      states,
      () => 5000,
      () => 0.5,
      (e) => ejected.push(e),
    ).sweepOnce();
    expect(ejected.map((e) => [e.target, e.reason, e.durationMs])).toEqual([['a/x', 'failure_rate', 30_000]]);
    expect(states.unavailableUntil(states.get(ax), 5000)).toBe(35_000);
  });
});
