import { describe, expect, it } from 'vitest';
import { sample } from '../../test/helpers/prometheus.js';
import { compile } from '../config/compile.js';
import type { TargetSnapshot } from '../pipeline/targets.js';
import type { BreakerSnapshot, BreakerState } from '../resilience/breaker.js';
import { EventBus } from './events.js';
import { createMetrics, targetLabeler } from './metrics.js';

const config = compile(
  {
    providers: {
      'sb-openai': { sandbox: true, format: 'openai', models: { 'declared-model': null } },
      'sb-gemini': { sandbox: true, format: 'gemini' },
    },
    models: { chat: { targets: ['sb-openai/gpt-4o-mini', 'sb-gemini/gemini-2.5-flash'] } },
  },
  { env: {}, source: 'test', sandboxUrl: 'http://127.0.0.1:9' },
);

function setup(targets: TargetSnapshot[] = []) {
  const events = new EventBus();
  const metrics = createMetrics(events, { config, targets: () => targets, processMetrics: false });
  return { events, metrics };
}

function snap(target: string, state: BreakerState): TargetSnapshot {
  const breaker: BreakerSnapshot = { state, failures: 0, total: 0, consecutiveFailures: 0, opens: 0 };
  return { target, breaker, retry_budget: 10, cooling_off_ms: 0 };
}

describe('target label cardinality', () => {
  const label = targetLabeler(config);

  it('keeps the name of a public model target and of a model declared under a provider', () => {
    expect(label('sb-openai/gpt-4o-mini')).toBe('sb-openai/gpt-4o-mini');
    expect(label('sb-gemini/gemini-2.5-flash')).toBe('sb-gemini/gemini-2.5-flash');
    expect(label('sb-openai/declared-model')).toBe('sb-openai/declared-model');
  });

  it('folds any other model of a configured provider into <provider>/other', () => {
    expect(label('sb-openai/whatever-a-client-typed')).toBe('sb-openai/other');
    expect(label('sb-gemini/gemini-2.5-flash-x')).toBe('sb-gemini/other');
    expect(label('sb-openai/vendor/with/slashes')).toBe('sb-openai/other');
  });

  it('folds an unknown provider (or a malformed key) into other', () => {
    expect(label('nope/gpt-4o')).toBe('other');
    expect(label('no-slash')).toBe('other');
    expect(label('/x')).toBe('other');
  });

  it('applies to every metric with a target label', async () => {
    const { events, metrics } = setup();
    for (let i = 0; i < 50; i++) {
      const target = `sb-openai/random-${i}`;
      events.emit('attempt', { target, provider: 'sb-openai', outcome: 'ok', status: 200, durationMs: 10, firstTokenMs: 5, stream: false });
      events.emit('retry', { target, reason: 'backoff', delayMs: 10 });
      events.emit('fallback', { from: target, reason: 'retries_exhausted' });
      events.emit('hedge', { primary: target, hedge: 'sb-gemini/gemini-2.5-flash', delayMs: 100 });
      events.emit('breaker', { target, from: 'closed', to: 'open' });
    }
    const text = await metrics.render();
    expect(sample(text, 'switchyard_upstream_attempts_total', { target: 'sb-openai/other', provider: 'sb-openai', outcome: 'ok' })).toBe(50);
    expect(sample(text, 'switchyard_first_token_seconds_count', { target: 'sb-openai/other', stream: 'false' })).toBe(50);
    expect(sample(text, 'switchyard_retries_total', { target: 'sb-openai/other', reason: 'backoff' })).toBe(50);
    expect(sample(text, 'switchyard_fallbacks_total', { target: 'sb-openai/other', reason: 'retries_exhausted' })).toBe(50);
    expect(sample(text, 'switchyard_hedges_total', { target: 'sb-openai/other' })).toBe(50);
    expect(sample(text, 'switchyard_breaker_transitions_total', { target: 'sb-openai/other', from: 'closed', to: 'open' })).toBe(50);
    expect(text).not.toContain('random-');
  });
});

describe('metrics from events', () => {
  it('counts requests by route, stream, status and code, with "" for success', async () => {
    const { events, metrics } = setup();
    events.emit('request', { route: '/v1/chat/completions', stream: false, status: 200, durationMs: 120 });
    events.emit('request', { route: '/v1/chat/completions', stream: false, status: 200, durationMs: 3000 });
    events.emit('request', { route: '/v1/chat/completions', stream: true, status: 200, durationMs: 800, code: 'upstream_error' });
    events.emit('request', { route: '/v1/messages', stream: false, status: 502, durationMs: 40, code: 'all_targets_failed' });
    const text = await metrics.render();
    expect(sample(text, 'switchyard_requests_total', { route: '/v1/chat/completions', stream: 'false', status: '200', code: '' })).toBe(2);
    expect(sample(text, 'switchyard_requests_total', { route: '/v1/chat/completions', stream: 'true', status: '200', code: 'upstream_error' })).toBe(1);
    expect(sample(text, 'switchyard_requests_total', { route: '/v1/messages', stream: 'false', status: '502', code: 'all_targets_failed' })).toBe(1);

    const h = { route: '/v1/chat/completions', stream: 'false' };
    expect(sample(text, 'switchyard_request_duration_seconds_count', h)).toBe(2);
    expect(sample(text, 'switchyard_request_duration_seconds_sum', h)).toBeCloseTo(3.12, 9);
    expect(sample(text, 'switchyard_request_duration_seconds_bucket', { ...h, le: '0.05' })).toBe(0);
    expect(sample(text, 'switchyard_request_duration_seconds_bucket', { ...h, le: '0.25' })).toBe(1);
    expect(sample(text, 'switchyard_request_duration_seconds_bucket', { ...h, le: '2' })).toBe(1);
    expect(sample(text, 'switchyard_request_duration_seconds_bucket', { ...h, le: '4' })).toBe(2);
    expect(sample(text, 'switchyard_request_duration_seconds_bucket', { ...h, le: '120' })).toBe(2);
    expect(sample(text, 'switchyard_request_duration_seconds_bucket', { ...h, le: '+Inf' })).toBe(2);
    expect(sample(text, 'switchyard_request_duration_seconds_bucket', { route: '/v1/messages', stream: 'false', le: '0.05' })).toBe(1);
  });

  it('counts attempts by outcome, times them by provider, and times first tokens of successes only', async () => {
    const { events, metrics } = setup();
    const t = 'sb-openai/gpt-4o-mini';
    events.emit('attempt', { target: t, provider: 'sb-openai', outcome: 'overloaded', status: 503, durationMs: 30, stream: true });
    events.emit('attempt', { target: t, provider: 'sb-openai', outcome: 'overloaded', status: 503, durationMs: 70, stream: true });
    events.emit('attempt', { target: t, provider: 'sb-openai', outcome: 'ok', status: 200, durationMs: 2500, firstTokenMs: 400, stream: true });
    events.emit('attempt', { target: 'sb-gemini/gemini-2.5-flash', provider: 'sb-gemini', outcome: 'hedge_lost', durationMs: 900, stream: false });
    const text = await metrics.render();
    expect(sample(text, 'switchyard_upstream_attempts_total', { target: t, provider: 'sb-openai', outcome: 'overloaded' })).toBe(2);
    expect(sample(text, 'switchyard_upstream_attempts_total', { target: t, provider: 'sb-openai', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'switchyard_upstream_attempts_total', { target: 'sb-gemini/gemini-2.5-flash', provider: 'sb-gemini', outcome: 'hedge_lost' })).toBe(1);

    expect(sample(text, 'switchyard_upstream_attempt_duration_seconds_count', { provider: 'sb-openai', outcome: 'overloaded' })).toBe(2);
    expect(sample(text, 'switchyard_upstream_attempt_duration_seconds_bucket', { provider: 'sb-openai', outcome: 'overloaded', le: '0.05' })).toBe(1);
    expect(sample(text, 'switchyard_upstream_attempt_duration_seconds_sum', { provider: 'sb-openai', outcome: 'ok' })).toBe(2.5);

    expect(sample(text, 'switchyard_first_token_seconds_count', { target: t, stream: 'true' })).toBe(1);
    expect(sample(text, 'switchyard_first_token_seconds_sum', { target: t, stream: 'true' })).toBe(0.4);
    expect(sample(text, 'switchyard_first_token_seconds_bucket', { target: t, stream: 'true', le: '0.25' })).toBe(0);
    expect(sample(text, 'switchyard_first_token_seconds_bucket', { target: t, stream: 'true', le: '0.5' })).toBe(1);
    expect(text).not.toMatch(/switchyard_first_token_seconds_count\{[^}]*sb-gemini/);
  });

  it('counts retries, fallbacks, hedges and breaker transitions', async () => {
    const { events, metrics } = setup();
    const t = 'sb-openai/gpt-4o-mini';
    events.emit('retry', { target: t, reason: 'backoff', delayMs: 200 });
    events.emit('retry', { target: t, reason: 'backoff', delayMs: 400 });
    events.emit('retry', { target: t, reason: 'retry_after', delayMs: 1000 });
    events.emit('fallback', { from: t, reason: 'retries_exhausted' });
    events.emit('hedge', { primary: t, hedge: 'sb-gemini/gemini-2.5-flash', delayMs: 300 });
    events.emit('breaker', { target: t, from: 'closed', to: 'open' });
    events.emit('breaker', { target: t, from: 'open', to: 'half_open' });
    events.emit('breaker', { target: t, from: 'half_open', to: 'open' });
    const text = await metrics.render();
    expect(sample(text, 'switchyard_retries_total', { target: t, reason: 'backoff' })).toBe(2);
    expect(sample(text, 'switchyard_retries_total', { target: t, reason: 'retry_after' })).toBe(1);
    expect(sample(text, 'switchyard_fallbacks_total', { target: t, reason: 'retries_exhausted' })).toBe(1);
    expect(sample(text, 'switchyard_hedges_total', { target: t })).toBe(1);
    expect(sample(text, 'switchyard_hedges_total', { target: 'sb-gemini/gemini-2.5-flash' })).toBeUndefined();
    expect(sample(text, 'switchyard_breaker_transitions_total', { target: t, from: 'closed', to: 'open' })).toBe(1);
    expect(sample(text, 'switchyard_breaker_transitions_total', { target: t, from: 'open', to: 'half_open' })).toBe(1);
    expect(sample(text, 'switchyard_breaker_transitions_total', { target: t, from: 'half_open', to: 'open' })).toBe(1);
  });
});

describe('breaker state gauge', () => {
  it('reads the target states at scrape time: 0 closed, 1 half_open, 2 open; declared targets start closed', async () => {
    const targets: TargetSnapshot[] = [];
    const { metrics } = setup(targets);
    let text = await metrics.render();
    expect(sample(text, 'switchyard_breaker_state', { target: 'sb-openai/gpt-4o-mini' })).toBe(0);
    expect(sample(text, 'switchyard_breaker_state', { target: 'sb-gemini/gemini-2.5-flash' })).toBe(0);
    expect(sample(text, 'switchyard_breaker_state', { target: 'sb-openai/declared-model' })).toBe(0);
    expect(sample(text, 'switchyard_breaker_state', { target: 'sb-openai/other' })).toBeUndefined();

    targets.push(snap('sb-openai/gpt-4o-mini', 'open'), snap('sb-gemini/gemini-2.5-flash', 'half_open'));
    text = await metrics.render();
    expect(sample(text, 'switchyard_breaker_state', { target: 'sb-openai/gpt-4o-mini' })).toBe(2);
    expect(sample(text, 'switchyard_breaker_state', { target: 'sb-gemini/gemini-2.5-flash' })).toBe(1);

    targets.length = 0;
    targets.push(snap('sb-openai/gpt-4o-mini', 'closed'));
    text = await metrics.render();
    expect(sample(text, 'switchyard_breaker_state', { target: 'sb-openai/gpt-4o-mini' })).toBe(0);
    expect(sample(text, 'switchyard_breaker_state', { target: 'sb-gemini/gemini-2.5-flash' })).toBe(0);
  });

  it('reports the worst state of the undeclared targets folded into one label, and drops it when they go', async () => {
    const targets = [snap('sb-openai/a', 'closed'), snap('sb-openai/b', 'open'), snap('sb-openai/c', 'half_open')];
    const { metrics } = setup(targets);
    let text = await metrics.render();
    expect(sample(text, 'switchyard_breaker_state', { target: 'sb-openai/other' })).toBe(2);
    targets.length = 0;
    text = await metrics.render();
    expect(sample(text, 'switchyard_breaker_state', { target: 'sb-openai/other' })).toBeUndefined();
  });
});

describe('registry', () => {
  it('is private to each instance: two gateways in one process neither collide nor share counts', async () => {
    const a = setup();
    const b = setup();
    a.events.emit('request', { route: '/v1/models', stream: false, status: 200, durationMs: 1 });
    const labels = { route: '/v1/models', stream: 'false', status: '200', code: '' };
    expect(sample(await a.metrics.render(), 'switchyard_requests_total', labels)).toBe(1);
    expect(sample(await b.metrics.render(), 'switchyard_requests_total', labels)).toBeUndefined();
  });

  it('serves the Prometheus text format, with process metrics unless turned off', async () => {
    const events = new EventBus();
    const m = createMetrics(events, { config, targets: () => [] });
    expect(m.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await m.render();
    expect(text).toContain('# TYPE switchyard_requests_total counter');
    expect(text).toContain('# TYPE switchyard_breaker_state gauge');
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes /m);
    expect(await setup().metrics.render()).not.toContain('process_cpu_user_seconds_total');
  });
});
