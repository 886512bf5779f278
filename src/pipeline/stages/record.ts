import { describeTarget } from '../../config/types.js';
import type { Stage } from '../compose.js';
import type { RequestContext } from '../context.js';

/**
 * record: what the request cost and how it went, once the answer is known.
 *
 * Contract: runs after execute with `ctx.answer` set (also when a stream ended in-band after
 * content, which providers bill); records usage, cost and the request log from it; must not
 * delay the response with I/O of its own (writes are queued). It does not run when the request
 * failed before an answer: the ingress renders that error and emits the finished-request event.
 *
 * Today it pins the session to the target that answered (session affinity).
 */
export const record: Stage<RequestContext> = function record(ctx, next) {
  const session = ctx.plan?.decision.session;
  const answer = ctx.answer;
  if (session && answer) ctx.rt.router.served(session.id, describeTarget(answer.target));
  return next();
};
