/**
 * Tail latency with and without hedging. Two sandbox providers (different wire formats) answer
 * with lognormal latency whose p99 is 10x its p50; the same load goes to a route without hedging
 * and to routes that hedge adaptively from the first target's observed time to first token.
 * Prints p50, p99 and the extra upstream requests hedging cost. Needs a build (npm run build).
 *
 *   npm run bench:tail                      # 6000 requests per route, 8 at a time
 *   TAIL_REQUESTS=5000 npm run bench:tail
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';

const REQUESTS = Math.min(9000, Number(process.env.TAIL_REQUESTS ?? 6000)); // the sandbox logs 10,000 attempts
const CONCURRENCY = Number(process.env.TAIL_CONCURRENCY ?? 8);
const MEDIAN_MS = 20;
const SIGMA = Math.log(10) / 2.3263; // lognormal: p99 / p50 = exp(2.3263 * sigma) = 10
const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'dist/cli/main.js');

function start(args: string[], ready: RegExp): Promise<{ child: ChildProcess; match: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`not ready: ${out}`)), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, match: m[1]! });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function upstreamAttempts(sandbox: string): Promise<number> {
  const res = await request(`${sandbox}/_sandbox/attempts`);
  return ((await res.body.json()) as unknown[]).length;
}

/** Clears the sandbox's attempt log (it keeps the last 10,000), so each route is counted from zero. */
async function resetAttempts(sandbox: string): Promise<void> {
  const res = await request(`${sandbox}/_sandbox/reset`, { method: 'POST' });
  await res.body.dump();
}

/** Bounded closed-loop load: CONCURRENCY workers share REQUESTS requests. */
async function load(gateway: string, model: string, n: number, dispatcher: Agent): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'tail' }] });
  const worker = async (): Promise<void> => {
    while (next < n) {
      next++;
      const t0 = performance.now();
      const res = await request(`${gateway}/v1/chat/completions`, { method: 'POST', body, headers: { 'content-type': 'application/json' }, dispatcher });
      await res.body.dump();
      if (res.statusCode !== 200) throw new Error(`${model}: HTTP ${res.statusCode}`);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return latencies.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-tail-'));
  const scenarios = join(dir, 'scenarios.yaml');
  writeFileSync(
    scenarios,
    `models:\n  tail:\n    first_token_ms: { distribution: lognormal, median_ms: ${MEDIAN_MS}, sigma: ${SIGMA.toFixed(4)} }\n    token_ms: 0\n    tokens: 5\n`,
  );
  const sandbox = await start(['sandbox', '--port', '0', '--scenarios', scenarios, '--seed', '7', '--quiet'], /listening on (http:\/\/[\d.:]+)/);
  const sb = sandbox.match;
  const config = join(dir, 'switchyard.yaml');
  const targets = '[a/tail, b/tail]';
  writeFileSync(
    config,
    `providers:\n  a: { format: openai, base_url: ${sb}/openai/v1, auth: none }\n  b: { format: gemini, base_url: ${sb}/gemini, auth: none }\n` +
      `models:\n  plain: { targets: ${targets} }\n` +
      `  hedged-p95: { targets: ${targets}, hedge: { adaptive: { quantile: 0.95, min_ms: 10, max_ms: 2000 }, budget_ratio: 0.15 } }\n` +
      `  hedged-p91: { targets: ${targets}, hedge: { adaptive: { quantile: 0.91, min_ms: 10, max_ms: 2000 }, budget_ratio: 0.15 } }\n`,
  );
  const gateway = await start(['serve', '--config', config, '--port', '0'], /listening on (http:\/\/[\d.:]+)/);
  const gw = gateway.match;
  const dispatcher = new Agent({ connections: CONCURRENCY * 2 });
  try {
    // Warm up: JIT, pools, and the first-token estimators the adaptive routes read.
    await load(gw, 'plain', 200, dispatcher);
    await load(gw, 'hedged-p95', 100, dispatcher);
    await load(gw, 'hedged-p91', 100, dispatcher);
    console.log(`Tail latency: upstream lognormal p50 ${MEDIAN_MS} ms, p99 ${MEDIAN_MS * 10} ms; ${REQUESTS} requests per route, ${CONCURRENCY} at a time`);
    let base: number | undefined;
    for (const model of ['plain', 'hedged-p95', 'hedged-p91']) {
      await resetAttempts(sb);
      const lat = await load(gw, model, REQUESTS, dispatcher);
      const upstream = await upstreamAttempts(sb);
      const p50 = quantile(lat, 0.5);
      const p99 = quantile(lat, 0.99);
      base ??= p99;
      const extra = ((upstream - REQUESTS) / REQUESTS) * 100;
      console.log(
        `${model.padEnd(11)} p50 ${p50.toFixed(1).padStart(6)} ms  p99 ${p99.toFixed(1).padStart(6)} ms  ` +
          `p99 vs no hedging ${(((p99 - base) / base) * 100).toFixed(1).padStart(6)}%  upstream requests ${upstream} (+${extra.toFixed(1)}%)`,
      );
    }
    console.log('target: p99 down by at least 40% for at most 10% extra upstream requests');
  } finally {
    await dispatcher.close();
    gateway.child.kill('SIGTERM');
    sandbox.child.kill('SIGTERM');
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
