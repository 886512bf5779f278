import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/core/errors.js';
import type { Stage } from '../../src/pipeline/compose.js';
import type { RequestContext } from '../../src/pipeline/context.js';
import { type Stack, startStack } from '../helpers/stack.js';

/**
 * The stage contract (issue 9): a hook can end a request with a clean OpenAI- or Anthropic-shaped
 * error, a hook's exception is a 500 with the request id (never a crash), a wrapping hook's
 * `finally` runs however the request ends, a cache hook can answer without planning or calling a
 * provider, and record sees the answer.
 */

type Behaviour = 'pass' | 'refuse' | 'throw';
const behaviour: Record<'authenticate' | 'admit', Behaviour> = { authenticate: 'pass', admit: 'pass' };
const released: string[] = [];
const recorded: { target: string; usage: unknown; inBandError: unknown }[] = [];
let cached: unknown;

const authenticate: Stage<RequestContext> = async function authenticate(ctx, next) {
  if (behaviour.authenticate === 'refuse') throw new GatewayError('invalid_request', 'the test refuses this caller', { param: 'authorization' });
  if (behaviour.authenticate === 'throw') throw new TypeError('a bug in a hook');
  ctx.identity = { name: 'test-key' };
  return next();
};

const admit: Stage<RequestContext> = async function admit(ctx, next) {
  if (behaviour.admit === 'refuse') throw new GatewayError('rate_limited', 'the test limit is reached', { headers: { 'retry-after': '7' } });
  try {
    await next();
  } finally {
    released.push(ctx.id);
  }
};

const cacheLookup: Stage<RequestContext> = async function cacheLookup(ctx, next) {
  if (cached !== undefined && ctx.request?.op === 'chat' && ctx.request.body.stream !== true) {
    ctx.res.writeHead(200, { ...ctx.headers, 'content-type': 'application/json', 'x-test-cache': 'hit' });
    ctx.res.end(JSON.stringify(cached));
    return;
  }
  return next();
};

const record: Stage<RequestContext> = async function record(ctx, next) {
  const a = ctx.answer!;
  recorded.push({ target: `${a.target.provider.name}/${a.target.model.id}`, usage: a.usage, inBandError: a.inBandError });
  return next();
};

let stack: Stack;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  stack = await startStack({ models: { fast: { targets: ['sb-openai/gpt-4o-mini'] } } }, undefined, { hooks: { authenticate, admit, cacheLookup, record } });
  openai = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: 'x', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: stack.url, apiKey: 'x', maxRetries: 0 });
});
afterAll(() => stack.close());
beforeEach(() => {
  behaviour.authenticate = 'pass';
  behaviour.admit = 'pass';
  released.length = 0;
  recorded.length = 0;
  cached = undefined;
  stack.sandbox.reset();
});

const hi = [{ role: 'user' as const, content: 'hi' }];

describe('a hook ends a request with a clean error in the client’s dialect', () => {
  it('OpenAI shape on /v1/chat/completions, with its status, headers and the request id; no provider is asked', async () => {
    behaviour.admit = 'refuse';
    const err = await openai.chat.completions.create({ model: 'fast', messages: hi }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const e = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.status).toBe(429);
    expect(e.error).toMatchObject({ code: 'rate_limited', message: 'the test limit is reached', type: 'rate_limit_error' });
    expect(e.headers.get('retry-after')).toBe('7');
    expect(e.headers.get('x-switchyard-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(stack.sandbox.attempts()).toEqual([]);
  });

  it('Anthropic shape on /v1/messages', async () => {
    behaviour.authenticate = 'refuse';
    const err = await anthropic.messages.create({ model: 'fast', max_tokens: 5, messages: hi }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'authorization: the test refuses this caller' },
    });
  });
});

describe('a hook that throws', () => {
  it('is a 500 internal_error with the request id, logged with its stack; the gateway keeps serving', async () => {
    behaviour.authenticate = 'throw';
    for (const path of ['/v1/chat/completions', '/v1/messages']) {
      const res = await request(`${stack.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'fast', max_tokens: 5, messages: hi }),
      });
      const body = (await res.body.json()) as { error: { type: string; code?: string; message: string } };
      expect(res.statusCode).toBe(500);
      const id = res.headers['x-switchyard-request-id'];
      expect(body.error.message).toContain('x-switchyard-request-id');
      expect(body.error.message).not.toContain('a bug in a hook');
      expect(
        stack.logs.some((l) => l.event === 'internal_error' && l.fields.request_id === id && String(l.fields.error).includes('TypeError: a bug in a hook')),
      ).toBe(true);
    }
    behaviour.authenticate = 'pass';
    const ok = await openai.chat.completions.create({ model: 'fast', messages: hi });
    expect(ok.choices[0]?.message.content).toContain('Sandbox');
  });
});

describe('a wrapping hook', () => {
  it('releases after a JSON answer, a complete stream, and a stream the client abandons', async () => {
    await openai.chat.completions.create({ model: 'fast', messages: hi });
    const s = await openai.chat.completions.create({ model: 'fast', messages: hi, stream: true });
    for await (const _ of s) {
      // read to the end
    }
    const controller = new AbortController();
    const cut = await openai.chat.completions.create(
      { model: 'sb-openai/slow-first-token@abandon', messages: hi, stream: true },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 100);
    await (async () => {
      for await (const _ of cut) {
        // aborted by the client
      }
    })().catch(() => undefined);
    await expect.poll(() => released.length, { timeout: 5000 }).toBe(3);
    expect(new Set(released).size).toBe(3);
  });
});

describe('record', () => {
  it('sees the answering target and the usage of JSON and stream answers', async () => {
    await openai.chat.completions.create({ model: 'fast', messages: hi });
    const s = await openai.chat.completions.create({ model: 'fast', messages: hi, stream: true, stream_options: { include_usage: true } });
    for await (const _ of s) {
      // read to the end
    }
    expect(recorded).toEqual([
      { target: 'sb-openai/gpt-4o-mini', usage: expect.objectContaining({ prompt_tokens: 1 }), inBandError: undefined },
      { target: 'sb-openai/gpt-4o-mini', usage: expect.objectContaining({ prompt_tokens: 1 }), inBandError: undefined },
    ]);
  });
});

describe('a cache hook', () => {
  it('answers without planning or calling a provider', async () => {
    cached = {
      id: 'cached',
      object: 'chat.completion',
      created: 1,
      model: 'fast',
      choices: [{ index: 0, message: { role: 'assistant', content: 'from cache' }, finish_reason: 'stop' }],
    };
    const { data, response } = await openai.chat.completions.create({ model: 'fast', messages: hi }).withResponse();
    expect(data.choices[0]?.message.content).toBe('from cache');
    expect(response.headers.get('x-test-cache')).toBe('hit');
    expect(response.headers.get('x-switchyard-route')).toBeNull();
    expect(stack.sandbox.attempts()).toEqual([]);
    expect(recorded).toEqual([]);
  });
});
