import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postChat } from '../helpers/chat.js';
import { sample } from '../helpers/prometheus.js';
import { type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack(
    {
      providers: {
        'sb-openai': {
          sandbox: true,
          format: 'openai',
          models: { 'gpt-4o-mini': { quality: 2 }, slowpoke: { quality: 4 }, quick: { quality: 4 }, 'flaky@s': null },
        },
        'sb-anthropic': { sandbox: true, format: 'anthropic', compliance: ['hipaa', 'eu'], models: { 'claude-haiku-4-5': { quality: 4 } } },
        'sb-gemini': { sandbox: true, format: 'gemini', models: { 'gemini-2.5-flash': { quality: 3 } } },
      },
      models: {
        chat: { tiers: [['sb-openai/gpt-4o-mini', 'sb-anthropic/claude-haiku-4-5'], ['sb-gemini/gemini-2.5-flash']] },
        fastest: { strategy: 'least_latency', targets: ['sb-openai/slowpoke', 'sb-gemini/quick'] },
        sticky: { strategy: 'round_robin', targets: ['sb-openai/gpt-4o-mini', 'sb-gemini/gemini-2.5-flash', 'sb-anthropic/claude-haiku-4-5'] },
        'sticky-break': { strategy: 'round_robin', targets: ['sb-openai/error-503@st', 'sb-gemini/gemini-2.5-flash'] },
        hedged: { targets: ['sb-openai/slow-first-token@hc', 'sb-gemini/gemini-2.5-flash'], hedge: { delay_ms: 100, budget_ratio: 1 } },
        cheap: { targets: ['sb-openai/gpt-4o-mini'] },
      },
      routing: {
        classes: { critical: { quality_floor: 4 }, background: { hedge: false, degrade_to: 'cheap' } },
        rules: [{ when: 'header.x-team == "batch"', class: 'background' }],
        auto: { simple: 'cheap', medium: 'chat', complex: 'chat' },
      },
      resilience: { breaker: { consecutive_failures: 1 }, max_retries_per_target: 0 },
    },
    { models: { slowpoke: { first_token_ms: 120 }, quick: { first_token_ms: 5 } } },
  );
});
afterAll(() => stack.close());

interface Explained {
  route: string;
  class: { name: string; source: string };
  strategy: string;
  classification: { task: string; complexity: string } | null;
  excluded: { target: string; tier: number; rule: string; detail: string }[];
  candidates: { target: string; tier: number; available: boolean; timeouts_ms: Record<string, number> }[];
  rules: { index: number; set: Record<string, string> }[];
  hedge: unknown;
  why: string;
}

async function explain(
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Explained & { error?: { code: string; message: string } } }> {
  const res = await request(`${stack.url}/v1/route/explain`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'hello' }], ...body }),
  });
  return { status: res.statusCode, json: (await res.body.json()) as Explained & { error?: { code: string; message: string } } };
}

describe('explain and the route header', () => {
  it('explain returns the plan without calling a provider: classification, exclusions, ordered candidates, timeouts, hedging', async () => {
    const before = stack.sandbox.attempts().length;
    const { status, json } = await explain({ model: 'chat' }, { 'x-switchyard-class': 'critical' });
    expect(status).toBe(200);
    expect(json.route).toBe('chat');
    expect(json.class).toMatchObject({ name: 'critical', source: 'header' });
    expect(json.classification).toMatchObject({ task: 'chat', complexity: 'simple' });
    expect(json.excluded.map((e) => [e.target, e.rule])).toEqual([
      ['sb-openai/gpt-4o-mini', 'quality_floor'],
      ['sb-gemini/gemini-2.5-flash', 'quality_floor'],
    ]);
    expect(json.candidates.map((c) => c.target)).toEqual(['sb-anthropic/claude-haiku-4-5']);
    expect(json.candidates[0]!.timeouts_ms).toMatchObject({ connect: 5000, first_byte: 60000, first_token: 60000, idle: 30000 });
    expect(json.hedge).toBeNull();
    expect(stack.sandbox.attempts().length).toBe(before);

    const hedged = await explain({ model: 'hedged' });
    expect(hedged.json.hedge).toMatchObject({ delay_ms: 100, max_hedges: 1, idempotent: true });
  });

  it('every response names route, class, strategy, chosen target and why', async () => {
    const r = await postChat(stack.url, 'chat');
    expect(r.status).toBe(200);
    expect(r.headers['x-switchyard-route']).toBe('route=chat; class=default; strategy=priority; why="priority (declared order)"; target=sb-openai/gpt-4o-mini');
    const s = await postChat(stack.url, 'chat', { stream: true, headers: { 'x-switchyard-class': 'critical' } });
    expect(s.headers['x-switchyard-route']).toBe(
      'route=chat; class=critical; strategy=priority; why="only eligible target of its tier"; target=sb-anthropic/claude-haiku-4-5',
    );
  });

  it('the Anthropic Messages ingress is routed the same way and says so', async () => {
    const claude = new Anthropic({ baseURL: stack.url, apiKey: 'unused', maxRetries: 0 });
    const { response } = await claude.messages
      .create({ model: 'chat', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-switchyard-data-class': 'hipaa' } })
      .withResponse();
    expect(response.headers.get('x-switchyard-route')).toBe(
      'route=chat; class=default; strategy=priority; why="only eligible target of its tier"; target=sb-anthropic/claude-haiku-4-5',
    );
  });

  it('compliance: a request needing hipaa only reaches the provider that offers it; none qualifying is an explicit error naming the rule', async () => {
    const client = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const { response, data } = await client.chat.completions
      .create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-switchyard-data-class': 'hipaa' } })
      .withResponse();
    expect(response.headers.get('x-switchyard-provider')).toBe('sb-anthropic');
    expect(data.choices[0]!.message.content).toBeTruthy();
    const err = await client.chat.completions
      .create({ model: 'cheap', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-switchyard-data-class': 'hipaa' } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    const e = err as InstanceType<typeof OpenAI.BadRequestError>;
    expect(e.code).toBe('no_eligible_target');
    expect(e.message).toContain('sb-openai/gpt-4o-mini: compliance (the request requires hipaa; the target lacks hipaa');
  });

  it('auto sends simple work to the cheap route; a rule puts batch traffic in the background class, which never hedges', async () => {
    const simple = await postChat(stack.url, 'auto', { content: 'hi' });
    expect(simple.headers['x-switchyard-route']).toMatch(/^route=cheap; class=default; strategy=priority; why="auto: simple -> cheap; /);
    const batch = await explain({ model: 'hedged' }, { 'x-team': 'batch' });
    expect(batch.json.class).toMatchObject({ name: 'background', source: 'rule' });
    expect(batch.json.hedge).toBeNull();
    expect(batch.json.candidates.map((c) => c.target)).toEqual(['sb-openai/slow-first-token@hc', 'sb-gemini/gemini-2.5-flash', 'sb-openai/gpt-4o-mini']);
    const interactive = await postChat(stack.url, 'hedged');
    expect(interactive.headers['x-switchyard-fallback']).toContain(':hedge_lost'); // hedged
    const background = await postChat(stack.url, 'hedged', { headers: { 'x-team': 'batch' } });
    expect(background.headers['x-switchyard-provider']).toBe('sb-openai'); // waited for the slow primary: no hedge
    expect(background.ms).toBeGreaterThan(2500);
  });
});

describe('strategies against sandbox providers', () => {
  it('least latency converges on the fast target', async () => {
    const served: string[] = [];
    for (let i = 0; i < 30; i++) served.push((await postChat(stack.url, 'fastest')).headers['x-switchyard-model'] as string);
    const last = served.slice(10);
    expect(last.filter((m) => m === 'quick').length).toBeGreaterThanOrEqual(18);
  });

  it('a session stays on the target that served it while that target is healthy, and says so', async () => {
    const first = await postChat(stack.url, 'sticky', { headers: { 'x-switchyard-session': 'conv-1' } });
    expect(first.headers['x-switchyard-affinity']).toBe('new');
    const target = first.headers['x-switchyard-model'];
    for (let i = 0; i < 6; i++) {
      const r = await postChat(stack.url, 'sticky', { headers: { 'x-switchyard-session': 'conv-1' } });
      expect(r.headers['x-switchyard-model']).toBe(target);
      expect(r.headers['x-switchyard-affinity']).toBe('kept');
    }
    // Without a session, round robin spreads the same route over its targets.
    const spread = new Set<string>();
    for (let i = 0; i < 3; i++) spread.add((await postChat(stack.url, 'sticky')).headers['x-switchyard-model'] as string);
    expect(spread.size).toBe(3);
  });

  it('a session whose target breaks moves, and the response says from where', async () => {
    // Round robin: find a session pinned to the failing target's healthy neighbour first, then break.
    const r1 = await postChat(stack.url, 'sticky-break', { headers: { 'x-switchyard-session': 'conv-2' } });
    expect(r1.headers['x-switchyard-model']).toBe('gemini-2.5-flash');
    expect(r1.headers['x-switchyard-affinity']).toBe('new');
    // The session is pinned to gemini; now pin it to the broken one by hand to see it move.
    stack.gateway.router.served('conv-3', 'sb-openai/error-503@st');
    const r2 = await postChat(stack.url, 'sticky-break', { headers: { 'x-switchyard-session': 'conv-3' } });
    expect(r2.headers['x-switchyard-model']).toBe('gemini-2.5-flash');
    expect(r2.headers['x-switchyard-affinity']).toBe('moved; from=sb-openai/error-503@st');
  });

  it('/metrics counts decisions by model, class and strategy, and exclusions by rule', async () => {
    const metrics = async () => (await request(`${stack.url}/metrics`)).body.text();
    const fastest = { model: 'fastest', class: 'default', strategy: 'least_latency' };
    // Counted from here, so the figure does not depend on which tests ran before.
    const before = sample(await metrics(), 'switchyard_route_decisions_total', fastest) ?? 0;
    await postChat(stack.url, 'fastest');
    await postChat(stack.url, 'chat', { headers: { 'x-switchyard-class': 'critical' } });
    const text = await metrics();
    expect(sample(text, 'switchyard_route_decisions_total', { model: 'chat', class: 'critical', strategy: 'priority' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'switchyard_route_exclusions_total', { model: 'chat', rule: 'quality_floor' })).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'switchyard_route_decisions_total', fastest)).toBe(before + 1);
  });
});
