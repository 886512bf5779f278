import type { ServerResponse } from 'node:http';
import { GatewayError } from '../core/errors.js';
import type { Headers } from '../pipeline/context.js';

/** Writes `body` as the whole JSON response; `headers` is not changed. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Headers> = {}): void {
  const text = JSON.stringify(body);
  // Object.assign, not a spread: adding keys to a spread copy makes V8 build a new hidden class per call.
  const all: Headers = Object.assign({}, headers);
  all['content-type'] = 'application/json';
  all['content-length'] = String(Buffer.byteLength(text));
  res.writeHead(status, all);
  res.end(text);
}

/** Writes JSON that is already encoded. */
export function sendJsonBytes(res: ServerResponse, status: number, bytes: Buffer, headers: Readonly<Headers>): void {
  const all: Headers = Object.assign({}, headers);
  all['content-type'] = 'application/json';
  all['content-length'] = String(bytes.length);
  res.writeHead(status, all);
  res.end(bytes);
}

export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  return new GatewayError('internal_error', 'Internal error in the gateway; the request id in x-switchyard-request-id finds it in the log');
}
