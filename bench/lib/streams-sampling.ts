/**
 * What bench/many-streams.ts samples besides /proc memory: CPU of its three processes and of the
 * machine between ticks, the gateway's /healthz latency, and the slow upstream's own stream counts.
 */
import { type Agent, request } from 'undici';
import { clockTicks, cpuStat, cpuTicks } from './procs.js';
import type { Tick, UpstreamStats } from './streams-report.js';

export type CpuUsage = Pick<Tick, 'gatewayCpu' | 'clientCpu' | 'upstreamCpu' | 'machineBusy'>;

interface CpuReading {
  at: number;
  g: number;
  c: number;
  u: number;
  m: { busy: number; total: number };
}

/** CPU of the gateway, client and upstream (% of one core) and of the machine (% of all cores) between calls to next(). */
export class CpuSampler {
  private readonly tickMs = 1000 / clockTicks();
  private prev: CpuReading;

  constructor(private readonly pids: () => [gateway: number, client: number | undefined, upstream: number]) {
    this.prev = this.read();
  }

  next(): CpuUsage {
    const prev = this.prev;
    const cur = this.read();
    const pct = (a: number, b: number): number => (((b - a) * this.tickMs) / (cur.at - prev.at)) * 100;
    // A process that exited keeps its last reading, so the next delta is not NaN for good.
    this.prev = {
      at: cur.at,
      g: Number.isNaN(cur.g) ? prev.g : cur.g,
      c: Number.isNaN(cur.c) ? prev.c : cur.c,
      u: Number.isNaN(cur.u) ? prev.u : cur.u,
      m: cur.m,
    };
    return {
      gatewayCpu: pct(prev.g, cur.g),
      clientCpu: pct(prev.c, cur.c),
      upstreamCpu: pct(prev.u, cur.u),
      machineBusy: ((cur.m.busy - prev.m.busy) / (cur.m.total - prev.m.total)) * 100,
    };
  }

  private read(): CpuReading {
    const [g, c, u] = this.pids();
    return { at: performance.now(), g: ticksOf(g), c: ticksOf(c), u: ticksOf(u), m: cpuStat() };
  }
}

function ticksOf(pid: number | undefined): number {
  try {
    return pid === undefined ? Number.NaN : cpuTicks(pid);
  } catch {
    return Number.NaN;
  }
}

/** Milliseconds for a GET answered 200, or null. */
export async function timedGet(agent: Agent, url: string): Promise<number | null> {
  const t = performance.now();
  try {
    const res = await request(url, { dispatcher: agent, signal: AbortSignal.timeout(5_000) });
    await res.body.dump();
    return res.statusCode === 200 ? performance.now() - t : null;
  } catch {
    return null;
  }
}

export async function upstreamStats(agent: Agent, base: string): Promise<UpstreamStats | undefined> {
  try {
    const res = await request(`${base}/_stats`, { dispatcher: agent, signal: AbortSignal.timeout(5_000) });
    return (await res.body.json()) as UpstreamStats;
  } catch {
    return undefined;
  }
}
