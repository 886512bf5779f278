import type { IncomingMessage } from 'node:http';
import type { ChatRequest } from '../../api/chat.js';
import type { EmbeddingsRequest } from '../../api/embeddings.js';
import type { WireFormat } from '../../config/types.js';
import { invalid } from '../../core/errors.js';
import { formatsWith } from '../../providers/registry.js';
import type { RouteInput } from '../../routing/planner.js';
import type { Stage } from '../compose.js';
import { type CanonicalRequest, need, type RequestContext } from '../context.js';
import { makePlan, ROUTE_HEADER } from '../plan.js';

const IDEMPOTENT_HEADER = 'x-switchyard-idempotent';
const EMBEDDING_FORMATS: ReadonlySet<WireFormat> = formatsWith('embeddings');

/** `x-switchyard-idempotent: false` marks a request that must not be sent twice (no hedging); `true` or absent allows it. */
export function idempotentHeader(req: IncomingMessage): boolean {
  const v = req.headers[IDEMPOTENT_HEADER];
  if (v === undefined || v === 'true') return true;
  if (v === 'false') return false;
  throw invalid(IDEMPOTENT_HEADER, `${IDEMPOTENT_HEADER} must be true or false, got ${JSON.stringify(v)}`);
}

/**
 * plan: which targets, in what order, with what limits. The routing engine decides once; the
 * decision becomes `ctx.plan`, a value the executor only reads. With `explain`, nothing advances
 * (round-robin turns stay), so explain shows the plan the next real request gets.
 */
export function plan(opts: { explain?: boolean } = {}): Stage<RequestContext> {
  const explain = opts.explain === true;
  return function plan(ctx, next) {
    const decision = ctx.rt.router.plan(routeInput(ctx, need(ctx.request, 'request')), explain ? { explain } : {});
    if (!explain) {
      ctx.rt.events.emit('route', {
        route: decision.route,
        class: decision.class.name,
        strategy: decision.strategy,
        excluded: decision.excluded.map((e) => e.rule),
      });
    }
    ctx.plan = makePlan(decision, { startedAt: ctx.startedAt, deadlineAt: ctx.deadlineAt, idempotent: idempotentHeader(ctx.req) });
    ctx.headers[ROUTE_HEADER] = ctx.plan.routeHeader;
    return next();
  };
}

/** What routing reads of a request: the canonical body and the headers (lower-cased names, as node gives them). */
function routeInput(ctx: RequestContext, request: CanonicalRequest): RouteInput {
  const headers = ctx.req.headers;
  const input: RouteInput = {
    request: request.op === 'chat' ? request.body : embeddingsView(request.body),
    header: (name) => {
      const v = headers[name];
      return Array.isArray(v) ? v.join(',') : v;
    },
  };
  if (request.op === 'embeddings') {
    input.operation = 'embeddings';
    input.formats = EMBEDDING_FORMATS;
  }
  if (ctx.identity) input.key = ctx.identity;
  return input;
}

/**
 * An embeddings request as routing reads it: a chat request whose one user message is the input
 * text, so classes, rules, compliance and context windows apply to it as to chat.
 */
function embeddingsView(req: EmbeddingsRequest): ChatRequest {
  const text = typeof req.input === 'string' ? req.input : req.input.every((x) => typeof x === 'string') ? req.input.join('\n') : '';
  const view: ChatRequest = { model: req.model, messages: [{ role: 'user', content: text }] };
  if (req.fallbacks) view.fallbacks = req.fallbacks;
  if (req.user !== undefined) view.user = req.user;
  return view;
}
