import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Cancellation, ClientClosed, DeadlineExceeded } from '../core/cancel.js';
import { type ErrorCode, GatewayError } from '../core/errors.js';
import type { Endpoint, Headers, RequestContext, Runtime } from '../pipeline/context.js';
import { anthropicError } from './dialects/anthropic.js';
import { openaiError } from './dialects/openai.js';
import type { Route } from './endpoints.js';
import { sendJson, toGatewayError } from './respond.js';

const TIMEOUT_HEADER = 'x-switchyard-timeout-ms';

/** The request's deadline: the configured one, or a shorter one the client asks for (a bad header is the error to answer with). */
function deadlineMs(header: string | string[] | undefined, max: number): number | GatewayError {
  if (header === undefined) return max;
  // Decimal digits only: Number() would also take "0x10", "1e3", " 5 " and "".
  const ms = typeof header === 'string' && /^[0-9]{1,10}$/.test(header) ? Number(header) : Number.NaN;
  if (!(ms >= 1 && ms <= max)) {
    return new GatewayError(
      'invalid_request',
      `${TIMEOUT_HEADER} must be a whole number of milliseconds from 1 to ${max} (server.request_timeout_ms), got ${JSON.stringify(header)}`,
      { param: TIMEOUT_HEADER },
    );
  }
  return ms;
}

/** Where a path that is not served, or served with another method, still gets a clean answer. */
const NOT_FOUND: Endpoint = { path: '', method: 'GET', dialect: 'openai' };

/**
 * The HTTP ingress: frames each request (id, deadline, cancellation), finds its route, runs the
 * route's stages, and renders any error in the client's dialect. Nothing here knows what a stage
 * does; it only guarantees that every request ends: answered, refused, or closed.
 */
export function ingress(rt: Runtime, routes: ReadonlyMap<string, Route>): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const served = [...routes.keys()].join(', ');
  return async function onRequest(req, res) {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const route = routes.get(path);
    const deadline = deadlineMs(req.headers[TIMEOUT_HEADER], rt.config.server.requestTimeoutMs);
    const ms = typeof deadline === 'number' ? deadline : rt.config.server.requestTimeoutMs;
    const ctx = frame(rt, req, res, route?.endpoint ?? NOT_FOUND, ms);
    let errorCode: ErrorCode | undefined;
    const startedAt = ctx.startedAt;
    let timer: NodeJS.Timeout | undefined;
    res.on('close', () => {
      clearTimeout(timer);
      if (!res.writableFinished) ctx.signal.abort(new ClientClosed());
      if (!route) return;
      const code = errorCode ?? ctx.answer?.inBandError ?? (res.writableFinished ? undefined : 'client_closed');
      const stream = ctx.request?.op === 'chat' && ctx.request.body.stream === true;
      rt.events.emit('request', { route: path, stream, status: res.statusCode, durationMs: rt.now() - startedAt, ...(code ? { code } : {}) });
    });
    try {
      if (deadline instanceof GatewayError) throw deadline;
      timer = setTimeout(() => ctx.signal.abort(new DeadlineExceeded(ms)), ms);
      if (!route) throw new GatewayError('route_not_found', `No route for ${req.method} ${path}; Switchyard serves ${served}`);
      if (req.method !== route.endpoint.method) {
        throw new GatewayError('method_not_allowed', `${path} accepts ${route.endpoint.method}, not ${req.method}`, {
          headers: { allow: route.endpoint.method },
        });
      }
      await route.run(ctx);
      if (!res.writableEnded && !res.destroyed) {
        // Every path ends its response; one that did not must not leave the client hanging.
        rt.log('error', 'response_left_open', { request_id: ctx.id, path });
        res.destroy();
      }
    } catch (err) {
      errorCode = renderError(ctx, err);
    }
  };
}

function frame(rt: Runtime, req: IncomingMessage, res: ServerResponse, endpoint: Endpoint, deadlineMs: number): RequestContext {
  const id = randomUUID();
  const headers: Headers = { 'x-switchyard-request-id': id };
  if (rt.config.sandboxMode) headers['x-switchyard-sandbox'] = 'true';
  const startedAt = rt.now();
  return {
    id,
    rt,
    endpoint,
    req,
    res,
    startedAt,
    deadlineAt: startedAt + deadlineMs,
    signal: new Cancellation(),
    headers,
    request: undefined,
    identity: undefined,
    plan: undefined,
    answer: undefined,
  };
}

/** The error in the client's dialect, when nothing was sent yet; returns the code for the finished-request event. */
function renderError(ctx: RequestContext, err: unknown): ErrorCode {
  const gerr = toGatewayError(err);
  // An exception that is not a GatewayError is a bug: its stack is logged here (an attempt's own was logged by the executor).
  if (!(err instanceof GatewayError)) ctx.rt.log('error', 'internal_error', { request_id: ctx.id, error: err instanceof Error ? err.stack : String(err) });
  const res = ctx.res;
  if (res.headersSent || res.destroyed) {
    if (!res.writableEnded) res.destroy();
    return gerr.code;
  }
  const body = ctx.endpoint.dialect === 'anthropic' ? anthropicError(gerr) : openaiError(gerr);
  sendJson(res, gerr.status, body, Object.assign({}, ctx.headers, gerr.headers));
  return gerr.code;
}
