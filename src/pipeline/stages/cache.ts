import type { Stage } from '../compose.js';
import type { RequestContext } from '../context.js';

/**
 * cacheLookup: an answer this gateway already has.
 *
 * Contract: looks `ctx.request` up (keyed by tenant, route and every field that changes the
 * answer); on a hit answers the client itself in its dialect and does not call `next` (planning
 * and execution are skipped); on a miss calls `next` and may store `ctx.answer` once it is
 * complete. Never stores an error, a cut stream or an in-band failure.
 *
 * Today there is no cache: the stage passes through.
 */
export const cacheLookup: Stage<RequestContext> = function cacheLookup(_ctx, next) {
  return next();
};
