import type { Stage } from '../../pipeline/compose.js';
import { need, type RequestContext } from '../../pipeline/context.js';
import { answerHeaders } from '../../pipeline/plan.js';
import { sendJson } from '../respond.js';

/**
 * render: a JSON answer in the client's dialect, with the headers that say which target answered
 * and how. A stream was written as it arrived (execute); there is nothing left to send.
 */
export const render: Stage<RequestContext> = function render(ctx, next) {
  const answer = need(ctx.answer, 'answer');
  if (answer.value !== undefined) {
    const encode = need(ctx.endpoint.encode, 'an encoder for this endpoint');
    const headers = answerHeaders(ctx.headers, need(ctx.plan, 'plan'), answer.target, answer.attempts);
    sendJson(ctx.res, 200, encode(ctx, answer.value), headers);
  }
  return next();
};
