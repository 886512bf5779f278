import type { ChatRequest } from '../../api/chat.js';
import type { EmbeddingsRequest } from '../../api/embeddings.js';
import { type Cancellation, DeadlineExceeded } from '../../core/cancel.js';
import { adapterFor } from '../../providers/registry.js';
import type { Stage } from '../compose.js';
import { type Answer, type ExecContext, need, type RequestContext } from '../context.js';
import { executeJson } from '../execute-json.js';
import { executeStream } from '../execute-stream.js';
import { answerHeaders, type RoutePlan } from '../plan.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * execute: walks the plan (retries, fallbacks, hedges, breakers) and leaves the answer in
 * `ctx.answer`. A stream is written to the client as it arrives, through the endpoint's sink; a
 * JSON answer is left for render. The plan's deadline, when sooner than the request's, ends the
 * walk through a cancellation of its own.
 */
export const execute: Stage<RequestContext> = async function execute(ctx, next) {
  const plan = need(ctx.plan, 'plan');
  const request = need(ctx.request, 'request');
  const soonest = plan.deadlineAt < ctx.deadlineAt ? planDeadline(ctx, plan) : undefined;
  try {
    const exec = execContext(ctx, plan, soonest?.cancel ?? ctx.signal);
    if (request.op === 'embeddings') ctx.answer = await embeddings(exec, plan, request.body);
    else if (request.body.stream === true) ctx.answer = await stream(ctx, exec, plan, request.body);
    else ctx.answer = await chat(ctx, exec, plan, request.body);
  } finally {
    soonest?.stop();
  }
  return next();
};

/** A cancellation that also ends at the plan's (class's) deadline. */
function planDeadline(ctx: RequestContext, plan: RoutePlan): { cancel: Cancellation; stop: () => void } {
  const { cancel, release } = ctx.signal.child();
  const ms = plan.decision.deadlineMs ?? 0;
  const timer = setTimeout(() => cancel.abort(new DeadlineExceeded(ms)), Math.max(0, plan.deadlineAt - ctx.rt.now()));
  return {
    cancel,
    stop: () => {
      clearTimeout(timer);
      release();
    },
  };
}

function execContext(ctx: RequestContext, plan: RoutePlan, signal: Cancellation): ExecContext {
  const rt = ctx.rt;
  const resilience = rt.config.resilience;
  const id = ctx.id;
  return {
    requestId: id,
    transport: rt.transport,
    signal,
    policy: { maxAttempts: plan.maxAttempts, maxRetriesPerTarget: resilience.maxRetriesPerTarget, backoff: resilience.backoff },
    targets: rt.targets,
    events: rt.events,
    now: rt.now,
    rng: rt.rng,
    deadlineAt: plan.deadlineAt,
    log: (event, fields) => rt.log('warn', event, { request_id: id, ...fields }),
    redact: rt.redact,
  };
}

async function chat(ctx: RequestContext, exec: ExecContext, plan: RoutePlan, request: ChatRequest): Promise<Answer> {
  const created = Math.floor(Date.now() / 1000);
  const result = await executeJson(
    exec,
    plan.targets,
    {
      build: (adapter, target) => adapter.buildChatRequest(request, target, false),
      parse: (adapter, body, target) => adapter.parseChatResponse(body, { request, target, requestId: ctx.id, created }),
    },
    plan.hedge,
  );
  const answer: Mutable<Answer> = { target: result.target, attempts: result.attempts, value: result.value };
  if (result.value.usage) answer.usage = result.value.usage;
  if (adapterFor(result.target.provider.format).verbatim?.(result.value)) answer.verbatim = result.bytes;
  return answer;
}

async function stream(ctx: RequestContext, exec: ExecContext, plan: RoutePlan, request: ChatRequest): Promise<Answer> {
  const sink = need(ctx.endpoint.sink, 'a stream sink for this endpoint')(ctx, (target, attempts) => answerHeaders(ctx.headers, plan, target, attempts));
  const result = await executeStream(exec, plan.targets, request, sink, plan.hedge);
  const answer: Mutable<Answer> = { target: result.target, attempts: result.attempts };
  if (result.usage) answer.usage = result.usage;
  if (result.inBandError) answer.inBandError = result.inBandError;
  return answer;
}

/** The plan holds only targets whose wire format has an embeddings endpoint (the planner's format filter). */
async function embeddings(exec: ExecContext, plan: RoutePlan, request: EmbeddingsRequest): Promise<Answer> {
  const result = await executeJson(
    exec,
    plan.targets,
    {
      build: (adapter, target) => adapter.buildEmbeddingsRequest!(request, target),
      parse: (adapter, body, target) => adapter.parseEmbeddingsResponse!(body, request, target),
    },
    plan.hedge,
  );
  return { target: result.target, attempts: result.attempts, value: result.value };
}
