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
import { median, msText, passFail, rpsText, spread } from './lib/stats.js';
import { table } from './lib/table.js';

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

const TARGETS = {
  cpuNonStream: 1.25,
  cpuStream: 1.4,
  p99OverP50: 2.5,
  p99AtC1Ms: 1.5,
  idleRssMb: 55,
  peakRssMb: 100,
  stageUs: 3,
} as const;

type TargetName = 'direct' | 'nginx' | 'bare' | 'switchyard';
const LABEL: Record<TargetName, string> = { direct: 'direct (mock)', nginx: 'nginx', bare: 'bare node hop', switchyard: 'switchyard' };

interface Target {
  name: TargetName;
  url: string;
  /** The processes whose CPU is the proxy's (none for direct). */
  pids: number[];
}

interface Case {
  stream: boolean;
  connections: number;
}
const CASES: Case[] = [
  { stream: false, connections: 50 },
  { stream: false, connections: 1 },
  { stream: true, connections: 50 },
  { stream: true, connections: 1 },
];
const caseKey = (c: Case): string => `${c.stream ? 'stream' : 'non-stream'} c=${c.connections}`;

interface WrkRun {
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  errorDetail: string;
}

interface Sample extends WrkRun {
  target: TargetName;
  case: string;
  round: number;
  wallMs: number;
  /** Proxy CPU over the run, clock ticks (null for direct). */
  cpuTicks: number | null;
  cpuUsPerRequest: number | null;
  /** ± the tick quantum spread over the requests, µs. */
  cpuQuantumUs: number | null;
  /** Share of one core the proxy used during the run, %. */
  cpuPercent: number | null;
  mockCpuUsPerRequest: number;
  /** Share of CPU 0 (the proxies' CPU) used by anything but the proxy under test during the run, % (null unpinned). */
  otherLoadPercent: number | null;
}

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

async function main(): Promise<void> {
  const procs = new Processes();
  const startedAt = new Date();
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
  const proxyCpu = pinned ? PROXY_CPU : undefined;
  const loadCpu = pinned ? LOAD_CPU : undefined;
  const header =
    `Node ${process.version} | CPU ${cpuModel()} | ${cores} cores | pinning: ${pinning} | ` +
    `${SECONDS} s per run, ${ROUNDS} round${ROUNDS === 1 ? '' : 's'} | CPU clock tick ${(1000 / TICK).toFixed(0)} ms`;
  console.log(header);
  if (ASKED_SECONDS < 5) console.log(`BENCH_SECONDS=${ASKED_SECONDS} raised to 5: shorter runs leave too few 10 ms CPU ticks for a per-request figure`);
  if (!hasNginx) console.log('nginx is not on PATH: the nginx rows are skipped (Debian: apt-get install -y nginx-light)');
  const runs = ROUNDS * CASES.length * (hasNginx ? 4 : 3);
  const eta = Math.ceil((runs * (SECONDS + 0.5) + (hasNginx ? 4 : 3) * 2 * WARM_SECONDS + (RSS_SECONDS > 0 ? RSS_SECONDS + 5 : 0) + 10) / 60);
  process.stderr.write(`${runs} measured runs of ${SECONDS} s + ${RSS_SECONDS} s memory run: about ${eta} min\n`);

  const dir = procs.tempDir('bench-overhead');
  try {
    // The mock and the bare hop run as plain JavaScript, like Switchyard's dist/.
    const mockJs = transpileScript('bench/mock-upstream.ts', dir);
    const bareJs = transpileScript('bench/bare-proxy.ts', dir);

    const mock = await procs.start({ name: 'mock upstream', cmd: process.execPath, args: [mockJs, '0'], cpu: loadCpu, ready: /^(\d+)\n/m, parentWatch: true });
    const mockUrl = `http://127.0.0.1:${mock.ready}`;
    const mockPid = mock.pid;

    const targets: Target[] = [{ name: 'direct', url: `${mockUrl}/v1/chat/completions`, pids: [] }];

    if (hasNginx) {
      const prefix = join(dir, 'nginx');
      mkdirSync(prefix, { mode: 0o755 });
      const port = await freePort();
      const conf = readFileSync(join(repoRoot, 'bench/nginx.conf'), 'utf8')
        .replaceAll('{{PREFIX}}', prefix)
        .replaceAll('{{PORT}}', String(port))
        .replaceAll('{{UPSTREAM_PORT}}', mock.ready);
      writeFileSync(join(prefix, 'nginx.conf'), conf);
      const nginx = await procs.start({ name: 'nginx', cmd: 'nginx', args: ['-p', `${prefix}/`, '-c', join(prefix, 'nginx.conf')], cpu: proxyCpu });
      await waitForPort(port, 10_000, () => nginx.proc.exitCode === null);
      // The worker is a child of the master; CPU is summed over both (the master only idles).
      let workers: number[] = [];
      for (let i = 0; i < 50 && workers.length === 0; i++) {
        workers = childPids(nginx.pid);
        if (workers.length === 0) await sleep(100);
      }
      if (workers.length === 0) throw new Error(`nginx started no worker; output:\n${nginx.output()}`);
      targets.push({ name: 'nginx', url: `http://127.0.0.1:${port}/v1/chat/completions`, pids: [nginx.pid, ...workers] });
    }

    const bare = await procs.start({
      name: 'bare hop',
      cmd: process.execPath,
      args: [bareJs, '0', mockUrl],
      cpu: proxyCpu,
      ready: /^(\d+)\n/m,
      parentWatch: true,
    });
    targets.push({ name: 'bare', url: `http://127.0.0.1:${bare.ready}/v1/chat/completions`, pids: [bare.pid] });

    const configPath = join(dir, 'switchyard.yaml');
    writeFileSync(
      configPath,
      [
        '# Written by bench/proxy-overhead.ts: one provider, the mock; one model.',
        'server:',
        '  port: 0',
        'providers:',
        '  mock:',
        '    format: openai',
        `    base_url: ${mockUrl}/v1`,
        '    api_key: ${SWITCHYARD_BENCH_KEY}',
        'models:',
        '  bench:',
        '    targets: [mock/gpt-bench]',
        '',
      ].join('\n'),
    );
    const startSwitchyard = (): Promise<Child> =>
      procs.start({
        name: 'switchyard',
        cmd: process.execPath,
        args: [cli, 'serve', '--config', configPath, '--port', '0'],
        env: { SWITCHYARD_BENCH_KEY: 'bench-key' },
        cpu: proxyCpu,
        ready: /listening on (http:\/\/[\d.:]+)/,
      });
    const sy = await startSwitchyard();
    await sleep(SETTLE_MS);
    const idleRssThroughput = rssMb(sy.pid);
    targets.push({ name: 'switchyard', url: `${sy.ready}/v1/chat/completions`, pids: [sy.pid] });

    for (const t of targets) await sanityCheck(t);
    process.stderr.write(`sanity: every target answered a completion and a stream ending in [DONE]\nwarming up (${WARM_SECONDS} s per target and mode)\n`);
    for (const t of targets) for (const stream of [false, true]) await wrk(procs, t.url, 10, stream, WARM_SECONDS, dir, loadCpu);

    const samples: Sample[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const c of CASES) {
        for (const t of targets) {
          const s = await measure(procs, t, c, round, dir, loadCpu, mockPid);
          samples.push(s);
          process.stderr.write(
            `[round ${round}/${ROUNDS}] ${caseKey(c).padEnd(14)} ${LABEL[t.name].padEnd(14)} ${rpsText([s.rps]).padStart(6)} rps  p50 ${msText(s.p50Ms)} ms  p99 ${msText(s.p99Ms)} ms` +
              `${s.cpuUsPerRequest !== null ? `  CPU ${s.cpuUsPerRequest.toFixed(1)} µs/req` : ''}${s.errors ? `  errors ${s.errors}` : ''}\n`,
          );
        }
      }
    }
    const throughputPeakRss = peakRssMb(sy.pid);

    // Memory: a fresh Switchyard, idle RSS before any request, then peak RSS over a dedicated run.
    await procs.stop(sy);
    let memory: { idleRssMb: number; peakRssMb: number | null; rssAfterMb: number | null; run: WrkRun | null } = {
      idleRssMb: idleRssThroughput,
      peakRssMb: null,
      rssAfterMb: null,
      run: null,
    };
    if (RSS_SECONDS > 0) {
      process.stderr.write(`memory: fresh switchyard, ${RSS_SECONDS} s at c=50 non-stream\n`);
      const fresh = await startSwitchyard();
      await sleep(SETTLE_MS);
      const idle = rssMb(fresh.pid);
      const run = await wrk(procs, `${fresh.ready}/v1/chat/completions`, 50, false, RSS_SECONDS, dir, loadCpu);
      memory = { idleRssMb: idle, peakRssMb: peakRssMb(fresh.pid), rssAfterMb: rssMb(fresh.pid), run };
      await procs.stop(fresh);
    }
    await procs.cleanup();

    const stages = await runStages();
    const report = render(targets, samples, { ...memory, idleRssThroughputMb: idleRssThroughput, throughputPeakRssMb: throughputPeakRss }, stages);
    console.log(`\n${header}\n`);
    console.log(report.text);

    const resultsDir = join(repoRoot, 'bench/results');
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `overhead-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(
      file,
      `${JSON.stringify(
        {
          bench: 'proxy-overhead',
          startedAt: startedAt.toISOString(),
          node: process.version,
          cpu: cpuModel(),
          cores,
          pinning,
          pinned,
          clockTicksPerSecond: TICK,
          secondsPerRun: SECONDS,
          rounds: ROUNDS,
          rssSeconds: RSS_SECONDS,
          targets: TARGETS,
          samples,
          summary: report.summary,
          memory: { ...memory, idleRssThroughputProcessMb: idleRssThroughput, throughputProcessPeakRssMb: throughputPeakRss },
          stages,
        },
        null,
        2,
      )}\n`,
    );
    console.log(`\nraw figures: ${file.slice(repoRoot.length)}`);
  } finally {
    await procs.cleanup();
  }
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

interface StageRow {
  name: string;
  nsPerRequest: number;
}
type StagesResult = { status: 'not built' } | { status: 'error'; error: string } | { status: 'ok'; rows: StageRow[] };

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

interface SummaryRow {
  figure: string;
  measured: string;
  value: number | null;
  target: string;
  pass: boolean | undefined;
}

interface MemoryFigures {
  idleRssMb: number;
  idleRssThroughputMb: number;
  peakRssMb: number | null;
  rssAfterMb: number | null;
  throughputPeakRssMb: number;
  run: WrkRun | null;
}

function render(targets: Target[], samples: Sample[], memory: MemoryFigures, stages: StagesResult): { text: string; summary: SummaryRow[] } {
  const out: string[] = [];
  const pick = (name: TargetName, key: string): Sample[] => samples.filter((s) => s.target === name && s.case === key);
  /** Per-round ratio of a figure between two targets (paired within a round: measured minutes apart, not rounds apart). */
  const ratios = (a: Sample[], b: Sample[], f: (s: Sample) => number | null): number[] =>
    a.map((s) => {
      const other = b.find((x) => x.round === s.round);
      const x = f(s);
      const y = other ? f(other) : null;
      return x !== null && y !== null && y > 0 ? x / y : Number.NaN;
    });
  const rangeNote = ROUNDS === 2 ? 'both rounds shown as a range' : ROUNDS === 1 ? 'one round' : `median of ${ROUNDS} rounds`;

  for (const c of CASES) {
    const key = caseKey(c);
    const bare = pick('bare', key);
    const rows = targets.map((t) => {
      const s = pick(t.name, key);
      const direct = t.pids.length === 0;
      const cpu = s.map((x) => x.cpuUsPerRequest ?? Number.NaN);
      const quantum = Math.max(...s.map((x) => x.cpuQuantumUs ?? 0));
      const imprecise = c.connections === 1 || s.some((x) => (x.cpuTicks ?? 0) < 100);
      return [
        LABEL[t.name],
        rpsText(s.map((x) => x.rps)),
        spread(
          s.map((x) => x.p50Ms),
          msText,
        ),
        spread(
          s.map((x) => x.p99Ms),
          msText,
        ),
        String(s.reduce((a, x) => a + x.errors, 0)),
        direct ? '—' : `${spread(cpu, (x) => x.toFixed(1))} ±${quantum < 0.1 ? quantum.toFixed(2) : quantum.toFixed(1)}${imprecise ? ' *' : ''}`,
        direct || t.name === 'bare'
          ? '—'
          : spread(
              ratios(s, bare, (x) => x.cpuUsPerRequest),
              (x) => x.toFixed(2),
              '×',
            ),
        direct
          ? '—'
          : spread(
              s.map((x) => x.cpuPercent ?? Number.NaN),
              (x) => x.toFixed(0),
              '%',
            ),
        spread(
          s.map((x) => x.otherLoadPercent ?? Number.NaN),
          (x) => x.toFixed(0),
          '%',
        ),
      ];
    });
    out.push(`${key} (${ROUNDS} × ${SECONDS} s; ${rangeNote})`);
    out.push(
      table(['target', 'rps', 'p50 ms', 'p99 ms', 'errors', 'proxy CPU µs/req', 'CPU ÷ bare', 'proxy CPU % of a core', `others on CPU ${PROXY_CPU}`], rows),
    );
    const errs = samples.filter((s) => s.case === key && s.errors > 0);
    for (const e of errs) out.push(`  errors: ${LABEL[e.target]} round ${e.round}: ${e.errorDetail}`);
    if (c.connections === 1) {
      out.push('  * c=1: fewer CPU ticks per run, and each request pays its own wake-ups: CPU per request is less precise and not comparable to c=50');
    }
    out.push('');
  }
  out.push('± is one CPU clock tick spread over the requests of a run (the quantisation of /proc CPU times). A proxy near 100% of a core is the bottleneck;');
  out.push('below that, rps is bounded by the load side (wrk and the mock share one CPU) or by other work on the proxy CPU, and CPU per request');
  out.push(
    `is the figure to compare. "others on CPU ${PROXY_CPU}": the share of the proxies' CPU used by anything but the proxy under test (/proc/stat): above a few %, the machine was not quiet.`,
  );
  out.push('');

  const summary: SummaryRow[] = [];
  const fmtRatio = (xs: number[]): string => spread(xs, (x) => x.toFixed(2), '×');
  for (const [stream, limit] of [
    [false, TARGETS.cpuNonStream],
    [true, TARGETS.cpuStream],
  ] as const) {
    const key = caseKey({ stream, connections: 50 });
    const r = ratios(pick('switchyard', key), pick('bare', key), (s) => s.cpuUsPerRequest);
    const m = median(r);
    summary.push({ figure: `CPU/request, switchyard ÷ bare hop, ${key}`, measured: fmtRatio(r), value: m, target: `≤ ${limit}×`, pass: m <= limit });
  }
  for (const stream of [false, true]) {
    const key = caseKey({ stream, connections: 50 });
    const s = pick('switchyard', key);
    const r = s.map((x) => x.p99Ms / x.p50Ms);
    const m = median(r);
    summary.push({
      figure: `p99 ÷ p50, switchyard, ${key}`,
      measured: fmtRatio(r),
      value: m,
      target: `≤ ${TARGETS.p99OverP50}×`,
      pass: m <= TARGETS.p99OverP50,
    });
  }
  for (const stream of [false, true]) {
    const key = caseKey({ stream, connections: 1 });
    const p = pick('switchyard', key).map((x) => x.p99Ms);
    const m = median(p);
    summary.push({
      figure: `p99, switchyard, ${key}`,
      measured: spread(p, msText, ' ms'),
      value: m,
      target: `≤ ${TARGETS.p99AtC1Ms} ms`,
      pass: m <= TARGETS.p99AtC1Ms,
    });
  }
  const idle = Math.max(memory.idleRssMb, memory.idleRssThroughputMb);
  summary.push({
    figure: `idle RSS, ${SETTLE_MS / 1000} s after start, before any request`,
    measured: `${idle.toFixed(1)} MB`,
    value: idle,
    target: `≤ ${TARGETS.idleRssMb} MB`,
    pass: idle <= TARGETS.idleRssMb,
  });
  summary.push({
    figure: RSS_SECONDS > 0 ? `peak RSS (VmHWM), fresh process, ${RSS_SECONDS} s c=50 non-stream` : 'peak RSS (BENCH_RSS_SECONDS=0: not measured)',
    measured: memory.peakRssMb === null ? '—' : `${memory.peakRssMb.toFixed(1)} MB`,
    value: memory.peakRssMb,
    target: `≤ ${TARGETS.peakRssMb} MB`,
    pass: memory.peakRssMb === null ? undefined : memory.peakRssMb <= TARGETS.peakRssMb,
  });
  if (stages.status === 'ok') {
    for (const row of stages.rows) {
      const us = row.nsPerRequest / 1000;
      summary.push({
        figure: `stage ${row.name}, idle, CPU/request`,
        measured: `${us.toFixed(2)} µs`,
        value: us,
        target: `≤ ${TARGETS.stageUs} µs`,
        pass: us <= TARGETS.stageUs,
      });
    }
  }

  out.push(
    `Summary (${ROUNDS === 2 ? 'both rounds as a range; PASS/FAIL on their mean' : `median of ${ROUNDS} round${ROUNDS === 1 ? '' : 's'}`}; ratios paired within a round)`,
  );
  out.push(
    table(
      ['figure', 'measured', 'target', ''],
      summary.map((r) => [r.figure, r.measured, r.target, passFail(r.pass)]),
    ),
  );
  if (stages.status === 'not built') out.push('stage costs: not built (bench/stages.ts is absent)');
  else if (stages.status === 'error') out.push(`stage costs: bench/stages.ts failed: ${stages.error}`);
  else if (stages.rows.length === 0) out.push('stage costs: bench/stages.ts measured no stage (it is still the placeholder)');

  // For reference, no targets: where Switchyard and the bare hop stand against nginx.
  const ref: string[][] = [];
  if (targets.some((t) => t.name === 'nginx')) {
    for (const stream of [false, true]) {
      const key = caseKey({ stream, connections: 50 });
      const ng = pick('nginx', key);
      ref.push([
        `CPU/request ÷ nginx, ${key}`,
        `switchyard ${fmtRatio(ratios(pick('switchyard', key), ng, (s) => s.cpuUsPerRequest))}`,
        `bare hop ${fmtRatio(ratios(pick('bare', key), ng, (s) => s.cpuUsPerRequest))}`,
      ]);
    }
  }
  /** Per-round difference of a figure between two targets. */
  const diffs = (a: Sample[], b: Sample[], f: (s: Sample) => number): number[] =>
    a.map((s) => {
      const other = b.find((x) => x.round === s.round);
      return other ? f(s) - f(other) : Number.NaN;
    });
  for (const stream of [false, true]) {
    const key = caseKey({ stream, connections: 1 });
    const direct = pick('direct', key);
    ref.push([
      `p50 added over direct, ${key}`,
      `switchyard +${spread(
        diffs(pick('switchyard', key), direct, (s) => s.p50Ms),
        msText,
        ' ms',
      )}`,
      `bare hop +${spread(
        diffs(pick('bare', key), direct, (s) => s.p50Ms),
        msText,
        ' ms',
      )}`,
    ]);
  }
  ref.push([
    'switchyard RSS',
    `peak over the throughput cases ${memory.throughputPeakRssMb.toFixed(1)} MB`,
    memory.rssAfterMb !== null ? `after the memory run ${memory.rssAfterMb.toFixed(1)} MB` : '',
  ]);
  if (memory.run) ref.push(['memory run', `${rpsText([memory.run.rps])} rps, p99 ${msText(memory.run.p99Ms)} ms`, `errors ${memory.run.errors}`]);
  out.push('');
  out.push('For reference (no targets)');
  out.push(table(['figure', '', ''], ref));
  return { text: out.join('\n'), summary };
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
