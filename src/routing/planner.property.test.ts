/**
 * Properties over random configs and requests: hard filters are never violated (request fallbacks
 * and degrade paths included), explain's plan is the plan the executor gets, and the executor
 * walks exactly that plan.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ChatRequest } from '../api/chat.js';
import { compile } from '../config/compile.js';
import { CAPABILITIES, COMPLIANCE_TAGS } from '../config/schema.js';
import { STRATEGIES } from '../config/strategy-options.js';
import type { GatewayConfig, Target } from '../config/types.js';
import { Cancellation } from '../core/cancel.js';
import { GatewayError } from '../core/errors.js';
import { failure, UpstreamFailure } from '../core/failure.js';
import { Redactor } from '../core/redact.js';
import type { ExecContext } from '../pipeline/context.js';
import { runPlan } from '../pipeline/run-plan.js';
import { TargetStates } from '../pipeline/targets.js';
import { createRng } from '../sandbox/rng.js';
import { EventBus } from '../telemetry/events.js';
import type { Transport } from '../transport/client.js';
import { planRoute, priceOf, type RouteDecision, type RouteInput, type RoutingView } from './planner.js';
import { loadTokenizer } from './tokens.js';

beforeAll(() => loadTokenizer());

const tags = fc.subarray([...COMPLIANCE_TAGS]);
const modelArb = fc
  .record(
    {
      quality: fc.integer({ min: 1, max: 5 }),
      capabilities: fc.subarray([...CAPABILITIES], { minLength: 1 }),
      context_window: fc.integer({ min: 50, max: 200_000 }),
      compliance: tags,
      input_price: fc.constantFrom(0, 0.1, 1, 3, 15),
      output_price: fc.constantFrom(0, 0.4, 4, 15, 75),
    },
    { requiredKeys: [] },
  )
  .map((m) => ((m.input_price === undefined) !== (m.output_price === undefined) ? { ...m, input_price: 1, output_price: 2 } : m));

const providerArb = fc.record({
  compliance: tags,
  models: fc.dictionary(fc.constantFrom('m1', 'm2', 'm3'), modelArb, { minKeys: 1, maxKeys: 3 }),
});

const scenarioArb = fc
  .record({
    providers: fc.dictionary(fc.constantFrom('pa', 'pb', 'pc', 'pd'), providerArb, { minKeys: 1, maxKeys: 4 }),
    strategy: fc.constantFrom(...STRATEGIES),
    floor: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
    ceiling: fc.option(fc.constantFrom(0.0001, 0.01, 1), { nil: undefined }),
    useClass: fc.boolean(),
    useDegrade: fc.boolean(),
    required: tags,
    images: fc.boolean(),
    tools: fc.boolean(),
    schema: fc.boolean(),
    stream: fc.boolean(),
    maxTokens: fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: undefined }),
    words: fc.integer({ min: 1, max: 3000 }),
    seed: fc.integer(),
    shuffle: fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
  })
  .map((s) => {
    // Every declared model, in a seeded order, split into a route of up to 3 tiers, a degrade route and request fallbacks.
    const all = Object.entries(s.providers).flatMap(([p, cfg]) => Object.keys(cfg.models).map((m) => `${p}/${m}`));
    const order = all
      .map((ref, i) => ({ ref, k: s.shuffle[i % 12]! * 31 + i }))
      .sort((a, b) => a.k - b.k)
      .map((x) => x.ref);
    const routeTargets = order.slice(0, Math.max(1, Math.ceil(order.length / 2)));
    const tiers = [routeTargets.slice(0, 2), routeTargets.slice(2, 4), routeTargets.slice(4)].filter((t) => t.length > 0);
    const degrade = order.slice(routeTargets.length, routeTargets.length + 2);
    const fallbacks = order.slice(routeTargets.length + 2);
    return { ...s, tiers, degrade, fallbacks };
  });

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function build(s: Scenario): { config: GatewayConfig; input: RouteInput } {
  const providers = Object.fromEntries(
    Object.entries(s.providers).map(([name, p]) => [
      name,
      { format: 'openai', base_url: `http://127.0.0.1:9/${name}`, auth: 'none', compliance: p.compliance, models: p.models },
    ]),
  );
  const models: Record<string, unknown> = { route: { tiers: s.tiers, strategy: s.strategy } };
  if (s.degrade.length > 0) models.cheap = { targets: s.degrade };
  const cls: Record<string, unknown> = {};
  if (s.floor !== undefined) cls.quality_floor = s.floor;
  if (s.ceiling !== undefined) cls.max_cost_usd = s.ceiling;
  if (s.degrade.length > 0 && s.useDegrade) cls.degrade_to = 'cheap';
  const config = compile({ providers, models, routing: { classes: { c: cls } }, resilience: { max_fallback_depth: 10 } }, { env: {}, source: 'property' });
  const content = s.images
    ? [
        { type: 'text' as const, text: 'word '.repeat(s.words) },
        { type: 'image_url' as const, image_url: { url: 'data:image/png;base64,AA' } },
      ]
    : 'word '.repeat(s.words);
  const request: ChatRequest = { model: 'route', messages: [{ role: 'user', content }], fallbacks: s.fallbacks, stream: s.stream };
  if (s.tools) request.tools = [{ type: 'function', function: { name: 'f' } }];
  if (s.schema) request.response_format = { type: 'json_schema', json_schema: { name: 'x' } };
  if (s.maxTokens !== undefined) request.max_tokens = s.maxTokens;
  const headers: Record<string, string> = {};
  if (s.useClass) headers['x-switchyard-class'] = 'c';
  if (s.required.length > 0) headers['x-switchyard-data-class'] = s.required.join(',');
  return { config, input: { request, header: (n) => headers[n] } };
}

function view(rng: () => number): RoutingView {
  return { now: 0, rng, unavailableUntil: () => undefined, stats: () => ({ inFlight: 0, requests: 0, failures: 0 }), turn: () => 3, session: () => undefined };
}

function plan(config: GatewayConfig, input: RouteInput, rng: () => number, explain = false): RouteDecision | GatewayError {
  try {
    return planRoute(config, input, view(rng), explain ? { explain: true } : {});
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
}

describe('routing properties', () => {
  it('compliance, quality floors, capabilities and cost ceilings are never violated, through fallbacks and degrade paths too', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { config, input } = build(s);
        const d = plan(config, input, createRng(s.seed));
        if (d instanceof GatewayError) {
          expect(d.code).toBe('no_eligible_target');
          return;
        }
        const cls = d.class;
        for (const c of d.candidates) {
          const m = c.target.model;
          for (const tag of s.required) expect(m.compliance).toContain(tag);
          if (cls.qualityFloor !== undefined) expect(m.quality ?? 0).toBeGreaterThanOrEqual(cls.qualityFloor);
          if (s.images) expect(m.capabilities.has('vision')).toBe(true);
          if (s.tools) expect(m.capabilities.has('tools')).toBe(true);
          if (s.schema) expect(m.capabilities.has('json_schema')).toBe(true);
          if (cls.maxCostUsd !== undefined) {
            expect(priceOf(c.target)).toBeDefined();
            expect(c.costUsd!).toBeLessThanOrEqual(cls.maxCostUsd);
          }
        }
        // Nothing is both planned and excluded; every excluded target names its rule.
        const planned = new Set(d.candidates.map((c) => c.key));
        for (const e of d.excluded) {
          expect(planned.has(e.target)).toBe(false);
          expect(e.detail.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("explain's plan equals the plan the executor gets, and the executor walks exactly it", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const { config, input } = build(s);
        const explained = plan(config, input, createRng(s.seed), true);
        const real = plan(config, input, createRng(s.seed));
        if (explained instanceof GatewayError || real instanceof GatewayError) {
          expect(explained instanceof GatewayError && real instanceof GatewayError && explained.message === real.message).toBe(true);
          return;
        }
        expect(explained.candidates.map((c) => c.key)).toEqual(real.candidates.map((c) => c.key));
        expect(explained.class.name).toBe(real.class.name);

        const walked: string[] = [];
        const now = (): number => 0;
        const ctx: ExecContext = {
          requestId: 'p',
          transport: undefined as unknown as Transport,
          signal: new Cancellation(),
          policy: { ...config.resilience, maxAttempts: 20, maxRetriesPerTarget: 0 },
          targets: new TargetStates(config.resilience),
          events: new EventBus(),
          now,
          rng: createRng(1),
          deadlineAt: 1e12,
          log: () => {},
          redact: new Redactor(),
        };
        const targets: Target[] = real.candidates.map((c) => c.target);
        await runPlan(ctx, targets, async (t) => {
          walked.push(`${t.provider.name}/${t.model.id}`);
          throw new UpstreamFailure(failure('server_error', 'boom', { status: 500 }));
        }).catch(() => undefined);
        expect(walked).toEqual(real.candidates.map((c) => c.key).slice(0, 20));
      }),
      { numRuns: 200 },
    );
  });
});
