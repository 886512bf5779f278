import type { Stage } from '../../pipeline/compose.js';
import { need, type RequestContext } from '../../pipeline/context.js';
import { bodyLimits, parseJson, readBody as readBytes } from '../body.js';

/**
 * read body: the bytes (bounded in size and time), JSON (bounded in depth), then the endpoint's
 * validation into the canonical request every later stage reads. Errors name the field and what is
 * allowed; nothing later parses the body again.
 */
export const readBody: Stage<RequestContext> = async function readBody(ctx, next) {
  const decode = need(ctx.endpoint.decode, 'a decoder for this endpoint');
  ctx.request = decode(parseJson(await readBytes(ctx.req, bodyLimits(ctx))));
  return next();
};
