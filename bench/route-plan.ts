/**
 * Cost of route planning: Router.plan() (the planner with live target state, as the chat handler
 * calls it) for a route of 20 targets in 4 tiers, once per ranking strategy, timed in batches of
 * BATCH plans (each sample is batch time / BATCH). Targets carry live state first (latency,
 * outcomes, in-flight), so strategies that read it do real work. The request is a typical short
 * chat turn; classification is not needed without rules and is timed on its own (bench/classify.ts).
 * A last row adds five rules, so it includes classifying the request. Pure CPU, no network.
 * It runs the built code in dist/ (what `switchyard serve` runs), so build first.
 *
 *   npm run bench:route
 */
import type { ChatRequest } from '../src/api/chat.js';
import type { StrategyName } from '../src/config/strategy-options.js';
import type { GatewayConfig } from '../src/config/types.js';
import type { RouteInput } from '../src/routing/planner.js';
import { table } from './lib/table.js';

// The compiled modules, not tsx's on-the-fly transform (which wraps every function it defines).
const dist = new URL('../dist/', import.meta.url).href;
const { compile } = (await import(`${dist}config/compile.js`)) as typeof import('../src/config/compile.js');
const { Router } = (await import(`${dist}pipeline/router.js`)) as typeof import('../src/pipeline/router.js');
const { TargetStates, updateEwma } = (await import(`${dist}pipeline/targets.js`)) as typeof import('../src/pipeline/targets.js');
const { STRATEGIES } = (await import(`${dist}config/strategy-options.js`)) as typeof import('../src/config/strategy-options.js');

const PLANS = Number(process.env.PLAN_CALLS ?? 100_000); // per case
const MAX_MS = Number(process.env.PLAN_MAX_MS ?? 4_000); // per case
const BATCH = 100;
const WARMUP = 20_000;
const TARGET_P50_US = 20;
const PROVIDERS = ['openai', 'anthropic', 'gemini', 'groq', 'mistral'];

function config(strategy: StrategyName, rules: boolean): GatewayConfig {
  const providers = Object.fromEntries(
    PROVIDERS.map((p, i) => [
      p,
      {
        format: 'openai',
        base_url: `http://127.0.0.1:${9000 + i}/v1`,
        auth: 'none',
        compliance: i % 2 === 0 ? ['zdr'] : [],
        models: Object.fromEntries(
          [0, 1, 2, 3].map((m) => [`m${m}`, { context_window: 128_000, quality: 1 + ((i + m) % 5), input_price: 0.5 + m, output_price: 2 + 3 * m }]),
        ),
      },
    ]),
  );
  const targets = PROVIDERS.flatMap((p) => [0, 1, 2, 3].map((m) => `${p}/m${m}`));
  const tiers = [0, 1, 2, 3].map((t) => targets.slice(t * 5, t * 5 + 5).map((target, i) => ({ target, weight: 1 + i })));
  const routing = rules
    ? {
        classes: { background: { hedge: false } },
        rules: [
          { when: 'task == "code" and complexity == "complex"', strategy: 'cheapest' },
          { when: 'header.x-team == "batch"', class: 'background' },
          { when: 'metadata.feature =~ /^summar/', strategy: 'weighted' },
          { when: 'tools and max_tokens > 4000', strategy: 'performance' },
          { when: 'length == "very_long"', class: 'background' },
        ],
      }
    : undefined;
  return compile(
    { providers, models: { big: { strategy, tiers } }, resilience: { max_fallback_depth: 3 }, ...(routing ? { routing } : {}) },
    { env: {}, source: 'bench' },
  );
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function measure(name: string, strategy: StrategyName, rules: boolean): string[] {
  const cfg = config(strategy, rules);
  const states = new TargetStates(cfg.resilience);
  let clock = 1_000_000;
  const now = (): number => clock;
  // Live state: every target has answered (latencies 100-900 ms) and a few have failed.
  let x = 7;
  const rnd = (): number => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x / 0x7fffffff;
  };
  for (const t of cfg.models.get('big')!.targets) {
    const st = states.get(t);
    for (let i = 0; i < 60; i++) {
      const ms = 100 + 800 * rnd();
      st.outlier.record(rnd() > 0.05, ms, clock);
      updateEwma(st, ms);
    }
    st.inFlight = Math.floor(rnd() * 4);
  }
  const router = new Router(cfg, states, now, rnd);
  const request: ChatRequest = {
    model: 'big',
    messages: [
      { role: 'system', content: 'You are a helpful assistant for an online bookshop. Answer briefly.' },
      { role: 'user', content: 'Do you have the new edition of "Designing Data-Intensive Applications" in stock, and when could it ship to Lyon?' },
    ],
    max_tokens: 400,
  };
  const headers: Record<string, string> = { 'x-switchyard-session': '' };
  const input: RouteInput = { request, header: (n) => headers[n] };
  for (let i = 0; i < WARMUP; i++) router.plan(input);
  const samples: number[] = [];
  const started = performance.now();
  let sink = 0;
  for (let done = 0; done < PLANS && performance.now() - started < MAX_MS; done += BATCH) {
    clock += 1; // time moves, as it does between requests
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) sink += router.plan(input).candidates.length;
    samples.push(Number(process.hrtime.bigint() - t0) / BATCH / 1000);
  }
  if (sink === 0) throw new Error('no plans');
  samples.sort((a, b) => a - b);
  const p50 = quantile(samples, 0.5);
  return [name, strategy, String(samples.length * BATCH), p50.toFixed(2), quantile(samples, 0.99).toFixed(2), p50 <= TARGET_P50_US ? 'yes' : 'NO'];
}

const only = process.env.PLAN_ONLY;
const rows = STRATEGIES.filter((s) => !only || s === only).map((s) => measure('20 targets, 4 tiers', s, false));
rows.push(measure('same, 5 rules (classifies)', 'priority', true));
console.log(`Route planning (Router.plan), per plan; target p50 <= ${TARGET_P50_US} us`);
console.log(table(['case', 'strategy', 'plans', 'p50 us', 'p99 us', 'p50 ok'], rows));
const failed = rows.filter((r) => r[5] === 'NO' && r[0] === '20 targets, 4 tiers');
process.exitCode = failed.length > 0 ? 1 : 0;
