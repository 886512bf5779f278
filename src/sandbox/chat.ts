import { decide } from './engine.js';
import { applyFault, type Exchange, type Runtime, sendError } from './exchange.js';
import { type ChatFormat, isObj, jsonReply, RequestError } from './formats/format.js';
import { buildReply, completionTokens } from './reply.js';
import type { Dialogue, RenderContext, Reply, SandboxFormat } from './types.js';
import { writeJsonAnswer, writeStream } from './writer.js';

const STREAM_HEADERS: Record<SandboxFormat, Record<string, string>> = {
  openai: { 'content-type': 'text/event-stream; charset=utf-8' },
  anthropic: { 'content-type': 'text/event-stream; charset=utf-8' },
  gemini: { 'content-type': 'text/event-stream' },
};

export interface ChatTarget {
  format: ChatFormat;
  /** Set when the model is in the URL (Gemini); otherwise read from the body. */
  model?: string;
  /** Set when the URL decides streaming (Gemini); otherwise read from the body. */
  stream?: boolean;
}

function isReply(value: unknown): value is Reply {
  return typeof value === 'object' && value !== null && !('status' in value);
}

export async function handleChat(rt: Runtime, ex: Exchange, target: ChatTarget, body: unknown): Promise<void> {
  const { format } = target;
  const record = isObj(body) ? body : {};
  const model = target.model ?? (typeof record.model === 'string' ? record.model : undefined);
  const stream = target.stream ?? record.stream === true;
  ex.attempt.stream = stream;
  if (!model) {
    sendError(ex, format, { kind: 'invalid_request', status: 400, message: 'model: Field required' }, 'rejected');
    return;
  }
  ex.attempt.model = model;

  let dialogue: Dialogue;
  try {
    dialogue = format.parseChat(body, model, stream);
  } catch (err) {
    if (!(err instanceof RequestError)) throw err;
    sendError(ex, format, err.spec, 'rejected');
    return;
  }

  const behaviour = rt.behaviourFor(model);
  ex.attempt.scenario = behaviour.scenario;
  const state = rt.states.touch(format.name, model, Date.now());
  const promptTokens = Math.max(1, dialogue.promptWords);
  const decision = decide(behaviour, state, Date.now(), dialogue, promptTokens);
  if (applyFault(ex, format, decision)) return;

  const seq = String(ex.attempt.seq).padStart(6, '0');
  const filtered = decision.action === 'answer' && decision.contentFilter ? format.contentFilter(dialogue) : null;
  if (filtered && !isReply(filtered)) {
    sendError(ex, format, filtered, 'content_filter');
    return;
  }
  const reply = filtered ?? buildReply(dialogue, behaviour, `${format.toolIdPrefix}${seq}_`);
  const ctx: RenderContext = {
    id: `${format.idPrefix}${seq}`,
    model,
    created: Math.floor(Date.now() / 1000),
    promptTokens,
    includeUsage: dialogue.includeUsage,
  };
  const pace = { behaviour, rng: state.rng, signal: ex.signal };
  ex.attempt.status = 200;
  ex.attempt.outcome = filtered ? 'content_filter' : 'ok';
  const result = stream
    ? await writeStream(ex.res, STREAM_HEADERS[format.name], format.frames(reply, ctx), format.malformedFrame(ctx), pace)
    : await writeJsonAnswer(ex.res, jsonReply(200, format.response(reply, ctx)), completionTokens(reply), pace);
  if (result === 'aborted') {
    // The client left before the answer began: no status line was sent for a non-stream answer.
    if (!ex.res.headersSent) ex.attempt.status = null;
    return;
  }
  if (result !== 'ok') ex.attempt.outcome = result;
}
