/**
 * Retry storm: a provider failing 100 % of requests with 503 (the sandbox's `error-503`) under
 * load. Counts the client's requests and the attempts that reached the provider (the sandbox's own
 * attempt log), and prints their ratio against the target: retries must not multiply the load on a
 * provider that is already down (≤ 1.15× the client's requests).
 *
 * Two cases, each on a fresh gateway + sandbox on 127.0.0.1:
 *   only target   the public model's one target is the failing provider
 *   with fallback the failing provider first, a healthy one second: how much traffic the failing
 *                 provider still sees while the healthy one serves
 *
 *   npm run bench:storm      # node --import tsx bench/retry-storm.ts
 *   STORM_CLIENTS=50 STORM_SECONDS=10 STORM_MAX_REQUESTS=20000 npm run bench:storm
 *
 * The load loop is undici's `request` over a keep-alive Agent, bounded by time and by count.
 * Exit code 1 when the only-target ratio misses the target.
 */
import { Agent, request } from 'undici';
import { AttemptTail, type BenchStack, startBenchStack } from './lib/stack.js';
import { seconds, table } from './lib/table.js';

const CLIENTS = Number(process.env.STORM_CLIENTS ?? 20);
const SECONDS = Number(process.env.STORM_SECONDS ?? 5);
const MAX_REQUESTS = Number(process.env.STORM_MAX_REQUESTS ?? 20_000);
const TARGET_RATIO = 1.15;
/** Per request: a stuck request must not hold the run open. */
const REQUEST_TIMEOUT_MS = 10_000;
/** The sandbox keeps its latest 10 000 attempts; polling this often sees every one at any rate this box reaches. */
const POLL_MS = 100;
const WATCHDOG_MS = (SECONDS * 2 + REQUEST_TIMEOUT_MS / 1000 + 30) * 1000;

for (const [name, v] of [
  ['STORM_CLIENTS', CLIENTS],
  ['STORM_SECONDS', SECONDS],
  ['STORM_MAX_REQUESTS', MAX_REQUESTS],
] as const) {
  if (!(Number.isFinite(v) && v > 0 && v <= 1_000_000)) {
    console.error(`${name} must be a positive number, got ${String(v)}`);
    process.exit(2);
  }
}

const FAILING = 'error-503';
const PROVIDERS = {
  'sb-openai': { sandbox: true, format: 'openai' },
  'sb-gemini': { sandbox: true, format: 'gemini' },
};

interface Case {
  name: string;
  model: string;
  tag: string;
  targets: string[];
}

const CASES: Case[] = [
  { name: 'only target', model: 'storm-only', tag: 'only', targets: [`sb-openai/${FAILING}@only`] },
  { name: 'with fallback', model: 'storm-fallback', tag: 'fb', targets: [`sb-openai/${FAILING}@fb`, 'sb-gemini/gemini-2.5-flash@fb'] },
];

interface LoadResult {
  requests: number;
  elapsedMs: number;
  statuses: Map<string, number>;
  providers: Map<string, number>;
  latencies: number[];
}

function bump(m: Map<string, number>, k: string, by = 1): void {
  m.set(k, (m.get(k) ?? 0) + by);
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** CLIENTS loops, each sending one request at a time, until SECONDS pass or MAX_REQUESTS are sent. */
async function load(url: string, model: string, agent: Agent): Promise<LoadResult> {
  const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }] });
  const result: LoadResult = { requests: 0, elapsedMs: 0, statuses: new Map(), providers: new Map(), latencies: [] };
  const t0 = performance.now();
  const deadline = t0 + SECONDS * 1000;
  let issued = 0;
  async function client(): Promise<void> {
    while (issued < MAX_REQUESTS && performance.now() < deadline) {
      issued++;
      const started = performance.now();
      try {
        const res = await request(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          dispatcher: agent,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        await res.body.dump();
        bump(result.statuses, String(res.statusCode));
        const p = res.headers['x-switchyard-provider'];
        bump(result.providers, typeof p === 'string' ? p : '(none)');
      } catch (err) {
        bump(result.statuses, err instanceof Error ? err.name : 'error');
      }
      result.latencies.push(performance.now() - started);
    }
  }
  await Promise.all(Array.from({ length: CLIENTS }, client));
  result.requests = issued;
  result.elapsedMs = performance.now() - t0;
  result.latencies.sort((a, b) => a - b);
  return result;
}

interface CaseResult {
  c: Case;
  load: LoadResult;
  /** Attempts the sandbox logged on the failing provider, and on every model of this case. */
  failingAttempts: number;
  allAttempts: number;
  missed: number;
  gatewayAttempts: Map<string, number>;
  retries: number;
  fallbacks: number;
  breaker: string[];
}

async function runCase(c: Case): Promise<CaseResult> {
  const stack: BenchStack = await startBenchStack({ providers: PROVIDERS, models: { [c.model]: { targets: c.targets } } });
  const agent = new Agent({ connections: CLIENTS, keepAliveTimeout: 10_000, keepAliveMaxTimeout: 10_000 });
  const gatewayAttempts = new Map<string, number>();
  let retries = 0;
  let fallbacks = 0;
  const breaker: string[] = [];
  const t0 = performance.now();
  const offs = [
    stack.gateway.events.on('attempt', (e) => bump(gatewayAttempts, e.target)),
    stack.gateway.events.on('retry', () => retries++),
    stack.gateway.events.on('fallback', () => fallbacks++),
    stack.gateway.events.on('breaker', (e) => breaker.push(`${e.from}→${e.to} at ${seconds(performance.now() - t0)}`)),
  ];
  const tail = new AttemptTail(stack.sandbox, () => false);
  const poller = setInterval(() => tail.poll(), POLL_MS);
  try {
    const result = await load(stack.url, c.model, agent);
    tail.poll();
    const failingModel = `${FAILING}@${c.tag}`;
    return {
      c,
      load: result,
      failingAttempts: tail.count((m) => m === failingModel),
      allAttempts: tail.count((m) => m.endsWith(`@${c.tag}`)),
      missed: tail.missed,
      gatewayAttempts,
      retries,
      fallbacks,
      breaker,
    };
  } finally {
    clearInterval(poller);
    for (const off of offs) off();
    await agent.close();
    await stack.close();
  }
}

function fmtMap(m: Map<string, number>): string {
  return [...m]
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k}×${v}`)
    .join(' ');
}

async function main(): Promise<void> {
  const watchdog = setTimeout(() => {
    console.error(`retry-storm: still running after ${WATCHDOG_MS / 1000} s; giving up`);
    process.exit(2);
  }, WATCHDOG_MS);
  watchdog.unref();

  const results: CaseResult[] = [];
  for (const c of CASES) results.push(await runCase(c));

  console.log(
    `Switchyard retry storm: ${CLIENTS} concurrent clients, ${SECONDS} s or ${MAX_REQUESTS} requests, a provider at 100 % 503 (sandbox \`${FAILING}\`), gateway + sandbox on 127.0.0.1, Node ${process.version}\n`,
  );
  let ok = true;
  const rows = results.map((r) => {
    const ratio = r.failingAttempts / r.load.requests;
    const pass = ratio <= TARGET_RATIO && r.missed === 0;
    if (r.c.name === 'only target') ok &&= pass;
    return [
      r.c.name,
      String(r.load.requests),
      (r.load.requests / (r.load.elapsedMs / 1000)).toFixed(0),
      fmtMap(r.load.statuses),
      String(r.failingAttempts),
      `${ratio.toFixed(3)}×`,
      `≤ ${TARGET_RATIO}×`,
      pass ? 'PASS' : 'FAIL',
    ];
  });
  console.log(table(['case', 'client requests', 'rps', 'client statuses', 'attempts on failing provider', 'ratio', 'target', 'verdict'], rows));
  console.log('');
  for (const r of results) {
    const failingKey = `sb-openai/${FAILING}@${r.c.tag}`;
    console.log(`${r.c.name}: targets ${r.c.targets.join(', ')}`);
    console.log(
      `  answered by: ${fmtMap(r.load.providers)}; client latency p50 ${quantile(r.load.latencies, 0.5).toFixed(1)} ms, p99 ${quantile(r.load.latencies, 0.99).toFixed(1)} ms; ran ${seconds(r.load.elapsedMs)}`,
    );
    console.log(
      `  sandbox log: ${r.allAttempts} attempts in all, ${r.failingAttempts} on the failing provider${r.missed ? ` (${r.missed} entries scrolled out unseen: counts are a lower bound)` : ''}; ` +
        `gateway attempt events: ${r.gatewayAttempts.get(failingKey) ?? 0} on the failing provider, ${[...r.gatewayAttempts.values()].reduce((a, b) => a + b, 0)} in all`,
    );
    // A retry event is a decision (budget spent, backoff slept); the breaker may still refuse the
    // attempt after the sleep, so the sandbox log, not the event count, says what reached upstream.
    console.log(
      `  retry events: ${r.retries}; attempts beyond one per client request: ${r.allAttempts - r.load.requests}; fallback events: ${r.fallbacks}; ` +
        `breaker: ${r.breaker.length ? r.breaker.join(', ') : 'no transition'}`,
    );
  }
  console.log(`\ntarget: attempts on the failing provider ≤ ${TARGET_RATIO}× client requests (the verdict of the only-target case sets the exit code)`);
  clearTimeout(watchdog);
  process.exitCode = ok ? 0 : 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
