/**
 * Proxy overhead: the same load direct to a mock upstream and through Switchyard, in one run.
 * Prints rps, p50 and p99 for non-stream and stream at 1 and 50 connections, the stream first-byte
 * delay, and the gateway's peak RSS. Needs wrk (Debian: apt-get install wrk) and a build (npm run build).
 *
 * Each case runs direct, Switchyard and the bare hop interleaved, ROUNDS times, and reports the
 * median of each figure, so a noisy moment on a shared machine moves one sample, not the result.
 *
 *   npm run bench                         # 3 rounds of 3 s per target and case
 *   BENCH_SECONDS=5 BENCH_ROUNDS=5 npm run bench
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';

const run = promisify(execFile);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const root = new URL('..', import.meta.url).pathname;

function startProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<{ child: ChildProcess; line: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start: ${out}`)), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, line: m[1] ?? m[0] });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${out}`)));
  });
}

interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

function ms(v: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(v.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 's' ? n * 1000 : n;
}

async function wrk(url: string, connections: number, stream: boolean, scriptDir: string): Promise<WrkResult> {
  const body = JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'Say something short.' }], ...(stream ? { stream: true } : {}) });
  const script = join(scriptDir, `post-${stream ? 's' : 'n'}.lua`);
  writeFileSync(script, `wrk.method = "POST"\nwrk.body = '${body}'\nwrk.headers["Content-Type"] = "application/json"\n`);
  const { stdout } = await run('wrk', ['-t', connections > 1 ? '2' : '1', '-c', String(connections), '-d', `${SECONDS}s`, '--latency', '-s', script, url]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  const p50 = ms(/\s50%\s+(\S+)/.exec(stdout)?.[1] ?? '');
  const p99 = ms(/\s99%\s+(\S+)/.exec(stdout)?.[1] ?? '');
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  const sockErr = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const errors = non2xx + (sockErr ? sockErr.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
  return { rps, p50, p99, errors };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function medianResult(rs: WrkResult[]): WrkResult {
  return {
    rps: median(rs.map((r) => r.rps)),
    p50: median(rs.map((r) => r.p50)),
    p99: median(rs.map((r) => r.p99)),
    errors: rs.reduce((a, r) => a + r.errors, 0),
  };
}

/** Median time from sending a stream request to its first body byte, sequential requests. */
async function firstByte(url: string, n: number): Promise<number> {
  const body = JSON.stringify({ model: 'bench', stream: true, messages: [{ role: 'user', content: 'hi' }] });
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await request(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    for await (const _ of res.body) {
      times.push(performance.now() - t0);
      break;
    }
    await res.body.dump().catch(() => undefined);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
  const upstream = await startProcess(process.execPath, ['--import', 'tsx', join(root, 'bench/mock-upstream.ts'), '0'], process.env, /^(\d+)\n/m);
  const upstreamUrl = `http://127.0.0.1:${upstream.line}`;
  const configPath = join(dir, 'switchyard.yaml');
  writeFileSync(
    configPath,
    `server: { port: 0 }\nproviders:\n  mock:\n    format: openai\n    base_url: ${upstreamUrl}/v1\n    api_key: \${BENCH_KEY}\nmodels:\n  bench:\n    targets: [mock/gpt-bench]\n`,
  );
  const gateway = await startProcess(
    process.execPath,
    [join(root, 'dist/cli/main.js'), 'serve', '--config', configPath, '--port', '0'],
    { ...process.env, BENCH_KEY: 'bench-key' },
    /listening on (http:\/\/[\d.:]+)/,
  );
  const bare = await startProcess(process.execPath, ['--import', 'tsx', join(root, 'bench/bare-proxy.ts'), '0', upstreamUrl], process.env, /^(\d+)\n/m);
  const direct = `${upstreamUrl}/v1/chat/completions`;
  const through = `${gateway.line}/v1/chat/completions`;
  const bareUrl = `http://127.0.0.1:${bare.line}/v1/chat/completions`;
  try {
    // Warm both paths (JIT, keep-alive pools) before measuring.
    await wrk(through, 10, false, dir);
    await wrk(through, 10, true, dir);
    const rows: string[] = [];
    for (const stream of [false, true]) {
      for (const c of [1, 50]) {
        const runs: { d: WrkResult; g: WrkResult; b: WrkResult }[] = [];
        for (let r = 0; r < ROUNDS; r++) {
          runs.push({ d: await wrk(direct, c, stream, dir), g: await wrk(through, c, stream, dir), b: await wrk(bareUrl, c, stream, dir) });
        }
        const d = medianResult(runs.map((x) => x.d));
        const g = medianResult(runs.map((x) => x.g));
        const b = medianResult(runs.map((x) => x.b));
        const kind = stream ? 'stream' : 'non-stream';
        const fmt = (name: string, r: WrkResult): string => `${name} ${r.rps.toFixed(0).padStart(6)} rps p50 ${r.p50.toFixed(3)} p99 ${r.p99.toFixed(3)} ms`;
        rows.push(
          `${kind.padEnd(10)} c=${String(c).padEnd(2)} | ${fmt('direct', d)} | ${fmt('switchyard', g)} | ${fmt('bare node hop', b)}\n` +
            `${' '.repeat(16)}switchyard: ${((g.rps / d.rps) * 100).toFixed(1)}% of direct rps, +${(g.p50 - d.p50).toFixed(3)} ms p50 | ` +
            `bare hop: ${((b.rps / d.rps) * 100).toFixed(1)}% of direct, +${(b.p50 - d.p50).toFixed(3)} ms p50 | errors ${d.errors}/${g.errors}/${b.errors}`,
        );
      }
    }
    const fbDirect = await firstByte(direct, 400);
    const fbThrough = await firstByte(through, 400);
    const fbBare = await firstByte(bareUrl, 400);
    const rss = peakRssMb(gateway.child.pid!);
    console.log(
      `Switchyard proxy overhead (median of ${ROUNDS} interleaved rounds of ${SECONDS}s per target and case, wrk, Node ${process.version}, ${(await import('node:os')).cpus().length} cores)`,
    );
    for (const r of rows) console.log(r);
    console.log(
      `stream first byte p50: direct ${fbDirect.toFixed(3)} ms, switchyard ${fbThrough.toFixed(3)} ms (+${(fbThrough - fbDirect).toFixed(3)}), bare node hop ${fbBare.toFixed(3)} ms (+${(fbBare - fbDirect).toFixed(3)})`,
    );
    console.log(`switchyard peak RSS: ${rss.toFixed(1)} MB`);
    console.log('targets: ratio at c=50 >= 50%, added p50 at c=1 <= 0.25 ms, first byte added <= 0.5 ms, peak RSS <= 100 MB');
  } finally {
    gateway.child.kill('SIGTERM');
    bare.child.kill('SIGTERM');
    upstream.child.kill('SIGTERM');
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
