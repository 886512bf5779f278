import type { ChatRequest, ChatResponse } from '../../api/chat.js';
import { validateChatRequest } from '../../api/validate.js';
import { executeJson } from '../../pipeline/execute-json.js';
import { executeStream, type StreamSink } from '../../pipeline/execute-stream.js';
import { resolveRoute } from '../../pipeline/plan.js';
import { parseJson, readBody } from '../body.js';
import { routingHeaders, sendJson } from '../respond.js';
import type { RequestScope } from '../server.js';
import { OpenAISseSink } from '../sse-writer.js';

/** Runs a validated chat request through plan → executor; shared by the OpenAI and Anthropic ingresses. */
export async function runChat(
  scope: RequestScope,
  request: ChatRequest,
  sink: (scope: RequestScope) => StreamSink,
  respond: (res: ChatResponse) => unknown,
): Promise<void> {
  const { targets: plan, hedge: hedgeConfig } = resolveRoute(scope.config, request.model, request.fallbacks);
  // A client that marks the request non-idempotent (tool side effects, say) must not get it twice.
  const idempotent = scope.req.headers['x-switchyard-idempotent'] !== 'false';
  const hedge = hedgeConfig ? { route: request.model, config: hedgeConfig, idempotent } : undefined;
  if (request.stream === true) {
    await executeStream(scope.exec, plan, request, sink(scope), hedge);
    return;
  }
  const created = Math.floor(Date.now() / 1000);
  const result = await executeJson(scope.exec, plan, {
    build: (adapter, target) => adapter.buildChatRequest(request, target, false),
    parse: (adapter, body, target) => adapter.parseChatResponse(body, { request, target, requestId: scope.exec.requestId, created }),
  }, hedge);
  sendJson(scope.res, 200, respond(result.value), routingHeaders(scope.headers, result.target, result.attempts));
}

export async function handleChat(scope: RequestScope): Promise<void> {
  const body = parseJson(await readBody(scope.req, scope.config.server.maxBodyBytes));
  const request = validateChatRequest(body);
  await runChat(scope, request, (s) => new OpenAISseSink(s.res, s.headers), (res) => res);
}
