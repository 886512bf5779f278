import type { ChatRequest } from '../api/chat.js';
import type { ResilienceConfig } from '../config/types.js';
import { adapterFor } from '../providers/registry.js';
import type { TargetStates } from '../resilience/targets.js';
import type { Transport } from '../transport/client.js';
import { Cancellation } from './cancel.js';

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
      await res.body.dump();
      const ok = res.status < 400;
      if (ok) st.breaker.probeSucceeded(this.now());
      this.log('health_probe', { target: st.key, status: res.status, ok });
    } catch (err) {
      this.log('health_probe', { target: st.key, ok: false, error: err instanceof Error ? err.message : String(err) });
    } finally {
      clearTimeout(timer);
    }
  }
}
