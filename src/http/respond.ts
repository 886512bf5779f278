import type { ServerResponse } from 'node:http';
import { describeTarget, type Target } from '../config/types.js';
import { GatewayError } from '../core/errors.js';
import type { AttemptRecord } from '../pipeline/attempts.js';

export type Headers = Record<string, string>;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Headers = {}): void {
  const text = JSON.stringify(body);
  headers['content-type'] = 'application/json';
  headers['content-length'] = String(Buffer.byteLength(text));
  res.writeHead(status, headers);
  res.end(text);
}

export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  return new GatewayError('internal_error', 'Internal error in the gateway; the request id in x-switchyard-request-id finds it in the log');
}

/**
 * Headers that say which target answered and how. `attempts` may include the answering attempt's
 * own `ok` record or not (a stream opens before it exists); the others are failed, retried or
 * hedges that lost.
 */
export function routingHeaders(base: Headers, target: Target, all: readonly AttemptRecord[]): Headers {
  const attempts = all.filter((a) => a.outcome !== 'ok');
  base['x-switchyard-provider'] = target.provider.name;
  base['x-switchyard-model'] = target.model.id;
  base['x-switchyard-attempts'] = String(attempts.length + 1);
  if (attempts.length > 0) {
    base['x-switchyard-fallback'] = `${attempts.map((a) => `${a.target}:${a.outcome}`).join(',')} -> ${describeTarget(target)}`;
  }
  const route = base['x-switchyard-route'];
  if (route !== undefined) base['x-switchyard-route'] = `${route}; target=${describeTarget(target)}`;
  if (target.provider.sandbox) base['x-switchyard-sandbox'] = 'true';
  return base;
}
