/**
 * Proxy overhead (issue 9, "Hot path: speed and memory budget"): the same wrk load, in one run, to
 * the mock upstream directly, through a plain nginx reverse proxy, through a bare Node hop (node:http
 * + undici, no logic) and through Switchyard (the built CLI, `switchyard serve`).
 *
 *   npm run bench                                    # builds, then 2 rounds of 10 s per target and case
 *   BENCH_SECONDS=5 BENCH_ROUNDS=3 BENCH_RSS_SECONDS=30 npm run bench
 *
 * For each case (non-stream and stream, 50 and 1 connections) and target: rps, p50 and p99 (wrk
 * --latency), errors, and the proxy's CPU time per request: utime+stime of the proxy process (all its
 * threads; nginx: master + worker) from /proc/<pid>/stat before and after the wrk run, in clock ticks
 * (getconf CLK_TCK), divided by the requests wrk completed. The proxies under test run pinned to
 * CPU 0, wrk, the mock and this script to CPU 1 (taskset), so a proxy's CPU is its own. Targets are
 * interleaved within each round (direct, nginx, bare, switchyard) and BENCH_ROUNDS rounds are run; the
 * tables show medians (both values, as a range, with 2 rounds). Then the summary: Switchyard's CPU
 * per request ÷ the bare hop's, its p99 ÷ p50, its p99 at c=1, idle and peak RSS (a fresh Switchyard:
 * VmRSS before any request, VmHWM after BENCH_RSS_SECONDS of c=50 non-stream), the per-stage costs
 * from bench/stages.ts, each beside its target with PASS or FAIL. Raw figures go to
 * bench/results/overhead-<timestamp>.json. docs/benchmarks.md explains every figure.
 *
 * Needs wrk (Debian: apt-get install wrk); nginx (apt-get install nginx-light) and taskset are used
 * when on PATH. Everything it starts is stopped on exit, on error and on Ctrl-C.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { request } from 'undici';
import { benchConfigYaml } from './lib/bench-config.js';
import {
  CASES,
  type Case,
  caseKey,
  LABEL,
  render,
  type Sample,
  type StageRow,
  type StagesResult,
  type SummaryRow,
  TARGETS,
  type Target,
  type WrkRun,
} from './lib/overhead-report.js';
import {
  type Child,
  childPids,
  clockTicks,
  cpuModel,
  cpuStat,
  cpuTicks,
  freePort,
  onPath,
  Processes,
  peakRssMb,
  repoRoot,
  rssMb,
  sleep,
  transpileScript,
  waitForPort,
} from './lib/procs.js';
import { msText, rpsText } from './lib/stats.js';

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got '${raw}'`);
  return n;
}

const ASKED_SECONDS = envNumber('BENCH_SECONDS', 10);
/** At least 5 s: with 10 ms CPU ticks, shorter runs make CPU per request imprecise. */
const SECONDS = Math.max(5, Math.round(ASKED_SECONDS));
const ROUNDS = Math.max(1, Math.round(envNumber('BENCH_ROUNDS', 2)));
const RSS_SECONDS = Math.max(0, Math.round(envNumber('BENCH_RSS_SECONDS', 60)));
/** Idle RSS is read this long after Switchyard printed its banner. */
const SETTLE_MS = 2_000;
const WARM_SECONDS = 2;
const PROXY_CPU = 0;
const LOAD_CPU = 1;
const TICK = clockTicks();

function toMs(v: string | undefined): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec((v ?? '').trim());
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n;
}

export function parseWrk(out: string): WrkRun {
  const done = /(\d+) requests in ([\d.]+)(us|ms|s|m)/.exec(out);
  const requests = Number(done?.[1] ?? Number.NaN);
  const seconds = toMs(done ? `${done[2]}${done[3]}` : undefined) / 1000;
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const parts = [non2xx > 0 ? `${non2xx} non-2xx` : '', sock ? `socket: connect ${sock[1]}, read ${sock[2]}, write ${sock[3]}, timeout ${sock[4]}` : '']
    .filter(Boolean)
    .join('; ');
  return {
    requests,
    seconds,
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN),
    p50Ms: toMs(/^\s+50%\s+(\S+)/m.exec(out)?.[1]),
    p99Ms: toMs(/^\s+99%\s+(\S+)/m.exec(out)?.[1]),
    errors: non2xx + (sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0),
    errorDetail: parts,
  };
}

const requestBody = (stream: boolean): string =>
  JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'Say something short.' }], ...(stream ? { stream: true } : {}) });

/** What this run found and how it is pinned. */
interface Setup {
  cli: string;
  hasNginx: boolean;
  cores: number;
  pinned: boolean;
  pinning: string;
  proxyCpu: number | undefined;
  loadCpu: number | undefined;
  header: string;
}

/** What every step that starts processes needs. */
interface Bench {
  procs: Processes;
  /** The temp dir: scripts, configs, nginx's prefix. */
  dir: string;
  /** The CPU wrk runs on (undefined unpinned). */
  loadCpu: number | undefined;
}

/** The started targets, and the Switchyard among them. */
interface Started {
  targets: Target[];
  mockPid: number;
  switchyard: Child;
  /** Switchyard's RSS SETTLE_MS after its start, before any request. */
  idleRssMb: number;
  /** Starts another Switchyard with the same config (for the memory run). */
  startSwitchyard: () => Promise<Child>;
}

/** The memory run's figures: a fresh Switchyard, idle RSS before any request, then peak RSS over a dedicated run. */
interface MemoryRun {
  idleRssMb: number;
  peakRssMb: number | null;
  rssAfterMb: number | null;
  run: WrkRun | null;
}

async function main(): Promise<void> {
  const procs = new Processes();
  const startedAt = new Date();
  const setup = checkSetup(procs);
  printHeader(setup);
  const dir = procs.tempDir('bench-overhead');
  try {
    const bench: Bench = { procs, dir, loadCpu: setup.loadCpu };
    const started = await startTargets(bench, setup);
    await checkAndWarm(bench, started.targets);
    const samples = await runRounds(bench, started);
    const throughputPeakRss = peakRssMb(started.switchyard.pid);
    await procs.stop(started.switchyard);
    const memory = await memoryRun(bench, started);
    await procs.cleanup();

    const stages = await runStages();
    const report = render({
      targets: started.targets,
      samples,
      memory: { ...memory, idleRssThroughputMb: started.idleRssMb, throughputPeakRssMb: throughputPeakRss },
      stages,
      settings: { rounds: ROUNDS, secondsPerRun: SECONDS, rssSeconds: RSS_SECONDS, settleMs: SETTLE_MS, proxyCpu: PROXY_CPU },
    });
    console.log(`\n${setup.header}\n`);
    console.log(report.text);
    const results = { samples, summary: report.summary, memory, idleRssThroughput: started.idleRssMb, throughputPeakRss, stages };
    const file = writeResults(startedAt, setup, results);
    console.log(`\nraw figures: ${file.slice(repoRoot.length)}`);
  } finally {
    await procs.cleanup();
  }
}

/** wrk and the build are there; nginx maybe; pins this script to the load CPU when it can. */
function checkSetup(procs: Processes): Setup {
  if (!onPath('wrk')) throw new Error('wrk is not on PATH (Debian: apt-get install -y wrk)');
  const cli = join(repoRoot, 'dist/cli/main.js');
  if (!existsSync(cli)) throw new Error('dist/cli/main.js is missing: run npm run build (npm run bench builds first)');
  const hasNginx = onPath('nginx');
  const cores = availableParallelism();
  const pinned = procs.taskset && cores >= 2;
  if (pinned) execFileSync('taskset', ['-pc', String(LOAD_CPU), String(process.pid)], { stdio: 'ignore' });
  const pinning = pinned
    ? `proxies under test on CPU ${PROXY_CPU}; wrk, mock upstream and this script on CPU ${LOAD_CPU} (taskset)`
    : procs.taskset
      ? 'NOT pinned: fewer than 2 CPUs'
      : 'NOT pinned: taskset is not on PATH (util-linux), so proxies, wrk and mock share all CPUs';
  const header =
    `Node ${process.version} | CPU ${cpuModel()} | ${cores} cores | pinning: ${pinning} | ` +
    `${SECONDS} s per run, ${ROUNDS} round${ROUNDS === 1 ? '' : 's'} | CPU clock tick ${(1000 / TICK).toFixed(0)} ms`;
  const proxyCpu = pinned ? PROXY_CPU : undefined;
  const loadCpu = pinned ? LOAD_CPU : undefined;
  return { cli, hasNginx, cores, pinned, pinning, proxyCpu, loadCpu, header };
}

/** The header, what was changed or skipped, and (on stderr) how long the run will take. */
function printHeader(setup: Setup): void {
  console.log(setup.header);
  if (ASKED_SECONDS < 5) console.log(`BENCH_SECONDS=${ASKED_SECONDS} raised to 5: shorter runs leave too few 10 ms CPU ticks for a per-request figure`);
  if (!setup.hasNginx) console.log('nginx is not on PATH: the nginx rows are skipped (Debian: apt-get install -y nginx-light)');
  const targets = setup.hasNginx ? 4 : 3;
  const runs = ROUNDS * CASES.length * targets;
  const eta = Math.ceil((runs * (SECONDS + 0.5) + targets * 2 * WARM_SECONDS + (RSS_SECONDS > 0 ? RSS_SECONDS + 5 : 0) + 10) / 60);
  process.stderr.write(`${runs} measured runs of ${SECONDS} s + ${RSS_SECONDS} s memory run: about ${eta} min\n`);
}

/** The mock upstream, then the proxies in front of it: nginx (when on PATH), the bare hop, Switchyard. */
async function startTargets(bench: Bench, setup: Setup): Promise<Started> {
  // The mock and the bare hop run as plain JavaScript, like Switchyard's dist/.
  const mockJs = transpileScript('bench/mock-upstream.ts', bench.dir);
  const bareJs = transpileScript('bench/bare-proxy.ts', bench.dir);
  const mock = await bench.procs.start({
    name: 'mock upstream',
    cmd: process.execPath,
    args: [mockJs, '0'],
    cpu: bench.loadCpu,
    ready: /^(\d+)\n/m,
    parentWatch: true,
  });
  const mockUrl = `http://127.0.0.1:${mock.ready}`;
  const targets: Target[] = [{ name: 'direct', url: `${mockUrl}/v1/chat/completions`, pids: [] }];
  if (setup.hasNginx) targets.push(await startNginx(bench, mock.ready, setup.proxyCpu));
  const bare = await bench.procs.start({
    name: 'bare hop',
    cmd: process.execPath,
    args: [bareJs, '0', mockUrl],
    cpu: setup.proxyCpu,
    ready: /^(\d+)\n/m,
    parentWatch: true,
  });
  targets.push({ name: 'bare', url: `http://127.0.0.1:${bare.ready}/v1/chat/completions`, pids: [bare.pid] });
  const startSwitchyard = switchyardStarter(bench, setup, mockUrl);
  const switchyard = await startSwitchyard();
  await sleep(SETTLE_MS);
  const idleRssMb = rssMb(switchyard.pid);
  targets.push({ name: 'switchyard', url: `${switchyard.ready}/v1/chat/completions`, pids: [switchyard.pid] });
  return { targets, mockPid: mock.pid, switchyard, idleRssMb, startSwitchyard };
}

/** nginx from bench/nginx.conf in front of the mock; its CPU is the master's and the worker's. */
async function startNginx(bench: Bench, upstreamPort: string, cpu: number | undefined): Promise<Target> {
  const prefix = join(bench.dir, 'nginx');
  mkdirSync(prefix, { mode: 0o755 });
  const port = await freePort();
  const conf = readFileSync(join(repoRoot, 'bench/nginx.conf'), 'utf8')
    .replaceAll('{{PREFIX}}', prefix)
    .replaceAll('{{PORT}}', String(port))
    .replaceAll('{{UPSTREAM_PORT}}', upstreamPort);
  writeFileSync(join(prefix, 'nginx.conf'), conf);
  const nginx = await bench.procs.start({ name: 'nginx', cmd: 'nginx', args: ['-p', `${prefix}/`, '-c', join(prefix, 'nginx.conf')], cpu });
  await waitForPort(port, 10_000, () => nginx.proc.exitCode === null);
  // The worker is a child of the master; CPU is summed over both (the master only idles).
  let workers: number[] = [];
  for (let i = 0; i < 50 && workers.length === 0; i++) {
    workers = childPids(nginx.pid);
    if (workers.length === 0) await sleep(100);
  }
  if (workers.length === 0) throw new Error(`nginx started no worker; output:\n${nginx.output()}`);
  return { name: 'nginx', url: `http://127.0.0.1:${port}/v1/chat/completions`, pids: [nginx.pid, ...workers] };
}

/** Writes Switchyard's config (one provider, the mock; one model) and returns what starts it, pinned to the proxy CPU. */
function switchyardStarter(bench: Bench, setup: Setup, mockUrl: string): () => Promise<Child> {
  const configPath = join(bench.dir, 'switchyard.yaml');
  writeFileSync(configPath, benchConfigYaml(mockUrl, 'bench/proxy-overhead.ts'));
  return () =>
    bench.procs.start({
      name: 'switchyard',
      cmd: process.execPath,
      args: [setup.cli, 'serve', '--config', configPath, '--port', '0'],
      env: { SWITCHYARD_BENCH_KEY: 'bench-key' },
      cpu: setup.proxyCpu,
      ready: /listening on (http:\/\/[\d.:]+)/,
    });
}

/** Every target answers both modes correctly; then each is warmed up in both. */
async function checkAndWarm(bench: Bench, targets: readonly Target[]): Promise<void> {
  for (const t of targets) await sanityCheck(t);
  process.stderr.write(`sanity: every target answered a completion and a stream ending in [DONE]\nwarming up (${WARM_SECONDS} s per target and mode)\n`);
  for (const t of targets) for (const stream of [false, true]) await wrk(bench.procs, t.url, 10, stream, WARM_SECONDS, bench.dir, bench.loadCpu);
}

/** ROUNDS rounds; in each, every case, and in each case every target in turn (interleaved). */
async function runRounds(bench: Bench, started: Started): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const c of CASES) {
      for (const t of started.targets) {
        const s = await measure(bench.procs, t, c, round, bench.dir, bench.loadCpu, started.mockPid);
        samples.push(s);
        process.stderr.write(progressLine(round, c, t, s));
      }
    }
  }
  return samples;
}

function progressLine(round: number, c: Case, t: Target, s: Sample): string {
  return (
    `[round ${round}/${ROUNDS}] ${caseKey(c).padEnd(14)} ${LABEL[t.name].padEnd(14)} ${rpsText([s.rps]).padStart(6)} rps  p50 ${msText(s.p50Ms)} ms  p99 ${msText(s.p99Ms)} ms` +
    `${s.cpuUsPerRequest !== null ? `  CPU ${s.cpuUsPerRequest.toFixed(1)} µs/req` : ''}${s.errors ? `  errors ${s.errors}` : ''}\n`
  );
}

/**
 * Memory: a fresh Switchyard, idle RSS before any request, then peak RSS over a dedicated run of
 * RSS_SECONDS (with BENCH_RSS_SECONDS=0, only the first Switchyard's idle RSS).
 */
async function memoryRun(bench: Bench, started: Started): Promise<MemoryRun> {
  if (RSS_SECONDS <= 0) return { idleRssMb: started.idleRssMb, peakRssMb: null, rssAfterMb: null, run: null };
  process.stderr.write(`memory: fresh switchyard, ${RSS_SECONDS} s at c=50 non-stream\n`);
  const fresh = await started.startSwitchyard();
  await sleep(SETTLE_MS);
  const idle = rssMb(fresh.pid);
  const run = await wrk(bench.procs, `${fresh.ready}/v1/chat/completions`, 50, false, RSS_SECONDS, bench.dir, bench.loadCpu);
  const memory = { idleRssMb: idle, peakRssMb: peakRssMb(fresh.pid), rssAfterMb: rssMb(fresh.pid), run };
  await bench.procs.stop(fresh);
  return memory;
}

/** Raw figures to bench/results/overhead-<timestamp>.json; returns the file's path. */
function writeResults(
  startedAt: Date,
  setup: Setup,
  r: { samples: Sample[]; summary: SummaryRow[]; memory: MemoryRun; idleRssThroughput: number; throughputPeakRss: number; stages: StagesResult },
): string {
  const resultsDir = join(repoRoot, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `overhead-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  const raw = {
    bench: 'proxy-overhead',
    startedAt: startedAt.toISOString(),
    node: process.version,
    cpu: cpuModel(),
    cores: setup.cores,
    pinning: setup.pinning,
    pinned: setup.pinned,
    clockTicksPerSecond: TICK,
    secondsPerRun: SECONDS,
    rounds: ROUNDS,
    rssSeconds: RSS_SECONDS,
    targets: TARGETS,
    samples: r.samples,
    summary: r.summary,
    memory: { ...r.memory, idleRssThroughputProcessMb: r.idleRssThroughput, throughputProcessPeakRssMb: r.throughputPeakRss },
    stages: r.stages,
  };
  writeFileSync(file, `${JSON.stringify(raw, null, 2)}\n`);
  return file;
}

/** One request of each mode through the target; throws unless both are right. */
async function sanityCheck(t: Target): Promise<void> {
  for (const stream of [false, true]) {
    const res = await request(t.url, {
      method: 'POST',
      body: requestBody(stream),
      headers: { 'content-type': 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.body.text();
    const ok = res.statusCode === 200 && text.includes('quick') && (!stream || text.trimEnd().endsWith('data: [DONE]'));
    if (!ok) throw new Error(`${LABEL[t.name]} answered a ${stream ? 'stream' : 'non-stream'} request wrongly: ${res.statusCode} ${text.slice(0, 300)}`);
  }
}

async function wrk(
  procs: Processes,
  url: string,
  connections: number,
  stream: boolean,
  seconds: number,
  dir: string,
  cpu: number | undefined,
): Promise<WrkRun> {
  const script = join(dir, `post-${stream ? 'stream' : 'json'}.lua`);
  if (!existsSync(script)) {
    writeFileSync(script, `wrk.method = "POST"\nwrk.body = '${requestBody(stream)}'\nwrk.headers["Content-Type"] = "application/json"\n`);
  }
  const threads = connections > 1 ? 2 : 1;
  const child = await procs.start({
    name: 'wrk',
    cmd: 'wrk',
    args: ['-t', String(threads), '-c', String(connections), '-d', `${seconds}s`, '--timeout', '5s', '--latency', '-s', script, url],
    ...(cpu !== undefined ? { cpu } : {}),
  });
  // wrk stops by itself after its duration; this bounds it if it does not.
  const guard = setTimeout(() => child.proc.kill('SIGKILL'), (seconds + 30) * 1000);
  const code = await child.exited;
  clearTimeout(guard);
  const out = child.output();
  const run = parseWrk(out);
  if (code !== '0' || Number.isNaN(run.requests)) throw new Error(`wrk failed (${code}) against ${url}:\n${out}`);
  return run;
}

function sumTicks(pids: number[]): number {
  return pids.reduce((a, p) => a + cpuTicks(p), 0);
}

async function measure(procs: Processes, t: Target, c: Case, round: number, dir: string, cpu: number | undefined, mockPid: number): Promise<Sample> {
  const cpu0 = sumTicks(t.pids);
  const mock0 = cpuTicks(mockPid);
  const core0 = cpuStat(PROXY_CPU);
  const w0 = performance.now();
  const run = await wrk(procs, t.url, c.connections, c.stream, SECONDS, dir, cpu);
  const wallMs = performance.now() - w0;
  const ticks = sumTicks(t.pids) - cpu0;
  const mockTicks = cpuTicks(mockPid) - mock0;
  const core1 = cpuStat(PROXY_CPU);
  const others = ((core1.busy - core0.busy - ticks) / (core1.total - core0.total)) * 100;
  const tickUs = 1e6 / TICK;
  const direct = t.pids.length === 0;
  return {
    ...run,
    target: t.name,
    case: caseKey(c),
    round,
    wallMs,
    cpuTicks: direct ? null : ticks,
    cpuUsPerRequest: direct ? null : (ticks * tickUs) / run.requests,
    cpuQuantumUs: direct ? null : tickUs / run.requests,
    cpuPercent: direct ? null : ((ticks * tickUs) / 1000 / wallMs) * 100,
    mockCpuUsPerRequest: (mockTicks * tickUs) / run.requests,
    otherLoadPercent: cpu === undefined ? null : Math.max(0, others),
  };
}

/** bench/stages.ts, when present: its measureStages() rows (the pipeline engineer provides it). */
async function runStages(): Promise<StagesResult> {
  const path = join(repoRoot, 'bench/stages.ts');
  if (!existsSync(path)) return { status: 'not built' };
  try {
    const mod = (await import(pathToFileURL(path).href)) as { measureStages?: unknown };
    if (typeof mod.measureStages !== 'function') return { status: 'error', error: 'bench/stages.ts exports no measureStages()' };
    const rows: unknown = await (mod.measureStages as () => Promise<unknown>)();
    if (!Array.isArray(rows)) return { status: 'error', error: 'measureStages() did not return an array' };
    const valid = rows.filter((r): r is StageRow => typeof r === 'object' && r !== null && typeof r.name === 'string' && typeof r.nsPerRequest === 'number');
    if (valid.length !== rows.length) return { status: 'error', error: 'measureStages() returned rows without name and nsPerRequest' };
    return { status: 'ok', rows: valid };
  } catch (err) {
    return { status: 'error', error: err instanceof Error ? err.message : String(err) };
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
