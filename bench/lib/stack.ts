/**
 * A real gateway in front of a real sandbox, both on loopback ports in this process: every request
 * crosses two real HTTP hops. Shared by the chaos scoreboard and the retry-storm bench.
 */
import { compile } from '../../src/config/compile.js';
import { createGateway, type Gateway } from '../../src/http/server.js';
import { type SandboxAttempt, type SandboxServer, type ScenarioFile, startSandbox } from '../../src/sandbox/index.js';

export interface LogLine {
  event: string;
  fields: Record<string, unknown>;
}

export interface BenchStack {
  /** Gateway base URL, http://127.0.0.1:PORT */
  url: string;
  gateway: Gateway;
  sandbox: SandboxServer;
  logs: LogLine[];
  close(): Promise<void>;
}

export interface StackConfig {
  server?: Record<string, unknown>;
  resilience?: Record<string, unknown>;
  providers: Record<string, unknown>;
  models: Record<string, unknown>;
}

/** Logs kept in memory are capped: a load run must not grow without bound. */
const MAX_LOGS = 5_000;

export async function startBenchStack(raw: StackConfig, scenarios?: ScenarioFile): Promise<BenchStack> {
  const sandbox = await startSandbox({ host: '127.0.0.1', port: 0, seed: 1, ...(scenarios ? { scenarios } : {}) });
  const config = compile(
    { providers: raw.providers, models: raw.models, ...(raw.server ? { server: raw.server } : {}), ...(raw.resilience ? { resilience: raw.resilience } : {}) },
    { env: {}, source: 'bench', sandboxUrl: sandbox.url },
  );
  const logs: LogLine[] = [];
  const gateway = createGateway(config, (_level, event, fields) => {
    if (logs.length < MAX_LOGS) logs.push({ event, fields });
  });
  const addr = await gateway.listen(0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${addr.port}`,
    gateway,
    sandbox,
    logs,
    async close() {
      await gateway.close(1_000);
      await sandbox.close();
    },
  };
}

/**
 * Follows the sandbox's attempt log by sequence number. The log keeps only the latest 10 000
 * entries, so a load run polls it often enough to see every entry; `missed` counts any that
 * scrolled out between two polls (then the totals are a lower bound and the caller says so).
 */
export class AttemptTail {
  private lastSeq: number;
  missed = 0;
  readonly seen: SandboxAttempt[] = [];
  /** Per model id (tag included), attempts seen. */
  readonly perModel = new Map<string, number>();

  constructor(
    private readonly sandbox: SandboxServer,
    /** Keep full entries only for models this accepts (counts are kept for all). */
    private readonly keep: (a: SandboxAttempt) => boolean = () => true,
  ) {
    this.lastSeq = sandbox.attempts().reduce((m, a) => Math.max(m, a.seq), 0);
  }

  poll(): void {
    const all = this.sandbox.attempts();
    const fresh = all.filter((a) => a.seq > this.lastSeq);
    if (fresh.length === 0) return;
    const first = fresh[0]!.seq;
    if (first > this.lastSeq + 1) this.missed += first - this.lastSeq - 1;
    for (const a of fresh) {
      const model = a.model ?? '(none)';
      this.perModel.set(model, (this.perModel.get(model) ?? 0) + 1);
      if (this.keep(a)) this.seen.push(a);
    }
    this.lastSeq = fresh[fresh.length - 1]!.seq;
  }

  count(pred: (model: string) => boolean): number {
    let n = 0;
    for (const [model, c] of this.perModel) if (pred(model)) n += c;
    return n;
  }
}
