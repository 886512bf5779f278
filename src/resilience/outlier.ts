/**
 * Passive outlier detection: live traffic over the last few minutes shows which targets are worse
 * than their peers (the other targets of the same tier), and those are ejected from rotation for
 * a while. It complements the breaker, which reacts within seconds to bursts of failures: a target
 * failing one request in eight, or answering three times slower than the alternatives, never trips
 * a breaker yet serves users worse than its peers would.
 *
 * Pure: outcomes and latencies come in with the time they happened; `findOutliers` decides from
 * snapshots; the caller applies ejections (TargetStates) and runs the periodic sweep.
 */
import { LatencyEstimator } from './latency.js';
import { SlidingWindow } from './window.js';

export interface OutlierConfig {
  enabled: boolean;
  /** How often live traffic is judged. */
  intervalMs: number;
  /** Span of traffic judged (outcomes and latencies). A multiple of OUTLIER_BUCKETS. */
  windowMs: number;
  /** Counted outcomes a target (and a peer, for comparisons) needs before it is judged. */
  minRequests: number;
  /** Eject when the failure rate reaches this, and is also FAILURE_PEER_FACTOR × the peers' rate. */
  failureRate: number;
  /** Eject when the p95 latency is this many times the median of the peers' p95 ... */
  latencyFactor: number;
  /** ... and at least this many ms: 30 ms against 10 ms is not worth acting on. */
  latencyMinMs: number;
  /** First ejection; doubles with each ejection in a row, up to maxEjectionMs. */
  ejectionMs: number;
  maxEjectionMs: number;
  /** Never more than this share of the known targets out of rotation at once. */
  maxEjectedRatio: number;
}

export const OUTLIER_BUCKETS = 30;
/** A target is only an error outlier when it fails at least this many times as often as its peers. */
export const FAILURE_PEER_FACTOR = 2;
/** Latency samples kept per target for the p95 (the most recent ones within the window). */
export const OUTLIER_LATENCY_SAMPLES = 500;
/** How long a computed p95 is reused. */
export const P95_TTL_MS = 1000;

export const OUTLIER_DEFAULTS: Readonly<OutlierConfig> = Object.freeze({
  enabled: true,
  intervalMs: 10_000,
  windowMs: 300_000,
  minRequests: 20,
  failureRate: 0.1,
  latencyFactor: 3,
  latencyMinMs: 1000,
  ejectionMs: 30_000,
  maxEjectionMs: 300_000,
  maxEjectedRatio: 0.5,
});

export interface OutlierView {
  requests: number;
  failures: number;
  /** Undefined until there are minRequests latency samples. */
  p95?: number;
}

/** One target's recent outcomes and latencies. */
export class OutlierStats {
  private readonly outcomes: SlidingWindow;
  private readonly latency: LatencyEstimator;
  /** The p95 is a sort of up to 500 samples: routing asks per request, so it is kept for a second. */
  private p95Cache: { at: number; value: number | undefined } | undefined;

  constructor(private readonly config: Pick<OutlierConfig, 'windowMs' | 'minRequests'>) {
    this.outcomes = new SlidingWindow({ windowMs: config.windowMs, buckets: OUTLIER_BUCKETS });
    this.latency = new LatencyEstimator({ capacity: OUTLIER_LATENCY_SAMPLES, windowMs: config.windowMs });
  }

  /** A finished attempt: a success with its latency, or a failure that says something about health. */
  record(ok: boolean, latencyMs: number | undefined, now: number): void {
    this.outcomes.record(ok, now);
    if (latencyMs !== undefined) this.latency.add(latencyMs, now);
  }

  /** A latency with no outcome: a hedge's loser took at least this long. */
  addLatency(ms: number, now: number): void {
    this.latency.add(ms, now);
  }

  view(now: number): OutlierView {
    const { total, failures } = this.outcomes.counts(now);
    const view: OutlierView = { requests: total, failures };
    const p95 = this.p95(now);
    if (p95 !== undefined) view.p95 = p95;
    return view;
  }

  /** p95 latency over the window, at most P95_TTL_MS old; undefined with fewer than minRequests samples. */
  p95(now: number): number | undefined {
    const c = this.p95Cache;
    if (c && now - c.at < P95_TTL_MS && now >= c.at) return c.value;
    const value = this.latency.count(now) >= this.config.minRequests ? this.latency.quantile(0.95, now) : undefined;
    this.p95Cache = { at: now, value };
    return value;
  }

  /** After an ejection the target is judged on what it does when it comes back. */
  reset(): void {
    this.outcomes.reset();
    this.latency.reset();
    this.p95Cache = undefined;
  }

  /** Counted outcomes and failures over the window (cheap: no latency work). */
  counts(now: number): { requests: number; failures: number } {
    const { total, failures } = this.outcomes.counts(now);
    return { requests: total, failures };
  }
}

export interface OutlierCandidate extends OutlierView {
  key: string;
  /** Targets sharing a tier with this one: what it is compared with, and where its traffic goes. */
  peers: readonly string[];
  /** Out of rotation already (ejected, breaker open, cooling off). */
  unavailable: boolean;
}

export interface OutlierVerdict {
  key: string;
  reason: 'failure_rate' | 'latency';
  /** What was measured against what, for logs and the admin view. */
  detail: string;
}

/**
 * The targets to eject now. A target is judged only with enough traffic, and only when at least
 * one of its peers is in rotation: ejecting the last target standing moves its traffic nowhere.
 * Ejections stop once maxEjectedRatio of the candidates would be out.
 */
export function findOutliers(candidates: readonly OutlierCandidate[], config: OutlierConfig): OutlierVerdict[] {
  const byKey = new Map(candidates.map((c) => [c.key, c]));
  const out = new Set(candidates.filter((c) => c.unavailable).map((c) => c.key));
  const maxOut = Math.floor(config.maxEjectedRatio * candidates.length);
  const verdicts: OutlierVerdict[] = [];
  // Worst first, so the cap spends itself on the targets that hurt most.
  const judged = candidates
    .filter((c) => !c.unavailable && c.requests >= config.minRequests)
    .sort((a, b) => b.failures / b.requests - a.failures / a.requests || a.key.localeCompare(b.key));
  for (const c of judged) {
    if (out.size + 1 > maxOut) break;
    // Compared with the peers in rotation: those are where its traffic would go.
    const peers = c.peers.map((k) => byKey.get(k)).filter((p): p is OutlierCandidate => p !== undefined && p.key !== c.key && !out.has(p.key));
    if (peers.length === 0) continue;
    const verdict = failureVerdict(c, peers, config) ?? latencyVerdict(c, peers, config);
    if (verdict) {
      verdicts.push(verdict);
      out.add(c.key);
    }
  }
  return verdicts;
}

function failureVerdict(c: OutlierCandidate, peers: OutlierCandidate[], config: OutlierConfig): OutlierVerdict | undefined {
  const rate = c.failures / c.requests;
  if (rate < config.failureRate) return undefined;
  const measured = peers.filter((p) => p.requests >= config.minRequests);
  const pct = (r: number): string => `${(r * 100).toFixed(1)}%`;
  const own = `failure rate ${pct(rate)} over ${c.requests} requests`;
  // Peers with no traffic of their own say nothing: the absolute threshold decides alone.
  if (measured.length === 0) return { key: c.key, reason: 'failure_rate', detail: `${own} ≥ ${pct(config.failureRate)}` };
  const peerRate = measured.reduce((n, p) => n + p.failures, 0) / measured.reduce((n, p) => n + p.requests, 0);
  if (rate < FAILURE_PEER_FACTOR * peerRate) return undefined;
  return { key: c.key, reason: 'failure_rate', detail: `${own} ≥ ${pct(config.failureRate)}; peers ${pct(peerRate)}` };
}

function latencyVerdict(c: OutlierCandidate, peers: OutlierCandidate[], config: OutlierConfig): OutlierVerdict | undefined {
  if (c.p95 === undefined || c.p95 < config.latencyMinMs) return undefined;
  const peerP95 = peers.filter((p) => p.requests >= config.minRequests && p.p95 !== undefined).map((p) => p.p95!);
  if (peerP95.length === 0) return undefined;
  const median = medianOf(peerP95);
  if (c.p95 < config.latencyFactor * median) return undefined;
  return { key: c.key, reason: 'latency', detail: `p95 ${Math.round(c.p95)} ms ≥ ${config.latencyFactor} × peers' median p95 ${Math.round(median)} ms` };
}

function medianOf(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** How long the n-th ejection in a row lasts (n ≥ 1), with ±20 % jitter, capped. */
export function ejectionDuration(n: number, config: Pick<OutlierConfig, 'ejectionMs' | 'maxEjectionMs'>, rng: () => number): number {
  const base = Math.min(config.maxEjectionMs, config.ejectionMs * 2 ** Math.max(0, n - 1));
  return Math.round(Math.min(config.maxEjectionMs, base * (0.8 + 0.4 * rng())));
}
