import type { ChatResponse } from '../api/chat.js';
import { compose, type Stage } from '../pipeline/compose.js';
import { type Endpoint, need, type RequestContext } from '../pipeline/context.js';
import { admit } from '../pipeline/stages/admit.js';
import { authenticate } from '../pipeline/stages/authenticate.js';
import { cacheLookup } from '../pipeline/stages/cache.js';
import { execute } from '../pipeline/stages/execute.js';
import { plan } from '../pipeline/stages/plan.js';
import { record } from '../pipeline/stages/record.js';
import { AnthropicSseSink, decodeMessages, encodeMessage } from './dialects/anthropic.js';
import { decodeChat, decodeEmbeddings, OpenAISseSink } from './dialects/openai.js';
import { sendJson } from './respond.js';
import { explain } from './stages/explain.js';
import { readBody } from './stages/read-body.js';
import { render } from './stages/render.js';

/** The stages a later issue fills in (tenancy, budgets, caching, the ledger); each passes through today. */
export type HookName = 'authenticate' | 'admit' | 'cacheLookup' | 'record';
export type Hooks = Partial<Record<HookName, Stage<RequestContext>>>;

/** An endpoint and its composed chain of stages. */
export interface Route {
  readonly endpoint: Endpoint;
  readonly run: (ctx: RequestContext) => Promise<void>;
}

/** What the informational routes read of the running gateway. */
export interface GatewayInfo {
  metrics(): Promise<{ contentType: string; body: string }>;
  targets(): unknown;
  ready(): { ready: boolean; status: string };
}

/**
 * Every route and the stages it runs, in order. This is the request's one path: each stage is a
 * named function in its own file (docs/lifecycle.md draws it).
 */
export function routes(info: GatewayInfo, hooks: Hooks = {}): Map<string, Route> {
  const h = { authenticate, admit, cacheLookup, record, ...hooks };
  // Answering a model: read body → authenticate → admit → cache lookup → plan → execute → record → render.
  const answer: Stage<RequestContext>[] = [readBody, h.authenticate, h.admit, h.cacheLookup, plan(), execute, h.record, render];
  // Explaining a plan calls no provider: nothing to cache, execute or record.
  const explaining: Stage<RequestContext>[] = [readBody, h.authenticate, h.admit, plan({ explain: true }), explain];
  const table: [Endpoint, Stage<RequestContext>[]][] = [
    [
      {
        path: '/v1/chat/completions',
        method: 'POST',
        dialect: 'openai',
        decode: decodeChat,
        sink: (ctx, headers) => new OpenAISseSink(ctx.res, headers),
        encode: (_ctx, value) => value,
      },
      answer,
    ],
    [
      {
        path: '/v1/messages',
        method: 'POST',
        dialect: 'anthropic',
        decode: decodeMessages,
        sink: (ctx, headers) => new AnthropicSseSink(ctx.res, headers, requestedModel(ctx)),
        encode: (ctx, value) => encodeMessage(requestedModel(ctx), value as ChatResponse),
      },
      answer,
    ],
    [{ path: '/v1/embeddings', method: 'POST', dialect: 'openai', decode: decodeEmbeddings, encode: (_ctx, value) => value }, answer],
    [{ path: '/v1/route/explain', method: 'POST', dialect: 'openai', decode: decodeChat }, explaining],
    [{ path: '/v1/models', method: 'GET', dialect: 'openai' }, [models]],
    [{ path: '/metrics', method: 'GET', dialect: 'openai' }, [metricsStage(info)]],
    [{ path: '/admin/targets', method: 'GET', dialect: 'openai' }, [json(() => ({ targets: info.targets() }))]],
    [{ path: '/healthz', method: 'GET', dialect: 'openai' }, [json(() => ({ status: 'ok' }))]],
    [{ path: '/readyz', method: 'GET', dialect: 'openai' }, [readyz(info)]],
  ];
  return new Map(table.map(([endpoint, stages]) => [endpoint.path, { endpoint, run: compose(stages) }]));
}

function requestedModel(ctx: RequestContext): string {
  return need(ctx.request, 'request').body.model;
}

/** The public model names, in OpenAI's list shape. `provider/model` addresses work too but are not listed. */
const models: Stage<RequestContext> = function models(ctx, next) {
  const created = Math.floor(Date.now() / 1000);
  const data = [...ctx.rt.config.models.values()].map((m) => ({
    id: m.name,
    object: 'model',
    created,
    owned_by: 'switchyard',
    targets: m.targets.map((t) => `${t.provider.name}/${t.model.id}`),
  }));
  sendJson(ctx.res, 200, { object: 'list', data }, ctx.headers);
  return next();
};

function json(body: () => unknown): Stage<RequestContext> {
  return function json(ctx, next) {
    sendJson(ctx.res, 200, body(), ctx.headers);
    return next();
  };
}

function metricsStage(info: GatewayInfo): Stage<RequestContext> {
  return async function metrics(ctx, next) {
    const { contentType, body } = await info.metrics();
    ctx.res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
    ctx.res.end(body);
    return next();
  };
}

function readyz(info: GatewayInfo): Stage<RequestContext> {
  return function readyz(ctx, next) {
    const { ready, status } = info.ready();
    const config = ctx.rt.config;
    if (ready) sendJson(ctx.res, 200, { status, providers: config.providers.size, models: config.models.size, sandbox: config.sandboxMode });
    else sendJson(ctx.res, 503, { status });
    return next();
  };
}
