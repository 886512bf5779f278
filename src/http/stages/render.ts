import type { Stage } from '../../pipeline/compose.js';
import { need, type RequestContext } from '../../pipeline/context.js';
import { answerHeaders } from '../../pipeline/plan.js';
import { sendJson, sendJsonBytes } from '../respond.js';

/**
 * render: a JSON answer in the client's dialect, with the headers that say which target answered
 * and how. A stream was written as it arrived (execute); there is nothing left to send.
 */
export const render: Stage<RequestContext> = function render(ctx, next) {
  const answer = need(ctx.answer, 'answer');
  if (answer.value !== undefined) {
    const headers = answerHeaders(ctx.headers, need(ctx.plan, 'plan'), answer.target, answer.attempts);
    if (answer.verbatim && ctx.endpoint.dialect === 'openai') sendJsonBytes(ctx.res, 200, answer.verbatim, headers);
    else sendJson(ctx.res, 200, need(ctx.endpoint.encode, 'an encoder for this endpoint')(ctx, answer.value), headers);
  }
  return next();
};
