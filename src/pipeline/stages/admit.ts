import type { Stage } from '../compose.js';
import type { RequestContext } from '../context.js';

/**
 * admit: may this caller start this request now.
 *
 * Contract: checks rate limits and reserves budget for `ctx.identity` before any provider is
 * called; refuses with a GatewayError (429 with `retry-after`, or a quota error) that the ingress
 * renders; and wraps the rest of the chain so that what it reserved is settled or released in
 * `finally`, whatever happens after (an error, a client that leaves mid-stream).
 *
 * Today there are no limits or budgets: the stage passes through.
 */
export const admit: Stage<RequestContext> = function admit(_ctx, next) {
  return next();
};
