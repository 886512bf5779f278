import type { ChatRequest } from '../api/chat.js';
import { describeTarget, type GatewayConfig, type ResilienceConfig } from '../config/types.js';
import { Cancellation } from '../core/cancel.js';
import { UpstreamFailure } from '../core/failure.js';
import { adapterFor } from '../providers/registry.js';
import type { Transport } from '../transport/client.js';
import type { TargetStates } from './targets.js';

/** The smallest real request a chat model answers: one token. */
const PROBE: ChatRequest = { model: 'probe', messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 };
const PROBE_TIMEOUT_MS = 10_000;

/**
 * Active health probes. A target whose breaker is open gets one minimal request per interval; when
 * it answers, its breaker goes half-open at once, so real traffic returns within one interval of
 * the recovery instead of after the whole cooldown. Only broken targets are probed: a healthy
 * fleet costs nothing.
 */
export class HealthProber {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly settings: ResilienceConfig['health'],
    private readonly targets: TargetStates,
    private readonly transport: Transport,
    private readonly now: () => number,
    private readonly rng: () => number,
    private readonly log: (event: string, fields: Record<string, unknown>) => void,
  ) {}

  start(): void {
    if (!this.settings.enabled) return;
    this.stopped = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Probes every open target once; resolves when all have answered or timed out. */
  async probeOnce(): Promise<void> {
    await Promise.all(this.targets.open(this.now()).map((st) => this.probe(st)));
  }

  private schedule(): void {
    // ±20 % jitter, so probes from many replicas do not arrive together.
    const ms = Math.round(this.settings.intervalMs * (0.8 + 0.4 * this.rng()));
    this.timer = setTimeout(() => {
      void this.probeOnce().finally(() => {
        if (!this.stopped) this.schedule();
      });
    }, ms);
    this.timer.unref();
  }

  private async probe(st: ReturnType<TargetStates['open']>[number]): Promise<void> {
    const adapter = adapterFor(st.target.provider.format);
    const cancel = new Cancellation();
    const timer = setTimeout(() => cancel.abort(new Error('probe timed out')), PROBE_TIMEOUT_MS);
    try {
      const res = await this.transport.send(st.target.provider, adapter.buildChatRequest(PROBE, st.target, false), { signal: cancel });
      await res.dump();
      const ok = res.status < 400;
      if (ok) st.breaker.probeSucceeded(this.now());
      this.log('health_probe', { target: st.key, status: res.status, ok });
    } catch (err) {
      // The whole transport error (address, host) is for the log, which redacts credentials in it.
      const error = err instanceof UpstreamFailure ? (err.failure.detail ?? err.failure.message) : err instanceof Error ? err.message : String(err);
      this.log('health_probe', { target: st.key, ok: false, error });
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * The periodic passive outlier sweep (resilience/outlier.ts): every interval, live traffic is
 * judged and outliers are ejected. Peers are the other targets of the same tier of a public model:
 * the targets configured as interchangeable, which is what a comparison needs to be fair.
 */
export class OutlierSweep {
  private timer: NodeJS.Timeout | undefined;
  private readonly peers: ReadonlyMap<string, readonly string[]>;

  constructor(
    private readonly config: GatewayConfig,
    private readonly targets: TargetStates,
    private readonly now: () => number,
    private readonly rng: () => number,
    private readonly onEject: (ejection: { target: string; reason: string; detail: string; durationMs: number }) => void,
  ) {
    this.peers = tierPeers(config);
  }

  start(): void {
    const { enabled, intervalMs } = this.config.resilience.outlier;
    if (!enabled || this.timer) return;
    this.timer = setInterval(() => this.sweepOnce(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  sweepOnce(): void {
    for (const e of this.targets.sweepOutliers(this.now(), this.rng, (key) => this.peers.get(key) ?? [])) {
      this.onEject({ target: e.key, reason: e.reason, detail: e.detail, durationMs: e.durationMs });
    }
  }
}

/** For each configured target, the other targets sharing a tier with it in any public model. */
export function tierPeers(config: GatewayConfig): Map<string, string[]> {
  const peers = new Map<string, Set<string>>();
  for (const model of config.models.values()) {
    for (const tier of model.tiers) {
      const keys = tier.targets.map(describeTarget);
      for (const k of keys) {
        const set = peers.get(k) ?? new Set<string>();
        for (const other of keys) if (other !== k) set.add(other);
        peers.set(k, set);
      }
    }
  }
  return new Map([...peers].map(([k, v]) => [k, [...v]]));
}
