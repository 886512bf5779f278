import { beforeAll, describe, expect, it } from 'vitest';
import type { ChatRequest } from '../api/chat.js';
import { compile } from '../config/compile.js';
import { ConfigError } from '../config/errors.js';
import type { GatewayConfig, Target } from '../config/types.js';
import { GatewayError } from '../core/errors.js';
import { createRng } from '../sandbox/rng.js';
import { needsTokenizer, planRoute, type RouteInput, type RoutingView } from './planner.js';
import { countPromptTokens, loadTokenizer, promptTokenUpperBound } from './tokens.js';

beforeAll(() => loadTokenizer());

const PROVIDERS = {
  oa: {
    format: 'openai',
    base_url: 'http://127.0.0.1:1/v1',
    auth: 'none',
    compliance: ['zdr'],
    models: {
      big: {
        context_window: 128_000,
        quality: 5,
        input_price: 2.5,
        output_price: 10,
        capabilities: ['chat', 'tools', 'vision', 'json', 'json_schema', 'streaming'],
      },
      small: { context_window: 16_000, quality: 2, input_price: 0.15, output_price: 0.6, capabilities: ['chat', 'streaming'] },
    },
  },
  eu: {
    format: 'anthropic',
    base_url: 'http://127.0.0.1:2',
    auth: 'none',
    compliance: ['eu', 'hipaa', 'zdr'],
    models: {
      mid: { context_window: 200_000, quality: 4, input_price: 3, output_price: 15, capabilities: ['chat', 'tools', 'vision', 'streaming', 'prefill'] },
    },
  },
  cheap: { format: 'openai', base_url: 'http://127.0.0.1:3/v1', auth: 'none', models: { tiny: { quality: 1, input_price: 0.05, output_price: 0.1 } } },
};

function config(extra: Record<string, unknown> = {}): GatewayConfig {
  return compile(
    { providers: PROVIDERS, models: { chat: { tiers: [['oa/big', 'eu/mid'], ['oa/small']] }, budget: { targets: ['cheap/tiny'] } }, ...extra },
    { env: {}, source: 'test' },
  );
}

function view(over: Partial<RoutingView> = {}): RoutingView {
  return {
    now: 0,
    rng: () => 0.5,
    unavailableUntil: () => undefined,
    stats: () => ({ inFlight: 0, requests: 0, failures: 0 }),
    turn: () => 0,
    session: () => undefined,
    ...over,
  };
}

function input(req: Partial<ChatRequest> = {}, headers: Record<string, string> = {}): RouteInput {
  return { request: { model: 'chat', messages: [{ role: 'user', content: 'hello' }], ...req }, header: (n) => headers[n] };
}

const keys = (d: { candidates: { key: string }[] }): string[] => d.candidates.map((c) => c.key);

function refusal(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('planned');
}

describe('filters', () => {
  it('plans every tier in order when nothing excludes a target', () => {
    const d = planRoute(config(), input(), view());
    expect(keys(d)).toEqual(['oa/big', 'eu/mid', 'oa/small']);
    expect(d.candidates.map((c) => c.tier)).toEqual([0, 0, 1]);
    expect(d.excluded).toEqual([]);
    expect(d.strategy).toBe('priority');
    expect(d.class.name).toBe('default');
  });

  it('capabilities: images need vision, tools need tools, json_schema needs structured output', () => {
    const img = planRoute(
      config(),
      input({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AA' } }] }] }),
      view(),
    );
    expect(keys(img)).toEqual(['oa/big', 'eu/mid']);
    expect(img.excluded).toEqual([
      { target: 'oa/small', tier: 1, rule: 'capability', detail: 'needs vision (the request has image parts); the model declares chat, streaming' },
    ]);
    const schema = planRoute(config(), input({ response_format: { type: 'json_schema', json_schema: { name: 'x' } } }), view());
    expect(keys(schema)).toEqual(['oa/big']);
    expect(schema.excluded.map((e) => `${e.target}:${e.rule}`)).toEqual(['eu/mid:capability', 'oa/small:capability']);
  });

  it('context window: prompt tokens plus max tokens must fit', () => {
    expect(needsTokenizer(config())).toBe(true);
    const long = 'lorem ipsum dolor sit amet '.repeat(3000); // ~15k tokens
    const d = planRoute(config(), input({ messages: [{ role: 'user', content: long }], max_tokens: 4000 }), view());
    expect(keys(d)).toEqual(['oa/big', 'eu/mid']);
    expect(d.excluded[0]).toMatchObject({ target: 'oa/small', rule: 'context_window' });
    expect(d.excluded[0]!.detail).toMatch(/^needs \d+ prompt \+ 4000 output tokens; the window is 16000$/);
    expect(d.promptTokens?.how).toBe('tokenizer');
    // A short prompt never reaches the tokenizer: the byte bound already fits.
    expect(planRoute(config(), input({ max_tokens: 100 }), view()).promptTokens?.how).toBe('upper_bound');
  });

  it('compliance: data classes from the header admit only targets that offer them all, and name the rule when none does', () => {
    const d = planRoute(config(), input({}, { 'x-switchyard-data-class': 'hipaa, eu' }), view());
    expect(keys(d)).toEqual(['eu/mid']);
    expect(d.excluded.map((e) => e.detail)).toEqual([
      'the request requires hipaa, eu; the target lacks hipaa, eu (it offers zdr)',
      'the request requires hipaa, eu; the target lacks hipaa, eu (it offers zdr)',
    ]);
    const none = refusal(() => planRoute(config(), input({ model: 'budget' }, { 'x-switchyard-data-class': 'hipaa' }), view()));
    expect(none.code).toBe('no_eligible_target');
    expect(none.message).toBe(
      "No target of 'budget' may serve this request: cheap/tiny: compliance (the request requires hipaa; the target lacks hipaa (it offers none))",
    );
    const bad = refusal(() => planRoute(config(), input({}, { 'x-switchyard-data-class': 'pci' }), view()));
    expect(bad.message).toBe('x-switchyard-data-class has an unknown data class "pci"; allowed: hipaa, zdr, no_training, eu (comma-separated)');
  });

  it('request fallbacks are filtered like the route: a compliance rule is never relaxed by failover', () => {
    const d = planRoute(config(), input({ fallbacks: ['cheap/tiny', 'eu/other'] }, { 'x-switchyard-data-class': 'eu' }), view());
    expect(keys(d)).toEqual(['eu/mid', 'eu/other']);
  });

  it('quality floor and cost ceiling of the class', () => {
    const c = config({ routing: { classes: { critical: { quality_floor: 4 }, thrifty: { max_cost_usd: 0.01 } } } });
    expect(keys(planRoute(c, input({}, { 'x-switchyard-class': 'critical' }), view()))).toEqual(['oa/big', 'eu/mid']);
    const crit = refusal(() => planRoute(c, input({ model: 'budget' }, { 'x-switchyard-class': 'critical' }), view()));
    expect(crit.message).toContain("cheap/tiny: quality_floor (class critical needs quality ≥ 4; the model's is 1)");
    // 4096 assumed output tokens at $10/M is $0.04: over the ceiling; $15/M likewise; $0.6/M fits.
    const t = planRoute(c, input({}, { 'x-switchyard-class': 'thrifty' }), view());
    expect(keys(t)).toEqual(['oa/small']);
    expect(t.excluded[0]!.detail).toMatch(/^estimated cost \$0\.04\d+ exceeds class thrifty's ceiling \$0\.01$/);
    expect(keys(planRoute(c, input({ max_tokens: 100 }, { 'x-switchyard-class': 'thrifty' }), view()))).toEqual(['oa/big', 'eu/mid', 'oa/small']);
    const unknown = refusal(() => planRoute(c, input({}, { 'x-switchyard-class': 'nope' }), view()));
    expect(unknown.message).toBe('x-switchyard-class names no traffic class "nope"; classes: critical, thrifty');
  });
});

describe('classes, rules and auto', () => {
  const c = config({
    models: { chat: { tiers: [['oa/big', 'eu/mid'], ['oa/small']] }, budget: { targets: ['cheap/tiny'] }, coder: { targets: ['eu/mid'] } },
    routing: {
      classes: {
        background: { hedge: false, degrade_to: 'budget', max_attempts: 2, deadline_ms: 60_000 },
        critical: { quality_floor: 4, max_fallback_depth: 0 },
      },
      rules: [
        { when: 'task == "code"', route: 'coder' },
        { when: 'header.x-team == "batch"', class: 'background' },
        { when: 'metadata.feature == "search"', strategy: 'weighted' },
      ],
      auto: { simple: 'budget', medium: 'chat', complex: 'coder' },
    },
  });

  it('rules choose the route, the class and the strategy, and the decision lists what matched', () => {
    const d = planRoute(
      c,
      input({ messages: [{ role: 'user', content: 'Fix this function:\n```ts\nfunction f(x: number) { return x +; }\n```' }] }, { 'x-team': 'batch' }),
      view(),
    );
    expect(d.route).toBe('coder');
    expect(d.class.name).toBe('background');
    expect(d.classSource).toBe('rule');
    expect(d.rules.map((r) => r.set)).toEqual([{ route: 'coder' }, { class: 'background' }]);
    // Background work may degrade to the budget route; it is never hedged; its limits apply.
    expect(keys(d)).toEqual(['eu/mid', 'cheap/tiny']);
    expect(d.maxAttempts).toBe(2);
    expect(d.deadlineMs).toBe(60_000);
    const w = planRoute(c, input({ metadata: { feature: 'search' } }), view());
    expect(w.strategy).toBe('weighted');
  });

  it('a class from the header wins over rules; critical work gets its floor and depth, never a downgrade', () => {
    const d = planRoute(c, input({}, { 'x-team': 'batch', 'x-switchyard-class': 'critical' }), view());
    expect(d.class.name).toBe('critical');
    expect(d.classSource).toBe('header');
    expect(keys(d)).toEqual(['oa/big', 'eu/mid']);
    expect(d.droppedTiers).toBe(1);
  });

  it('hedging per class: off for a class that says false, the class section where it has one, else the route section', () => {
    const h = config({
      models: { chat: { targets: ['oa/big', 'eu/mid'], hedge: { delay_ms: 400 } }, plain: { targets: ['oa/big', 'eu/mid'] } },
      routing: { classes: { off: { hedge: false }, eager: { hedge: { delay_ms: 50, budget_ratio: 0.2 } } } },
    });
    expect(planRoute(h, input(), view()).hedge?.delayMs).toBe(400);
    expect(planRoute(h, input({}, { 'x-switchyard-class': 'off' }), view()).hedge).toBeUndefined();
    expect(planRoute(h, input({}, { 'x-switchyard-class': 'eager' }), view()).hedge).toEqual({ delayMs: 50, maxHedges: 1, budgetRatio: 0.2 });
    expect(planRoute(h, input({ model: 'plain' }, { 'x-switchyard-class': 'eager' }), view()).hedge?.delayMs).toBe(50);
    expect(planRoute(h, input({ model: 'plain' }), view()).hedge).toBeUndefined();
  });

  it('auto picks the route by complexity', () => {
    const simple = planRoute(c, input({ model: 'auto', messages: [{ role: 'user', content: 'hi there' }] }), view());
    expect(simple.route).toBe('budget');
    expect(simple.why).toContain('auto: simple → budget');
    const complex = planRoute(
      c,
      input({
        model: 'auto',
        messages: [
          {
            role: 'user',
            content:
              'Design the architecture of a distributed rate limiter. Analyze the trade-offs step by step, prove the bound on over-admission, and compare three designs. '.repeat(
                6,
              ),
          },
        ],
        max_tokens: 8000,
      }),
      view(),
    );
    expect(complex.classification?.complexity).toBe('complex');
    const missing = refusal(() => planRoute(config(), input({ model: 'auto' }), view()));
    expect(missing.code).toBe('model_not_found');
  });

  it('config errors name the path, what is wrong and what is allowed', () => {
    const err = (routing: unknown): string => {
      try {
        config({ routing });
      } catch (e) {
        if (e instanceof ConfigError) return e.message;
        throw e;
      }
      return 'compiled';
    };
    expect(err({ rules: [{ when: 'tsk == "code"', route: 'chat' }] })).toContain('routing.rules[0].when: unknown');
    expect(err({ rules: [{ when: 'task == "code"' }] })).toContain('routing.rules[0]: does nothing: give at least one of route, class or strategy');
    expect(err({ rules: [{ when: 'task == "code"', route: 'chta' }] })).toContain(
      'routing.rules[0].route: names no public model "chta" (did you mean "chat"?)',
    );
    expect(err({ classes: { bg: { degrade_to: 'nope' } } })).toContain('routing.classes.bg.degrade_to: names no public model "nope"');
    expect(err({ default_class: 'x' })).toContain('routing.default_class: names no class "x"');
    expect(err({ auto: { simple: 'chat', medium: 'chat', complex: 'x' } })).toContain('routing.auto.complex: names no public model "x"');
  });
});

describe('availability, affinity and latency budget', () => {
  it('keeps unavailable targets in the plan, marked, for the executor to skip', () => {
    const d = planRoute(config(), input(), view({ unavailableUntil: (t: Target) => (t.model.id === 'big' ? 1000 : undefined) }));
    expect(d.candidates.map((c) => [c.key, c.available])).toEqual([
      ['oa/big', false],
      ['eu/mid', true],
      ['oa/small', true],
    ]);
  });

  it('a session stays on its target while it is in rotation, and says when it must move', () => {
    const pinned = view({ session: () => 'eu/mid' });
    const kept = planRoute(config(), input({}, { 'x-switchyard-session': 's1' }), pinned);
    expect(keys(kept)[0]).toBe('eu/mid');
    expect(kept.session).toEqual({ id: 's1', outcome: 'kept' });
    const down = planRoute(
      config(),
      input({ user: 'u1' }),
      view({ session: () => 'eu/mid', unavailableUntil: (t: Target) => (t.model.id === 'mid' ? 5 : undefined) }),
    );
    expect(keys(down)[0]).toBe('oa/big');
    expect(down.session).toEqual({ id: 'u1', outcome: 'moved', from: 'eu/mid' });
    expect(planRoute(config(), input({}, { 'x-switchyard-session': 's2' }), view()).session).toEqual({ id: 's2', outcome: 'new' });
    const off = config({ models: { chat: { targets: ['oa/big', 'eu/mid'], affinity: 'none' } } });
    expect(planRoute(off, input({}, { 'x-switchyard-session': 's1' }), pinned).session).toBeUndefined();
  });

  it('a latency budget puts targets whose recent p95 fits first', () => {
    const c = config({ routing: { classes: { interactive: { latency_budget_ms: 800 } } } });
    const d = planRoute(
      c,
      input({}, { 'x-switchyard-class': 'interactive' }),
      view({ stats: (t: Target) => ({ inFlight: 0, requests: 50, failures: 0, p95Ms: t.model.id === 'big' ? 2000 : 400 }) }),
    );
    expect(keys(d)).toEqual(['eu/mid', 'oa/big', 'oa/small']);
  });

  it('weighted tiers spread the first pick by weight over 10,000 plans', () => {
    const c = config({
      models: {
        chat: {
          strategy: 'weighted',
          targets: [
            { target: 'oa/big', weight: 90 },
            { target: 'eu/mid', weight: 10 },
          ],
        },
      },
    });
    const rng = createRng(42);
    let big = 0;
    for (let i = 0; i < 10_000; i++) if (planRoute(c, input(), view({ rng })).candidates[0]!.key === 'oa/big') big++;
    expect(big / 10_000).toBeGreaterThan(0.885);
    expect(big / 10_000).toBeLessThan(0.915);
  });
});

describe('explain', () => {
  // Spaced digits tokenize at about one token per two bytes, so the exact count is about twice the
  // quarter-of-the-bytes estimate that ranking uses. Prices are set so that the two counts rank the
  // targets differently: `lean` is cheaper below THRESHOLD prompt tokens, `flat` above it.
  const prompt = '7 '.repeat(2_000);
  const request: ChatRequest = { model: 'pair', messages: [{ role: 'user', content: prompt }], max_tokens: 1_000 };
  const estimate = Math.ceil(promptTokenUpperBound(request) / 4);
  const exact = (): number => countPromptTokens(request);

  function pricedPair(strategy: string): GatewayConfig {
    const threshold = (estimate + exact()) / 2;
    return compile(
      {
        providers: {
          p: {
            format: 'openai',
            base_url: 'http://127.0.0.1:4/v1',
            auth: 'none',
            models: {
              lean: { input_price: 2, output_price: 1 },
              flat: { input_price: 1, output_price: 1 + threshold / 1_000 },
            },
          },
        },
        models: { pair: { strategy, targets: ['p/flat', 'p/lean'] } },
      },
      { env: {}, source: 'test' },
    );
  }

  it.each(['cheapest', 'adaptive'])('ranks %s targets as the request itself would be ranked', (strategy) => {
    expect(exact()).toBeGreaterThan(estimate * 1.5); // the two counts are far enough apart to rank differently
    const c = pricedPair(strategy);
    const real = planRoute(c, { request, header: () => undefined }, view());
    const explained = planRoute(c, { request, header: () => undefined }, view(), { explain: true });
    expect(keys(real)).toEqual(['p/lean', 'p/flat']);
    expect(keys(explained)).toEqual(keys(real));
    expect(explained.candidates.map((x) => [x.score, x.costUsd])).toEqual(real.candidates.map((x) => [x.score, x.costUsd]));
    // Explain still reports the exact prompt token count.
    expect(explained.promptTokens).toEqual({ value: exact(), how: 'tokenizer' });
  });
});
