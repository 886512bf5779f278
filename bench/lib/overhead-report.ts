/**
 * The proxy-overhead bench's figures and its report (bench/proxy-overhead.ts): one table per case,
 * the summary against the targets (PASS or FAIL), and the reference figures against nginx and the
 * mock. docs/benchmarks.md explains every figure.
 */
import { median, msText, passFail, rpsText, spread } from './stats.js';
import { table } from './table.js';

/** The targets of issue 9, "Hot path: speed and memory budget". */
export const TARGETS = {
  cpuNonStream: 1.25,
  cpuStream: 1.4,
  p99OverP50: 2.5,
  p99AtC1Ms: 1.5,
  idleRssMb: 55,
  peakRssMb: 100,
  stageUs: 3,
} as const;

export type TargetName = 'direct' | 'nginx' | 'bare' | 'switchyard';
export const LABEL: Record<TargetName, string> = { direct: 'direct (mock)', nginx: 'nginx', bare: 'bare node hop', switchyard: 'switchyard' };

export interface Target {
  name: TargetName;
  url: string;
  /** The processes whose CPU is the proxy's (none for direct). */
  pids: number[];
}

export interface Case {
  stream: boolean;
  connections: number;
}
export const CASES: Case[] = [
  { stream: false, connections: 50 },
  { stream: false, connections: 1 },
  { stream: true, connections: 50 },
  { stream: true, connections: 1 },
];
export const caseKey = (c: Case): string => `${c.stream ? 'stream' : 'non-stream'} c=${c.connections}`;

export interface WrkRun {
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  errorDetail: string;
}

export interface Sample extends WrkRun {
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

export interface StageRow {
  name: string;
  nsPerRequest: number;
}
export type StagesResult = { status: 'not built' } | { status: 'error'; error: string } | { status: 'ok'; rows: StageRow[] };

export interface SummaryRow {
  figure: string;
  measured: string;
  value: number | null;
  target: string;
  pass: boolean | undefined;
}

export interface MemoryFigures {
  idleRssMb: number;
  idleRssThroughputMb: number;
  peakRssMb: number | null;
  rssAfterMb: number | null;
  throughputPeakRssMb: number;
  run: WrkRun | null;
}

/** How the run was made, as the report describes it. */
export interface ReportSettings {
  rounds: number;
  secondsPerRun: number;
  rssSeconds: number;
  settleMs: number;
  proxyCpu: number;
}

export interface ReportInput {
  targets: Target[];
  samples: Sample[];
  memory: MemoryFigures;
  stages: StagesResult;
  settings: ReportSettings;
}

export function render(r: ReportInput): { text: string; summary: SummaryRow[] } {
  const summary = summaryRows(r);
  const out = [
    ...CASES.flatMap((c) => caseSection(r, c)),
    ...footnotes(r.settings.proxyCpu),
    ...summarySection(summary, r.stages, r.settings.rounds),
    ...referenceSection(r),
  ];
  return { text: out.join('\n'), summary };
}

// ---- helpers over the samples -----------------------------------------------------------------

function pick(samples: readonly Sample[], name: TargetName, key: string): Sample[] {
  return samples.filter((s) => s.target === name && s.case === key);
}

/** Per-round ratio of a figure between two targets (paired within a round: measured minutes apart, not rounds apart). */
function ratios(a: readonly Sample[], b: readonly Sample[], f: (s: Sample) => number | null): number[] {
  return a.map((s) => {
    const other = b.find((x) => x.round === s.round);
    const x = f(s);
    const y = other ? f(other) : null;
    return x !== null && y !== null && y > 0 ? x / y : Number.NaN;
  });
}

/** Per-round difference of a figure between two targets. */
function diffs(a: readonly Sample[], b: readonly Sample[], f: (s: Sample) => number): number[] {
  return a.map((s) => {
    const other = b.find((x) => x.round === s.round);
    return other ? f(s) - f(other) : Number.NaN;
  });
}

const fmtRatio = (xs: number[]): string => spread(xs, (x) => x.toFixed(2), '×');

// ---- one table per case -----------------------------------------------------------------------

/** The case's table, the errors seen, and the c=1 note; then a blank line. */
function caseSection(r: ReportInput, c: Case): string[] {
  const { rounds, secondsPerRun, proxyCpu } = r.settings;
  const key = caseKey(c);
  const rangeNote = rounds === 2 ? 'both rounds shown as a range' : rounds === 1 ? 'one round' : `median of ${rounds} rounds`;
  const bare = pick(r.samples, 'bare', key);
  const rows = r.targets.map((t) => caseRow(t, c, pick(r.samples, t.name, key), bare));
  const out = [
    `${key} (${rounds} × ${secondsPerRun} s; ${rangeNote})`,
    table(['target', 'rps', 'p50 ms', 'p99 ms', 'errors', 'proxy CPU µs/req', 'CPU ÷ bare', 'proxy CPU % of a core', `others on CPU ${proxyCpu}`], rows),
  ];
  const errs = r.samples.filter((s) => s.case === key && s.errors > 0);
  for (const e of errs) out.push(`  errors: ${LABEL[e.target]} round ${e.round}: ${e.errorDetail}`);
  if (c.connections === 1) {
    out.push('  * c=1: fewer CPU ticks per run, and each request pays its own wake-ups: CPU per request is less precise and not comparable to c=50');
  }
  out.push('');
  return out;
}

/** One target's row in a case's table, from its samples (one per round). */
function caseRow(t: Target, c: Case, s: readonly Sample[], bare: readonly Sample[]): string[] {
  const direct = t.pids.length === 0;
  const percent = (xs: number[]): string => spread(xs, (x) => x.toFixed(0), '%');
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
    direct ? '—' : cpuCell(c, s),
    direct || t.name === 'bare' ? '—' : fmtRatio(ratios(s, bare, (x) => x.cpuUsPerRequest)),
    direct ? '—' : percent(s.map((x) => x.cpuPercent ?? Number.NaN)),
    percent(s.map((x) => x.otherLoadPercent ?? Number.NaN)),
  ];
}

/** CPU µs per request, ± one tick over the requests, starred when imprecise. */
function cpuCell(c: Case, s: readonly Sample[]): string {
  const cpu = s.map((x) => x.cpuUsPerRequest ?? Number.NaN);
  const quantum = Math.max(...s.map((x) => x.cpuQuantumUs ?? 0));
  const imprecise = c.connections === 1 || s.some((x) => (x.cpuTicks ?? 0) < 100);
  return `${spread(cpu, (x) => x.toFixed(1))} ±${quantum < 0.1 ? quantum.toFixed(2) : quantum.toFixed(1)}${imprecise ? ' *' : ''}`;
}

function footnotes(proxyCpu: number): string[] {
  return [
    '± is one CPU clock tick spread over the requests of a run (the quantisation of /proc CPU times). A proxy near 100% of a core is the bottleneck;',
    'below that, rps is bounded by the load side (wrk and the mock share one CPU) or by other work on the proxy CPU, and CPU per request',
    `is the figure to compare. "others on CPU ${proxyCpu}": the share of the proxies' CPU used by anything but the proxy under test (/proc/stat): above a few %, the machine was not quiet.`,
    '',
  ];
}

// ---- the summary against the targets ----------------------------------------------------------

function summaryRows(r: ReportInput): SummaryRow[] {
  return [...cpuRatioRows(r.samples), ...latencyRows(r.samples), ...memoryRows(r.memory, r.settings), ...stageRows(r.stages)];
}

/** Switchyard's CPU per request ÷ the bare hop's, at c=50. */
function cpuRatioRows(samples: readonly Sample[]): SummaryRow[] {
  const limits = [
    [false, TARGETS.cpuNonStream],
    [true, TARGETS.cpuStream],
  ] as const;
  return limits.map(([stream, limit]) => {
    const key = caseKey({ stream, connections: 50 });
    const r = ratios(pick(samples, 'switchyard', key), pick(samples, 'bare', key), (s) => s.cpuUsPerRequest);
    const m = median(r);
    return { figure: `CPU/request, switchyard ÷ bare hop, ${key}`, measured: fmtRatio(r), value: m, target: `≤ ${limit}×`, pass: m <= limit };
  });
}

/** Switchyard's p99 ÷ p50 at c=50, then its p99 at c=1. */
function latencyRows(samples: readonly Sample[]): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const stream of [false, true]) {
    const key = caseKey({ stream, connections: 50 });
    const r = pick(samples, 'switchyard', key).map((x) => x.p99Ms / x.p50Ms);
    const m = median(r);
    rows.push({ figure: `p99 ÷ p50, switchyard, ${key}`, measured: fmtRatio(r), value: m, target: `≤ ${TARGETS.p99OverP50}×`, pass: m <= TARGETS.p99OverP50 });
  }
  for (const stream of [false, true]) {
    const key = caseKey({ stream, connections: 1 });
    const p = pick(samples, 'switchyard', key).map((x) => x.p99Ms);
    const m = median(p);
    rows.push({
      figure: `p99, switchyard, ${key}`,
      measured: spread(p, msText, ' ms'),
      value: m,
      target: `≤ ${TARGETS.p99AtC1Ms} ms`,
      pass: m <= TARGETS.p99AtC1Ms,
    });
  }
  return rows;
}

/** Idle RSS (the higher of the two fresh processes) and the memory run's peak RSS. */
function memoryRows(memory: MemoryFigures, settings: ReportSettings): SummaryRow[] {
  const idle = Math.max(memory.idleRssMb, memory.idleRssThroughputMb);
  const peak = memory.peakRssMb;
  return [
    {
      figure: `idle RSS, ${settings.settleMs / 1000} s after start, before any request`,
      measured: `${idle.toFixed(1)} MB`,
      value: idle,
      target: `≤ ${TARGETS.idleRssMb} MB`,
      pass: idle <= TARGETS.idleRssMb,
    },
    {
      figure:
        settings.rssSeconds > 0 ? `peak RSS (VmHWM), fresh process, ${settings.rssSeconds} s c=50 non-stream` : 'peak RSS (BENCH_RSS_SECONDS=0: not measured)',
      measured: peak === null ? '—' : `${peak.toFixed(1)} MB`,
      value: peak,
      target: `≤ ${TARGETS.peakRssMb} MB`,
      pass: peak === null ? undefined : peak <= TARGETS.peakRssMb,
    },
  ];
}

/** bench/stages.ts's per-stage CPU per request, when it measured any. */
function stageRows(stages: StagesResult): SummaryRow[] {
  if (stages.status !== 'ok') return [];
  return stages.rows.map((row) => {
    const us = row.nsPerRequest / 1000;
    return {
      figure: `stage ${row.name}, idle, CPU/request`,
      measured: `${us.toFixed(2)} µs`,
      value: us,
      target: `≤ ${TARGETS.stageUs} µs`,
      pass: us <= TARGETS.stageUs,
    };
  });
}

/** The summary's heading and table, and why stage costs are missing when they are. */
function summarySection(summary: readonly SummaryRow[], stages: StagesResult, rounds: number): string[] {
  const out = [
    `Summary (${rounds === 2 ? 'both rounds as a range; PASS/FAIL on their mean' : `median of ${rounds} round${rounds === 1 ? '' : 's'}`}; ratios paired within a round)`,
    table(
      ['figure', 'measured', 'target', ''],
      summary.map((r) => [r.figure, r.measured, r.target, passFail(r.pass)]),
    ),
  ];
  if (stages.status === 'not built') out.push('stage costs: not built (bench/stages.ts is absent)');
  else if (stages.status === 'error') out.push(`stage costs: bench/stages.ts failed: ${stages.error}`);
  else if (stages.rows.length === 0) out.push('stage costs: bench/stages.ts measured no stage (it is still the placeholder)');
  return out;
}

// ---- for reference, no targets ----------------------------------------------------------------

/** Where Switchyard and the bare hop stand against nginx and the mock, and Switchyard's other RSS readings. */
function referenceSection(r: ReportInput): string[] {
  const { samples, memory } = r;
  const ref: string[][] = r.targets.some((t) => t.name === 'nginx') ? nginxRows(samples) : [];
  for (const stream of [false, true]) {
    const key = caseKey({ stream, connections: 1 });
    const direct = pick(samples, 'direct', key);
    const added = (name: TargetName): string =>
      spread(
        diffs(pick(samples, name, key), direct, (s) => s.p50Ms),
        msText,
        ' ms',
      );
    ref.push([`p50 added over direct, ${key}`, `switchyard +${added('switchyard')}`, `bare hop +${added('bare')}`]);
  }
  ref.push([
    'switchyard RSS',
    `peak over the throughput cases ${memory.throughputPeakRssMb.toFixed(1)} MB`,
    memory.rssAfterMb !== null ? `after the memory run ${memory.rssAfterMb.toFixed(1)} MB` : '',
  ]);
  if (memory.run) ref.push(['memory run', `${rpsText([memory.run.rps])} rps, p99 ${msText(memory.run.p99Ms)} ms`, `errors ${memory.run.errors}`]);
  return ['', 'For reference (no targets)', table(['figure', '', ''], ref)];
}

/** CPU per request of Switchyard and the bare hop ÷ nginx's, at c=50. */
function nginxRows(samples: readonly Sample[]): string[][] {
  return [false, true].map((stream) => {
    const key = caseKey({ stream, connections: 50 });
    const ng = pick(samples, 'nginx', key);
    const perNginx = (name: TargetName): string => fmtRatio(ratios(pick(samples, name, key), ng, (s) => s.cpuUsPerRequest));
    return [`CPU/request ÷ nginx, ${key}`, `switchyard ${perNginx('switchyard')}`, `bare hop ${perNginx('bare')}`];
  });
}
