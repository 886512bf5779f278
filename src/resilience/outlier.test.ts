import { describe, expect, it } from 'vitest';
import { ejectionDuration, findOutliers, OUTLIER_DEFAULTS, type OutlierCandidate, type OutlierConfig, OutlierStats, P95_TTL_MS } from './outlier.js';

const config: OutlierConfig = { ...OUTLIER_DEFAULTS, minRequests: 10 };

function cand(key: string, requests: number, failures: number, extra: Partial<OutlierCandidate> = {}): OutlierCandidate {
  return { key, peers: ['a', 'b', 'c'].filter((k) => k !== key), requests, failures, unavailable: false, ...extra };
}

describe('findOutliers', () => {
  it('ejects a target failing at least failure_rate and twice as often as its peers', () => {
    const v = findOutliers([cand('a', 100, 12), cand('b', 100, 2), cand('c', 100, 3)], config);
    expect(v).toEqual([{ key: 'a', reason: 'failure_rate', detail: 'failure rate 12.0% over 100 requests ≥ 10.0%; peers 2.5%' }]);
  });

  it('does not eject when the peers fail about as often (the trouble is shared) or the rate is under the floor', () => {
    expect(findOutliers([cand('a', 100, 12), cand('b', 100, 8), cand('c', 100, 7)], config)).toEqual([]);
    expect(findOutliers([cand('a', 100, 9), cand('b', 100, 0), cand('c', 100, 0)], config)).toEqual([]);
  });

  it('judges only targets with min_requests; peers without traffic leave the absolute rule alone', () => {
    expect(findOutliers([cand('a', 9, 9), cand('b', 100, 0)], config)).toEqual([]);
    const v = findOutliers([cand('a', 20, 4), cand('b', 3, 0), cand('c', 0, 0)], config);
    expect(v.map((x) => [x.key, x.detail])).toEqual([['a', 'failure rate 20.0% over 20 requests ≥ 10.0%']]);
  });

  it('never ejects a target with no peer in rotation: its traffic would have nowhere to go', () => {
    expect(findOutliers([cand('a', 100, 50, { peers: [] })], config)).toEqual([]);
    expect(
      findOutliers([cand('a', 100, 50, { peers: ['b'] }), cand('b', 100, 0, { unavailable: true, peers: ['a'] })], { ...config, maxEjectedRatio: 1 }),
    ).toEqual([]);
  });

  it('ejects a latency outlier: p95 ≥ latency_factor × the median of its peers and ≥ latency_min_ms', () => {
    const v = findOutliers([cand('a', 50, 0, { p95: 3600 }), cand('b', 50, 0, { p95: 1000 }), cand('c', 50, 0, { p95: 1400 })], config);
    expect(v).toEqual([{ key: 'a', reason: 'latency', detail: "p95 3600 ms ≥ 3 × peers' median p95 1200 ms" }]);
    expect(findOutliers([cand('a', 50, 0, { p95: 3500 }), cand('b', 50, 0, { p95: 1000 }), cand('c', 50, 0, { p95: 1400 })], config)).toEqual([]);
    // 900 ms against 100 ms is 9x, but under latency_min_ms.
    expect(findOutliers([cand('a', 50, 0, { p95: 900 }), cand('b', 50, 0, { p95: 100 }), cand('c', 50, 0, { p95: 100 })], config)).toEqual([]);
  });

  it("takes the peers' median p95 whatever order they come in, and between the middle two for an even count", () => {
    const five = ['a', 'b', 'c', 'd', 'e'];
    const c = (key: string, p95: number, peers = five): OutlierCandidate => ({
      key,
      peers: peers.filter((k) => k !== key),
      requests: 50,
      failures: 0,
      unavailable: false,
      p95,
    });
    const odd = findOutliers([c('a', 4300, ['a', 'b', 'c', 'd']), c('b', 1400), c('c', 1000), c('d', 3000)], config);
    expect(odd.map((v) => v.detail)).toEqual(["p95 4300 ms ≥ 3 × peers' median p95 1400 ms"]);
    const even = findOutliers([c('a', 4500), c('b', 2000), c('c', 600), c('d', 1400), c('e', 1000)], { ...config, maxEjectedRatio: 1 });
    expect(even.map((v) => v.detail)).toEqual(["p95 4500 ms ≥ 3 × peers' median p95 1200 ms"]);
  });

  it('stops at max_ejected_ratio, counting targets already out of rotation, worst first', () => {
    const four = ['a', 'b', 'c', 'd'];
    const c = (key: string, failures: number, unavailable = false): OutlierCandidate => ({
      key,
      peers: four.filter((k) => k !== key),
      requests: 100,
      failures,
      unavailable,
    });
    expect(findOutliers([c('a', 20), c('b', 40), c('c', 0), c('d', 0)], config).map((v) => v.key)).toEqual(['b', 'a']);
    expect(findOutliers([c('a', 20), c('b', 40), c('c', 0), c('d', 0, true)], config).map((v) => v.key)).toEqual(['b']);
  });
});

describe('OutlierStats', () => {
  it('counts outcomes and latencies over the window only', () => {
    const s = new OutlierStats({ windowMs: 300_000, minRequests: 3 });
    s.record(true, 100, 0);
    s.record(false, undefined, 15_000);
    expect(s.view(16_000)).toEqual({ requests: 2, failures: 1 });
    s.record(true, 300, 20_000);
    s.addLatency(500, 20_000);
    expect(s.view(20_000)).toEqual({ requests: 3, failures: 1, p95: 500 });
    // Buckets of 10 s: at 300 s the one holding t = 0 has aged out, at 320 s all of them.
    expect(s.view(300_000)).toEqual({ requests: 2, failures: 1 });
    expect(s.view(330_000)).toEqual({ requests: 0, failures: 0 });
    s.record(true, 1, 320_000);
    s.reset();
    expect(s.view(320_000)).toEqual({ requests: 0, failures: 0 });
  });
});

describe('OutlierStats.p95', () => {
  it('is kept for P95_TTL_MS, then recomputed; a clock that goes back recomputes at once', () => {
    const s = new OutlierStats({ windowMs: 300_000, minRequests: 1 });
    s.record(true, 100, 0);
    expect(s.p95(0)).toBe(100);
    s.record(true, 900, 10);
    expect(s.p95(P95_TTL_MS - 1)).toBe(100); // cached
    expect(s.p95(P95_TTL_MS)).toBe(900); // expired: recomputed over both samples
    s.record(true, 5000, P95_TTL_MS + 1);
    expect(s.p95(P95_TTL_MS - 500)).toBe(5000); // earlier than the cached value: not trusted
  });
});

describe('ejectionDuration', () => {
  it('doubles per ejection in a row, jittered ±20 %, capped', () => {
    const mid = (): number => 0.5;
    expect([1, 2, 3, 4, 5].map((n) => ejectionDuration(n, config, mid))).toEqual([30_000, 60_000, 120_000, 240_000, 300_000]);
    expect(ejectionDuration(1, config, () => 0)).toBe(24_000);
    expect(ejectionDuration(1, config, () => 1)).toBe(36_000);
    expect(ejectionDuration(5, config, () => 1)).toBe(300_000);
  });
});
