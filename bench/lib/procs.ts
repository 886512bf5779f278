/**
 * Child processes for the load benches: started (optionally pinned to a CPU with taskset, and with
 * the open-file limit raised to the hard limit), waited for, and always cleaned up: on normal exit,
 * on error and on Ctrl-C every child is signalled (SIGTERM, then SIGKILL) and every temp dir removed.
 * Also the /proc readers the benches measure with (CPU ticks, RSS, open files).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { join } from 'node:path';
import ts from 'typescript';

export const repoRoot = new URL('../../', import.meta.url).pathname;

export function onPath(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  /** The ready regex's match (first group, or the whole match). */
  ready: string;
  /** The last 16 kB the child wrote (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (or signal name) when the child exits. */
  exited: Promise<string>;
  /** Called with each complete stdout line after the child is ready. */
  onLine(fn: (line: string) => void): void;
}

export interface StartOptions {
  name: string;
  cmd: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Pin to this CPU with `taskset -c` (when taskset is on PATH). */
  cpu?: number;
  /** Raise the soft open-file limit to the hard limit before exec. */
  raiseNofile?: boolean;
  /** Ready when stdout+stderr match; without it, ready as soon as it is spawned. */
  ready?: RegExp;
  readyTimeoutMs?: number;
  /**
   * Keep a pipe on the child's stdin; bench scripts given BENCH_PARENT_WATCH=1 exit when it closes,
   * so they die with the bench even if it is killed with SIGKILL.
   */
  parentWatch?: boolean;
}

const MAX_OUTPUT = 16 * 1024;

/** The process registry: everything started here is stopped by cleanup(), also on signals and errors. */
export class Processes {
  readonly taskset = onPath('taskset');
  private readonly children = new Set<Child>();
  private readonly dirs = new Set<string>();
  private cleaning: Promise<void> | undefined;

  constructor() {
    const onSignal = (sig: NodeJS.Signals): void => {
      process.stderr.write(`\n${sig}: stopping children and removing temp dirs\n`);
      void this.cleanup().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    process.once('SIGHUP', onSignal);
    // Last resort: whatever is still alive when this process exits is killed, temp dirs removed.
    process.once('exit', () => {
      for (const c of this.children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
      for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
    });
  }

  /** A temp dir under the repo's tmp/ (gitignored), so scripts written there resolve node_modules. */
  tempDir(prefix: string): string {
    const base = join(repoRoot, 'tmp');
    mkdirSync(base, { recursive: true });
    const dir = mkdtempSync(join(base, `${prefix}-`));
    chmodSync(dir, 0o755);
    this.dirs.add(dir);
    return dir;
  }

  /** The command line that applies pinning and the open-file limit, then execs cmd (same pid). */
  wrap(cmd: string, args: string[], cpu?: number, raiseNofile?: boolean): [string, string[]] {
    let c = cmd;
    let a = args;
    if (cpu !== undefined && this.taskset) {
      a = ['-c', String(cpu), c, ...a];
      c = 'taskset';
    }
    if (raiseNofile) {
      a = ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', 'sh', c, ...a];
      c = 'sh';
    }
    return [c, a];
  }

  /** Spawns the child (pinned, limit raised, as asked) and resolves once it is ready; rejects if it exits or times out first. */
  start(opts: StartOptions): Promise<Child> {
    const [cmd, args] = this.wrap(opts.cmd, opts.args, opts.cpu, opts.raiseNofile);
    const env = { ...process.env, ...opts.env, ...(opts.parentWatch ? { BENCH_PARENT_WATCH: '1' } : {}) };
    const proc = spawn(cmd, args, { env, stdio: [opts.parentWatch ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const output = new ChildOutput();
    const child = this.register(opts.name, proc, output);
    proc.stderr!.on('data', (d: Buffer) => output.keep(d.toString()));
    return whenReady(child, output, opts);
  }

  /** The Child for proc, in the registry until it exits. */
  private register(name: string, proc: ChildProcess, output: ChildOutput): Child {
    const exited = new Promise<string>((resolve) => proc.once('exit', (code, sig) => resolve(code !== null ? String(code) : String(sig))));
    const child: Child = {
      name,
      proc,
      pid: proc.pid ?? -1,
      ready: '',
      output: () => output.tail(),
      exited,
      onLine: (fn) => output.onLine(fn),
    };
    this.children.add(child);
    void exited.then(() => this.children.delete(child));
    return child;
  }

  /** SIGTERM, then SIGKILL after graceMs; resolves when the child has exited. */
  async stop(child: Child, graceMs = 3_000): Promise<void> {
    if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
    child.proc.kill('SIGTERM');
    const killer = setTimeout(() => child.proc.kill('SIGKILL'), graceMs);
    await child.exited;
    clearTimeout(killer);
  }

  cleanup(): Promise<void> {
    this.cleaning ??= (async () => {
      await Promise.all([...this.children].map((c) => this.stop(c)));
      for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
      this.dirs.clear();
    })();
    return this.cleaning;
  }
}

/** What a child wrote: the latest output (stdout and stderr), and its stdout split into lines for onLine listeners. */
class ChildOutput {
  text = '';
  private partial = '';
  private readonly lineFns: ((line: string) => void)[] = [];

  keep(s: string): void {
    this.text += s;
    if (this.text.length > MAX_OUTPUT * 2) this.text = this.text.slice(-MAX_OUTPUT);
  }

  tail(): string {
    return this.text.slice(-MAX_OUTPUT);
  }

  onLine(fn: (line: string) => void): void {
    this.lineFns.push(fn);
  }

  /** Hands each complete line of stdout to the listeners (none registered: nothing is split). */
  splitLines(s: string): void {
    if (this.lineFns.length === 0) return;
    const lines = (this.partial + s).split('\n');
    this.partial = lines.pop() ?? '';
    for (const l of lines) for (const fn of this.lineFns) fn(l);
  }
}

/**
 * Resolves with child once its output matches opts.ready (or once it is spawned, without a ready
 * regex); rejects if it fails to spawn, exits first, or is not ready within opts.readyTimeoutMs.
 */
function whenReady(child: Child, output: ChildOutput, opts: StartOptions): Promise<Child> {
  const { proc } = child;
  const timeoutMs = opts.readyTimeoutMs ?? 20_000;
  let isReady = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${opts.name} did not become ready within ${timeoutMs} ms; output:\n${child.output()}`));
    }, timeoutMs);
    const ready = (match: string): void => {
      isReady = true;
      child.ready = match;
      clearTimeout(timer);
      resolve(child);
    };
    proc.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${opts.name}: ${err.message}`));
    });
    void child.exited.then((code) => {
      clearTimeout(timer);
      if (!isReady) reject(new Error(`${opts.name} exited (${code}) before it was ready; output:\n${child.output()}`));
    });
    proc.stdout!.on('data', (d: Buffer) => {
      const s = d.toString();
      output.keep(s);
      const m = !isReady && opts.ready ? opts.ready.exec(output.text) : null;
      if (m) ready(m[1] ?? m[0]);
      output.splitLines(s);
    });
    if (!opts.ready) proc.once('spawn', () => ready(''));
  });
}

/**
 * A bench script compiled to plain JavaScript (TypeScript's transpiler, no type check) in dir, so
 * the process under test runs the code as written, without tsx's loader or its per-function
 * wrappers. The script must import only packages and node: builtins (no relative imports).
 */
export function transpileScript(source: string, dir: string): string {
  const out = join(dir, `${source.split('/').pop()!.replace(/\.ts$/, '')}.mjs`);
  const js = ts.transpileModule(readFileSync(join(repoRoot, source), 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
  }).outputText;
  writeFileSync(out, js);
  return out;
}

/** A free loopback port (closed again before it is returned; a small race, fine on a bench). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves when a TCP connect to 127.0.0.1:port succeeds; rejects after timeoutMs. */
export async function waitForPort(port: number, timeoutMs: number, alive: () => boolean = () => true): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (!alive()) throw new Error(`process for port ${port} exited`);
    const ok = await new Promise<boolean>((resolve) => {
      const sock = new Socket();
      sock.once('connect', () => {
        sock.destroy();
        resolve(true);
      });
      sock.once('error', () => resolve(false));
      sock.connect(port, '127.0.0.1');
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listening on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

// ---- /proc ------------------------------------------------------------------------------------

/** Clock ticks per second for /proc/<pid>/stat CPU times (getconf CLK_TCK; 100 on almost every Linux). */
export function clockTicks(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

function statFields(pid: number): string[] {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name is in parentheses and may hold spaces: fields are counted after the last ')'.
  return s.slice(s.lastIndexOf(')') + 2).split(' ');
}

/** utime + stime of the whole process (all its threads), in clock ticks. */
export function cpuTicks(pid: number): number {
  const f = statFields(pid);
  // After the ')' the fields start at 3 (state); utime is field 14, stime field 15 (proc(5)).
  return Number(f[14 - 3]) + Number(f[15 - 3]);
}

/** Busy and total clock ticks of one CPU, or all (no argument), since boot (from /proc/stat; busy excludes idle and iowait). */
export function cpuStat(cpu?: number): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`cpu${cpu ?? ''} `));
  if (!line) return { busy: Number.NaN, total: Number.NaN };
  // user nice system idle iowait irq softirq steal (guest time is already in user)
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - (f[3] ?? 0) - (f[4] ?? 0), total };
}

/** Pids whose parent is pid (from /proc/<n>/stat). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (Number(statFields(Number(name))[4 - 3]) === pid) out.push(Number(name));
    } catch {
      // exited while we looked
    }
  }
  return out;
}

/** A field of /proc/<pid>/status in kB (VmRSS, VmHWM, ...); NaN when absent. */
export function statusKb(pid: number, field: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return m ? Number(m[1]) : Number.NaN;
}

export function rssMb(pid: number): number {
  return statusKb(pid, 'VmRSS') / 1024;
}

export function peakRssMb(pid: number): number {
  return statusKb(pid, 'VmHWM') / 1024;
}

export function openFds(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return Number.NaN;
  }
}

/** The soft and hard open-file limits of a process (from /proc/<pid>/limits). */
export function nofileLimits(pid: number | 'self'): { soft: number; hard: number } {
  const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
  const n = (s: string | undefined): number => (s === 'unlimited' || s === undefined ? Number.POSITIVE_INFINITY : Number(s));
  return { soft: n(m?.[1]), hard: n(m?.[2]) };
}

export function cpuModel(): string {
  try {
    return /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function fileExists(path: string): boolean {
  return existsSync(path);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
