import type { Stage } from '../compose.js';
import type { RequestContext } from '../context.js';

/**
 * authenticate: who is calling.
 *
 * Contract: reads the request's credentials (`Authorization: Bearer`, `x-api-key`), never its
 * body's content; sets `ctx.identity` (key, tenant, class, data classes) for the stages after it,
 * or throws a GatewayError (401, 403) that the ingress renders in the client's dialect. It runs
 * after the body is read so that a refused key and a malformed body answer alike on every route.
 *
 * Today the gateway is open (no keys): the stage passes through and `ctx.identity` stays unset.
 */
export const authenticate: Stage<RequestContext> = function authenticate(_ctx, next) {
  return next();
};
