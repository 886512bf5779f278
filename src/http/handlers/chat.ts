import type { IncomingMessage } from 'node:http';
import type { ChatRequest, ChatResponse } from '../../api/chat.js';
import { validateChatRequest } from '../../api/validate.js';
import { describeTarget, type Target } from '../../config/types.js';
import { invalid } from '../../core/errors.js';
import { executeJson } from '../../pipeline/execute-json.js';
import { executeStream, type StreamSink } from '../../pipeline/execute-stream.js';
import type { RouteDecision, RouteInput } from '../../routing/planner.js';
import { bodyLimits, parseJson, readBody } from '../body.js';
import { routingHeaders, sendJson } from '../respond.js';
import type { RequestScope } from '../server.js';
import { OpenAISseSink } from '../sse-writer.js';

export const ROUTE_HEADER = 'x-switchyard-route';
export const AFFINITY_HEADER = 'x-switchyard-affinity';

/** What routing reads from an HTTP request: the body and its headers (lowercased names, as node gives them). */
export function routeInput(req: IncomingMessage, request: ChatRequest): RouteInput {
  return {
    request,
    header: (name) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v.join(',') : v;
    },
  };
}

const IDEMPOTENT_HEADER = 'x-switchyard-idempotent';

/** `x-switchyard-idempotent: false` marks a request that must not be sent twice (no hedging); `true` or absent allows it. */
export function idempotentHeader(req: IncomingMessage): boolean {
  const v = req.headers[IDEMPOTENT_HEADER];
  if (v === undefined || v === 'true') return true;
  if (v === 'false') return false;
  throw invalid(IDEMPOTENT_HEADER, `${IDEMPOTENT_HEADER} must be true or false, got ${JSON.stringify(v)}`);
}

/** Header values are ASCII: anything else in a reason is replaced, and quotes are dropped. */
function headerText(s: string): string {
  return s
    .replace(/→/g, '->')
    .replace(/[^\x20-\x7e]/g, '?')
    .replace(/"/g, "'");
}

/** `x-switchyard-route` before the answer is known; routingHeaders() adds the answering target. */
function routeHeader(d: RouteDecision): string {
  return `route=${d.route}; class=${d.class.name}; strategy=${d.strategy}; why="${headerText(d.why)}"`;
}

/** Runs a validated chat request through plan → executor; shared by the OpenAI and Anthropic ingresses. */
export async function runChat(
  scope: RequestScope,
  request: ChatRequest,
  sink: (scope: RequestScope) => StreamSink,
  respond: (res: ChatResponse) => unknown,
): Promise<void> {
  const decision = scope.router.plan(routeInput(scope.req, request));
  const plan = decision.candidates.map((c) => c.target);
  scope.exec.events.emit('route', {
    route: decision.route,
    class: decision.class.name,
    strategy: decision.strategy,
    excluded: decision.excluded.map((e) => e.rule),
  });
  if (decision.maxAttempts !== scope.exec.policy.maxAttempts) scope.exec.policy = { ...scope.exec.policy, maxAttempts: decision.maxAttempts };
  if (decision.deadlineMs !== undefined) scope.shortenDeadline(decision.deadlineMs);
  scope.headers[ROUTE_HEADER] = routeHeader(decision);
  const served = (target: Target): void => affinity(scope, decision, target);
  // A client that marks the request non-idempotent (tool side effects, say) must not get it twice.
  const idempotent = idempotentHeader(scope.req);
  const hedge = decision.hedge ? { route: decision.route, config: decision.hedge, idempotent } : undefined;
  if (request.stream === true) {
    const s = sink(scope);
    const open = s.open.bind(s);
    s.open = (target, attempts) => {
      served(target);
      open(target, attempts);
    };
    await executeStream(scope.exec, plan, request, s, hedge);
    return;
  }
  const created = Math.floor(Date.now() / 1000);
  const result = await executeJson(
    scope.exec,
    plan,
    {
      build: (adapter, target) => adapter.buildChatRequest(request, target, false),
      parse: (adapter, body, target) => adapter.parseChatResponse(body, { request, target, requestId: scope.exec.requestId, created }),
    },
    hedge,
  );
  served(result.target);
  sendJson(scope.res, 200, respond(result.value), routingHeaders(scope.headers, result.target, result.attempts));
}

/** Pins the session to the target that answered, and says whether it stayed, started or moved. */
function affinity(scope: RequestScope, decision: RouteDecision, target: Target): void {
  const s = decision.session;
  if (!s) return;
  const key = describeTarget(target);
  scope.router.served(s.id, key);
  // `kept` put the pinned target first; if another answered, the session moved after all.
  const pinned = s.from ?? decision.candidates[0]!.key;
  scope.headers[AFFINITY_HEADER] = s.outcome === 'new' ? 'new' : s.outcome === 'kept' && key === pinned ? 'kept' : `moved; from=${pinned}`;
}

export async function handleChat(scope: RequestScope): Promise<void> {
  const body = parseJson(await readBody(scope.req, bodyLimits(scope)));
  const request = validateChatRequest(body);
  await runChat(
    scope,
    request,
    (s) => new OpenAISseSink(s.res, s.headers),
    (res) => res,
  );
}
