/**
 * Many slow streams through one Switchyard (issue 9): STREAMS (default 8000) concurrent chat streams
 * of STREAM_SECONDS (default 60) each, to one provider, through one gateway process started with the
 * default config (only the provider and one model are configured; no max_connections override).
 *
 *   npm run bench:streams
 *   STREAMS=500 STREAM_SECONDS=10 SETTLE_SECONDS=10 npm run bench:streams      # quick: under a minute
 *
 * Three processes besides this one, each with its open-file limit raised to the hard limit: the slow
 * upstream (bench/slow-upstream.ts), Switchyard (dist/cli/main.js serve), and the client
 * (bench/many-streams-client.ts), which ramps the streams up over RAMP_SECONDS and reads each to its
 * end. Every proxied stream holds 2 sockets in the gateway, 1 in the client, 1 in the upstream.
 * This process samples the gateway every second (VmRSS and open files from /proc, /healthz latency)
 * and the upstream's open streams, and reads the gateway's event-loop delay from its stdout: with
 * SWITCHYARD_BENCH_ELD=1 the gateway prints `eld p99_ms=<n> max_ms=<n>` every 5 s (when it supports
 * it; otherwise the figure is "not reported").
 *
 * Targets (issue 9): every stream completes with [DONE], no 5xx, peak RSS ≤ 300 MB, event-loop delay
 * p99 ≤ 50 ms, RSS within 20 MB of idle SETTLE_SECONDS (default 60) after the last stream ended.
 * Bounded: the client aborts what is still open RAMP + STREAM_SECONDS + 90 s after it starts (the 90 s
 * cover the gateway's default 60 s first-byte timeout), and a hard timeout stops everything and
 * reports what was seen. Raw figures go to bench/results/streams-<timestamp>.json.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { benchConfigYaml } from './lib/bench-config.js';
import { HardTimeout } from './lib/hard-timeout.js';
import { type Child, cpuModel, nofileLimits, openFds, Processes, peakRssMb, repoRoot, rssMb, sleep, transpileScript } from './lib/procs.js';
import { msText } from './lib/stats.js';
import { type ClientSnapshot, pctText, type RenderInput, render, type SummaryRow, TARGETS, type Tick } from './lib/streams-report.js';
import { CpuSampler, timedGet, upstreamStats } from './lib/streams-sampling.js';

function envInt(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, got '${raw}'`);
  return n;
}

const STREAMS = envInt('STREAMS', 8000, 1);
/** switchyard (default), or bare: the bare Node hop in its place, as a reference (not the issue's figure). */
const GATEWAY_KIND = process.env.STREAMS_GATEWAY === 'bare' ? 'bare' : 'switchyard';
const STREAM_SECONDS = envInt('STREAM_SECONDS', 60, 1);
const SETTLE_SECONDS = envInt('SETTLE_SECONDS', 60, 0);
/** About 2,000 new connections a second: well inside the loopback listen backlog. */
const RAMP_SECONDS = envInt('RAMP_SECONDS', Math.max(1, Math.ceil(STREAMS / 2000)), 0);
/** Idle RSS is read this long after the gateway printed its banner. */
const IDLE_SETTLE_MS = 3_000;
/** Streams are cut this long after the client starts: the run, plus the gateway's default 60 s first-byte timeout, plus margin. */
const STREAM_PHASE_MS = (RAMP_SECONDS + STREAM_SECONDS + 90) * 1000;
const STARTUP_MS = 30_000;
const HARD_TIMEOUT_MS = STARTUP_MS + STREAM_PHASE_MS + SETTLE_SECONDS * 1000 + 30_000;
/** Sockets and files a gateway holds besides the proxied streams (listeners, stdio, epoll, pools). */
const GATEWAY_FD_BASE = 60;

async function main(): Promise<void> {
  const run = new StreamsRun();
  const cli = join(repoRoot, 'dist/cli/main.js');
  if (!existsSync(cli)) throw new Error('dist/cli/main.js is missing: run npm run build (npm run bench:streams builds first)');
  const hard = new HardTimeout(HARD_TIMEOUT_MS);
  const self = nofileLimits('self');
  const params = paramsText(self.hard);
  console.log(`many streams: ${params}`);
  warnIfTooFewFiles(self.hard);

  await run.measure(cli, hard);
  const report = render(run.seen, { streams: STREAMS, streamSeconds: STREAM_SECONDS, settleSeconds: SETTLE_SECONDS });
  console.log(`\nmany streams: ${params}`);
  console.log(report.text);
  const file = writeResults(run, report.summary);
  console.log(`\nraw figures: ${file.slice(repoRoot.length)}`);
  if (run.seen.failure) process.exitCode = 1;
}

function paramsText(hardNofile: number): string {
  return (
    `${GATEWAY_KIND === 'bare' ? 'STREAMS_GATEWAY=bare (the bare Node hop in place of Switchyard, a reference) ' : ''}` +
    `STREAMS=${STREAMS} STREAM_SECONDS=${STREAM_SECONDS} SETTLE_SECONDS=${SETTLE_SECONDS} RAMP_SECONDS=${RAMP_SECONDS} | ` +
    `streams cut after ${STREAM_PHASE_MS / 1000} s, hard timeout ${HARD_TIMEOUT_MS / 1000} s | ` +
    `Node ${process.version} | CPU ${cpuModel()} | ${availableParallelism()} cores | open files (hard limit) ${hardNofile}`
  );
}

function warnIfTooFewFiles(hardNofile: number): void {
  const needGateway = 2 * STREAMS + GATEWAY_FD_BASE;
  if (needGateway <= hardNofile) return;
  console.log(
    `WARNING: the gateway needs about ${needGateway} open files (2 per stream + ${GATEWAY_FD_BASE}) but the hard limit is ${hardNofile}: ` +
      `at most about ${Math.floor((hardNofile - GATEWAY_FD_BASE) / 2)} streams can be proxied by one process here`,
  );
}

/** A started gateway (Switchyard or the bare hop) and its base URL. */
interface Gateway {
  child: Child;
  url: string;
}

/** One run: the processes, what was seen of them (the report's input), one method per step. */
class StreamsRun {
  readonly procs = new Processes();
  readonly startedAt = new Date();
  private readonly t0 = performance.now();
  readonly seen: RenderInput = {
    ticks: [],
    eld: [],
    client: undefined,
    clientResult: false,
    upstream: undefined,
    idleRss: Number.NaN,
    warmRss: Number.NaN,
    settledRss: Number.NaN,
    peakRss: Number.NaN,
    streamsEndedAt: undefined,
    clientStartedAt: undefined,
    hardTimedOut: false,
    failure: undefined,
    limits: {},
  };
  /** The gateway's own account of its memory (`mem …` lines), the latest one. */
  private memLine = '';
  private sampling = true;
  private clientPid: number | undefined;
  private upstreamUrl = '';
  private readonly probe = new Agent({ connections: 2, headersTimeout: 5_000, bodyTimeout: 5_000 });

  /** Seconds since the run started. */
  elapsed(): number {
    return (performance.now() - this.t0) / 1000;
  }

  /**
   * Upstream and gateway up, idle readings, then the client's streams while sampling every second,
   * the settle time and the final readings. Any error ends the run as a failure in the report;
   * every child and the temp dir are gone when this returns.
   */
  async measure(cli: string, hard: HardTimeout): Promise<void> {
    const dir = this.procs.tempDir('bench-streams');
    try {
      const upstreamJs = transpileScript('bench/slow-upstream.ts', dir);
      const clientJs = transpileScript('bench/many-streams-client.ts', dir);
      const upstream = await this.startUpstream(upstreamJs);
      const gateway = await this.startGateway(cli, dir);
      await this.idleReadings(gateway, upstream);
      const sampler = this.sample(gateway, upstream);
      await this.runClient(clientJs, gateway.url, hard);
      await this.settle(hard);
      this.sampling = false;
      await hard.bounded(sampler);
      await this.finalReadings(gateway);
    } catch (err) {
      this.seen.failure = err instanceof Error ? err.message : String(err);
    } finally {
      // Also after an error: the sampler loops while this is set, and would keep the process alive.
      this.sampling = false;
      hard.clear();
      await this.probe.close().catch(() => undefined);
      await this.procs.cleanup();
    }
    this.seen.hardTimedOut = hard.timedOut;
  }

  private async startUpstream(upstreamJs: string): Promise<Child> {
    const upstream = await this.procs.start({
      name: 'slow upstream',
      cmd: process.execPath,
      args: [upstreamJs, '0'],
      env: { STREAM_SECONDS: String(STREAM_SECONDS) },
      raiseNofile: true,
      ready: /^(\d+)\n/m,
      parentWatch: true,
    });
    this.upstreamUrl = `http://127.0.0.1:${upstream.ready}`;
    return upstream;
  }

  /** Switchyard with the default config (one provider, one model), or the bare hop; both report their event-loop delay. */
  private async startGateway(cli: string, dir: string): Promise<Gateway> {
    const configPath = join(dir, 'switchyard.yaml');
    writeFileSync(configPath, benchConfigYaml(this.upstreamUrl, 'bench/many-streams.ts'));
    const child =
      GATEWAY_KIND === 'switchyard'
        ? await this.procs.start({
            name: 'switchyard',
            cmd: process.execPath,
            args: [cli, 'serve', '--config', configPath, '--port', '0'],
            env: { SWITCHYARD_BENCH_KEY: 'bench-key', SWITCHYARD_BENCH_ELD: '1' },
            raiseNofile: true,
            ready: /listening on (http:\/\/[\d.:]+)/,
          })
        : await this.procs.start({
            name: 'bare hop',
            cmd: process.execPath,
            args: [transpileScript('bench/bare-proxy.ts', dir), '0', this.upstreamUrl],
            env: { SWITCHYARD_BENCH_ELD: '1', BARE_CONNECTIONS: String(STREAMS + 16) },
            raiseNofile: true,
            ready: /^(\d+)\n/m,
            parentWatch: true,
          });
    child.onLine((line) => this.onGatewayLine(line));
    return { child, url: GATEWAY_KIND === 'switchyard' ? child.ready : `http://127.0.0.1:${child.ready}` };
  }

  private onGatewayLine(line: string): void {
    const m = /^eld p99_ms=([\d.]+) max_ms=([\d.]+)/.exec(line.trim());
    if (m) this.seen.eld.push({ t: this.elapsed(), p99Ms: Number(m[1]), maxMs: Number(m[2]) });
    if (line.startsWith('mem ')) this.memLine = line.trim().slice(4);
  }

  /** Idle RSS and the open-file limits; then one non-stream request (the path works) and the RSS after it. */
  private async idleReadings(gateway: Gateway, upstream: Child): Promise<void> {
    await sleep(IDLE_SETTLE_MS);
    this.seen.idleRss = rssMb(gateway.child.pid);
    this.seen.limits = { gateway: nofileLimits(gateway.child.pid), upstream: nofileLimits(upstream.pid) };
    // The slow upstream answers non-stream requests at once.
    const sanity = await request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'hi' }] }),
      signal: AbortSignal.timeout(10_000),
    });
    const sanityText = await sanity.body.text();
    if (sanity.statusCode !== 200) throw new Error(`the gateway did not answer a plain completion: ${sanity.statusCode} ${sanityText.slice(0, 300)}`);
    await sleep(500);
    this.seen.warmRss = rssMb(gateway.child.pid);
    process.stderr.write(
      `gateway idle RSS ${this.seen.idleRss.toFixed(1)} MB (after one request ${this.seen.warmRss.toFixed(1)} MB); starting ${STREAMS} streams\n`,
    );
  }

  /** Every second until sampling stops: CPU, RSS and open files, the client's progress, and the probes. */
  private async sample(gateway: Gateway, upstream: Child): Promise<void> {
    const cpu = new CpuSampler(() => [gateway.child.pid, this.clientPid, upstream.pid]);
    while (this.sampling) {
      const tickStart = performance.now();
      const tick = this.readTick(cpu, gateway.child.pid);
      this.seen.ticks.push(tick);
      this.probeInto(tick, gateway.url);
      if (this.seen.ticks.length % 5 === 0) this.logProgress(tick);
      await sleep(Math.max(0, 1000 - (performance.now() - tickStart)));
    }
  }

  private readTick(cpu: CpuSampler, gatewayPid: number): Tick {
    const usage = cpu.next();
    const tick: Tick = {
      t: this.elapsed(),
      rssMb: Number.NaN,
      fds: Number.NaN,
      healthzMs: null,
      upstreamOpen: null,
      clientOpen: null,
      clientEnded: null,
      ...usage,
    };
    try {
      tick.rssMb = rssMb(gatewayPid);
      tick.fds = openFds(gatewayPid);
    } catch {
      // the gateway is gone; the report says so
    }
    tick.clientOpen = this.seen.client?.open ?? null;
    tick.clientEnded = this.seen.client?.ended ?? null;
    return tick;
  }

  /** The probes fill in their tick when they answer (up to 5 s), so a slow gateway does not slow the sampling. */
  private probeInto(tick: Tick, gatewayUrl: string): void {
    void Promise.all([timedGet(this.probe, `${gatewayUrl}/healthz`), upstreamStats(this.probe, this.upstreamUrl)]).then(([hz, up]) => {
      tick.healthzMs = hz;
      tick.upstreamOpen = up?.open ?? null;
      if (up) this.seen.upstream = up;
    });
  }

  private logProgress(tick: Tick): void {
    const { ticks, eld } = this.seen;
    // The previous tick's probes have usually answered by now.
    const last = ticks[ticks.length - 2] ?? tick;
    process.stderr.write(
      `t=${tick.t.toFixed(0)}s gateway RSS ${tick.rssMb.toFixed(0)} MB, ${tick.fds} fds, CPU ${pctText(tick.gatewayCpu)}; machine busy ${pctText(tick.machineBusy)}; client open ${tick.clientOpen ?? '—'}, ended ${tick.clientEnded ?? '—'}` +
        `; upstream open ${last.upstreamOpen ?? '—'}; /healthz ${last.healthzMs === null ? 'no answer (yet)' : `${msText(last.healthzMs)} ms`}` +
        `${eld.length ? `; eld p99 ${eld[eld.length - 1]!.p99Ms} ms` : ''}${this.memLine ? `; ${this.memLine}` : ''}\n`,
    );
  }

  /** Starts the client, follows its progress lines, and waits until its streams have ended (bounded). */
  private async runClient(clientJs: string, gatewayUrl: string, hard: HardTimeout): Promise<void> {
    this.seen.clientStartedAt = this.elapsed();
    const client: Child = await this.procs.start({
      name: 'client',
      cmd: process.execPath,
      args: [clientJs],
      env: { GATEWAY_URL: gatewayUrl, STREAMS: String(STREAMS), RAMP_SECONDS: String(RAMP_SECONDS), DEADLINE_MS: String(STREAM_PHASE_MS), MODEL: 'bench' },
      raiseNofile: true,
      parentWatch: true,
    });
    this.seen.limits.client = nofileLimits(client.pid);
    this.clientPid = client.pid;
    client.onLine((line) => this.onClientLine(line));
    await waitForClient(client, hard);
    const endedAt = this.elapsed();
    const startedAt = this.seen.clientStartedAt;
    const snapshot = this.seen.client;
    this.seen.streamsEndedAt = snapshot ? Math.min(endedAt, startedAt + snapshot.lastEndMs / 1000) : endedAt;
  }

  private onClientLine(line: string): void {
    if (line === 'start') this.seen.clientStartedAt = this.elapsed();
    const m = /^(progress|result) (\{.*\})$/.exec(line);
    if (!m) return;
    try {
      this.seen.client = JSON.parse(m[2]!) as ClientSnapshot;
      if (m[1] === 'result') this.seen.clientResult = true;
    } catch {
      // a torn line; the next one will do
    }
  }

  /** SETTLE_SECONDS after the last stream ended (unless the hard timeout has fired). */
  private async settle(hard: HardTimeout): Promise<void> {
    if (hard.timedOut || SETTLE_SECONDS <= 0 || this.seen.streamsEndedAt === undefined) return;
    process.stderr.write(`streams ended; settling ${SETTLE_SECONDS} s\n`);
    const settleUntil = this.seen.streamsEndedAt + SETTLE_SECONDS;
    await hard.sleep(Math.max(0, (settleUntil - this.elapsed()) * 1000));
  }

  /** Settled and peak RSS, the upstream's final count; a gateway that exited is the run's failure. */
  private async finalReadings(gateway: Gateway): Promise<void> {
    const { proc } = gateway.child;
    const exited = (): string => `the gateway exited (${proc.exitCode ?? proc.signalCode}); last output:\n${gateway.child.output().slice(-2000)}`;
    try {
      this.seen.settledRss = rssMb(gateway.child.pid);
      this.seen.peakRss = peakRssMb(gateway.child.pid);
    } catch {
      this.seen.failure = exited();
    }
    this.seen.upstream = (await upstreamStats(this.probe, this.upstreamUrl)) ?? this.seen.upstream;
    if (proc.exitCode !== null || proc.signalCode !== null) this.seen.failure ??= exited();
  }
}

/** The client stops by itself (DEADLINE_MS); 15 s more (or the hard timeout), then it is told to report and stop. */
async function waitForClient(client: Child, hard: HardTimeout): Promise<void> {
  let lateTimer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => {
    lateTimer = setTimeout(() => resolve('late'), STREAM_PHASE_MS + 15_000);
  });
  const done = await hard.bounded(Promise.race([client.exited, late]));
  clearTimeout(lateTimer);
  if (done === 'late' || done === undefined) {
    client.proc.kill('SIGTERM');
    await Promise.race([client.exited, hard.sleep(5_000)]);
  }
}

/** Raw figures to bench/results/streams-<timestamp>.json; returns the file's path. */
function writeResults(run: StreamsRun, summary: SummaryRow[]): string {
  const r = run.seen;
  const resultsDir = join(repoRoot, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `streams-${run.startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  const raw = {
    bench: 'many-streams',
    startedAt: run.startedAt.toISOString(),
    node: process.version,
    cpu: cpuModel(),
    cores: availableParallelism(),
    gateway: GATEWAY_KIND,
    params: { STREAMS, STREAM_SECONDS, SETTLE_SECONDS, RAMP_SECONDS, streamPhaseMs: STREAM_PHASE_MS, hardTimeoutMs: HARD_TIMEOUT_MS },
    limits: r.limits,
    targets: TARGETS,
    summary,
    client: r.client,
    clientResult: r.clientResult,
    upstream: r.upstream,
    memory: { idleRssMb: r.idleRss, rssAfterOneRequestMb: r.warmRss, peakRssMb: r.peakRss, settledRssMb: r.settledRss },
    eld: r.eld,
    ticks: r.ticks,
    streamsEndedAtS: r.streamsEndedAt,
    clientStartedAtS: r.clientStartedAt,
    hardTimedOut: r.hardTimedOut,
    failure: r.failure,
  };
  writeFileSync(file, `${JSON.stringify(raw, null, 2)}\n`);
  return file;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
