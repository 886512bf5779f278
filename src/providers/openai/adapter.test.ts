import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../api/chat.js';
import { compile } from '../../config/compile.js';
import { resolveTargetRef } from '../../config/targets.js';
import type { Target } from '../../config/types.js';
import { failure } from '../../core/failure.js';
import { applySharedRules } from '../failure.js';
import type { DecodeContext, StreamItem } from '../types.js';
import { openaiAdapter } from './adapter.js';

const config = compile(
  {
    providers: {
      openai: { format: 'openai', base_url: 'https://api.openai.com/v1', api_key: '${OPENAI_API_KEY}' },
      azure: {
        format: 'azure',
        base_url: 'https://res.openai.azure.com',
        api_key: '${AZURE_OPENAI_API_KEY}',
        api_version: '2024-10-21',
        models: { 'gpt-4o': { deployment: 'prod-gpt4o' } },
      },
      groq: { preset: 'groq' },
    },
  },
  { env: { OPENAI_API_KEY: 'k1', AZURE_OPENAI_API_KEY: 'k2', GROQ_API_KEY: 'k3' }, source: 'test' },
);
const target = (ref: string): Target => resolveTargetRef(config, ref)!;
const ctx = (t: Target, request: ChatRequest): DecodeContext => ({ request, target: t, requestId: 'req-1', created: 1 });

const request: ChatRequest = {
  model: 'fast',
  messages: [{ role: 'user', content: 'hi' }],
  temperature: 0.3,
  logit_bias: { '50256': -100 },
  fallbacks: ['groq/llama-3.1-8b-instant'],
};

describe('openai adapter: requests', () => {
  it('passes the request through with the upstream model, unknown OpenAI fields kept, Switchyard fields dropped', () => {
    const up = openaiAdapter.buildChatRequest(request, target('openai/gpt-4o-mini'), false);
    expect(up.url).toBe('https://api.openai.com/v1/chat/completions');
    expect(up.headers).toMatchObject({ 'content-type': 'application/json', accept: 'application/json' });
    expect(up.headers.authorization).toBeUndefined(); // transport adds credentials
    const body = JSON.parse(up.body) as Record<string, unknown>;
    expect(body).toEqual({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], temperature: 0.3, logit_bias: { '50256': -100 } });
  });

  it('asks every stream for usage, keeping what the client set', () => {
    const up = openaiAdapter.buildChatRequest(
      { ...request, stream: true, stream_options: { include_usage: false } },
      target('groq/llama-3.1-8b-instant'),
      true,
    );
    expect(up.url).toBe('https://api.groq.com/openai/v1/chat/completions');
    expect(up.headers.accept).toBe('text/event-stream');
    const body = JSON.parse(up.body) as { stream: boolean; stream_options: { include_usage: boolean }; model: string };
    expect(body.stream).toBe(true);
    expect(body.stream_options.include_usage).toBe(true);
    expect(body.model).toBe('llama-3.1-8b-instant');
  });

  it('builds Azure deployment URLs with api-version', () => {
    const declared = openaiAdapter.buildChatRequest(request, target('azure/gpt-4o'), false);
    expect(declared.url).toBe('https://res.openai.azure.com/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21');
    const undeclared = openaiAdapter.buildEmbeddingsRequest!({ model: 'e', input: 'x', fallbacks: ['openai/x'] }, target('azure/text-embedding-3-small'));
    expect(undeclared.url).toBe('https://res.openai.azure.com/openai/deployments/text-embedding-3-small/embeddings?api-version=2024-10-21');
    expect(JSON.parse(undeclared.body)).toEqual({ model: 'text-embedding-3-small', input: 'x' });
  });
});

describe('openai adapter: responses and streams', () => {
  it('keeps the answering model, fills a missing id, and normalises Groq and DeepSeek usage', () => {
    const t = target('openai/gpt-4o-mini');
    const res = openaiAdapter.parseChatResponse(
      {
        object: 'chat.completion',
        created: 1,
        model: 'deepseek-chat',
        choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop', logprobs: null }],
        usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12, prompt_cache_hit_tokens: 8, prompt_cache_miss_tokens: 2 },
      },
      ctx(t, request),
    );
    expect(res.id).toBe('req-1');
    expect(res.model).toBe('deepseek-chat');
    expect(res.usage?.prompt_tokens_details?.cached_tokens).toBe(8);
    expect(() => openaiAdapter.parseChatResponse({ error: 'x' }, ctx(t, request))).toThrow(/no choices/);
  });

  it('decodes a stream: chunks forwarded raw when unchanged, usage from x_groq, [DONE] ends it, junk is malformed', () => {
    const t = target('groq/llama-3.1-8b-instant');
    const d = openaiAdapter.streamDecoder(ctx(t, request));
    const chunk: OpenAI.Chat.Completions.ChatCompletionChunk = {
      id: 'c1',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'llama-3.1-8b-instant',
      choices: [{ index: 0, delta: { content: 'Hel' }, finish_reason: null }],
    };
    const raw = JSON.stringify(chunk);
    expect(d.decode({ data: raw })).toEqual([{ kind: 'chunk', chunk, raw }]);
    const withGroqUsage = { ...chunk, choices: [], x_groq: { usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } } };
    const [item] = d.decode({ data: JSON.stringify(withGroqUsage) }) as [Extract<StreamItem, { kind: 'chunk' }>];
    expect(item.chunk.usage).toEqual({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
    expect(item.raw).toBeUndefined(); // changed: must be re-serialised
    expect(d.decode({ data: '{"choices": [' })[0]?.kind).toBe('malformed');
    expect(d.decode({ data: '[DONE]' })).toEqual([{ kind: 'done' }]);
  });

  it('reports an in-band stream error as a classified failure', () => {
    const d = openaiAdapter.streamDecoder(ctx(target('openai/gpt-4o'), request));
    const [item] = d.decode({ data: JSON.stringify({ error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }) });
    expect(item).toMatchObject({ kind: 'error', failure: { reason: 'rate_limited', disposition: 'retry', phase: 'stream' } });
  });
});

describe('openai adapter: errors', () => {
  const classify = openaiAdapter.classifyError;
  it.each([
    [
      429,
      { error: { message: 'Rate limit reached for gpt-4o', type: 'requests', code: 'rate_limit_exceeded' } },
      { 'retry-after-ms': '1500' },
      'rate_limited',
      'retry',
      1500,
    ],
    [
      429,
      { error: { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' } },
      {},
      'rate_limited',
      'fallback',
      undefined,
    ],
    [
      400,
      { error: { message: "This model's maximum context length is 128000 tokens.", type: 'invalid_request_error', code: 'context_length_exceeded' } },
      {},
      'context_length_exceeded',
      'fallback',
      undefined,
    ],
    [
      400,
      { error: { message: 'The response was filtered', type: 'invalid_request_error', code: 'content_filter' } },
      {},
      'content_filtered',
      'fatal',
      undefined,
    ],
    [
      400,
      { error: { message: "Invalid value for 'temperature'", type: 'invalid_request_error', param: 'temperature', code: null } },
      {},
      'bad_request',
      'fatal',
      undefined,
    ],
    [401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } }, {}, 'auth', 'fallback', undefined],
    [
      404,
      { error: { message: 'The model `gpt-5x` does not exist', type: 'invalid_request_error', code: 'model_not_found' } },
      {},
      'not_found',
      'fallback',
      undefined,
    ],
    [500, 'upstream connect error', {}, 'server_error', 'retry', undefined],
    [503, { error: { message: 'The engine is currently overloaded', type: 'server_error' } }, { 'retry-after': '2' }, 'overloaded', 'retry', 2000],
  ] as const)('HTTP %i → %s', (status, body, headers, reason, disposition, retryAfterMs) => {
    const f = classify(status, body, headers);
    expect(f.reason).toBe(reason);
    expect(f.disposition).toBe(disposition);
    expect(f.status).toBe(status);
    expect(f.retryAfterMs).toBe(retryAfterMs);
  });
});

describe('prefill refusals in any wire format', () => {
  it('are recognised by the shared rules and left for another target', () => {
    const f = applySharedRules(
      openaiAdapter.classifyError(
        400,
        {
          error: {
            message: 'This model does not support assistant message prefill. The conversation must end with a user message.',
            type: 'invalid_request_error',
          },
        },
        {},
      ),
    );
    expect(f).toMatchObject({ reason: 'bad_request', disposition: 'fallback', upstreamCode: 'prefill_unsupported' });
  });
});

describe('shared rules after any adapter', () => {
  it('turn a prefill refusal a format-specific classifier called fatal into a fallback', () => {
    const fatal = failure(
      'bad_request',
      'ValidationException: A conversation must end with a user message. Try again with a conversation that ends with a user message.',
      { status: 400, upstreamCode: 'ValidationException' },
    );
    expect(fatal.disposition).toBe('fatal');
    expect(applySharedRules(fatal)).toMatchObject({ disposition: 'fallback', upstreamCode: 'prefill_unsupported' });
    const other = failure('bad_request', "Invalid value for 'temperature'", { status: 400 });
    expect(applySharedRules(other)).toBe(other);
  });
});
