import type { IncomingMessage } from 'node:http';
import type { Cancellation } from '../core/cancel.js';
import { DeadlineExceeded } from '../core/cancel.js';
import { GatewayError } from '../core/errors.js';
import { checkJsonDepth } from './json-depth.js';

function tooLarge(limit: number): GatewayError {
  return new GatewayError('body_too_large', `Request body exceeds the limit of ${limit} bytes (server.max_body_bytes)`, {
    headers: { connection: 'close' },
  });
}

function tooSlow(why: string): GatewayError {
  return new GatewayError('request_timeout', `The request body did not arrive in time: ${why}`, { headers: { connection: 'close' } });
}

export interface BodyLimits {
  /** Bytes. */
  maxBytes: number;
  /** Longest wait for the next bytes of the body (server.body_idle_timeout_ms). */
  idleMs: number;
  /** The request's cancellation: its deadline ends the read too. */
  signal: Cancellation;
}

/**
 * Reads the request body up to `maxBytes`. A declared Content-Length over the limit is refused
 * before a byte of the body is read; a chunked body is cut off as soon as it passes the limit. A
 * body that stalls longer than `idleMs` between bytes, or is still arriving at the request's
 * deadline, gets a 408 and the connection is closed: a client sending a byte a second must not
 * hold a connection for minutes. A client that goes away mid-body is `client_closed`.
 */
export function readBody(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  const { maxBytes, idleMs, signal } = limits;
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) return Promise.reject(tooLarge(maxBytes));
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const fail = (err: GatewayError): void => {
      cleanup();
      reject(err);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        fail(tooLarge(maxBytes));
        return;
      }
      parts.push(chunk);
      idle.refresh();
    };
    const onEnd = (): void => {
      cleanup();
      resolve(parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, size));
    };
    const onGone = (): void => fail(new GatewayError('client_closed', 'client closed the connection while sending the body'));
    const idle = setTimeout(() => fail(tooSlow(`no bytes for ${idleMs} ms (server.body_idle_timeout_ms)`)), idleMs);
    const offAbort = signal.onAbort(() => {
      const reason: unknown = signal.reason;
      fail(reason instanceof DeadlineExceeded ? tooSlow(reason.message) : new GatewayError('client_closed', 'client closed the connection'));
    });
    const cleanup = (): void => {
      clearTimeout(idle);
      offAbort();
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('aborted', onGone);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onGone);
    req.on('aborted', onGone);
  });
}

/** The body limits of one request, from the server config and the request's deadline. */
export function bodyLimits(ctx: { rt: { config: { server: { maxBodyBytes: number; bodyIdleTimeoutMs: number } } }; signal: Cancellation }): BodyLimits {
  const server = ctx.rt.config.server;
  return { maxBytes: server.maxBodyBytes, idleMs: server.bodyIdleTimeoutMs, signal: ctx.signal };
}

export function parseJson(buf: Buffer): unknown {
  if (buf.length === 0) throw new GatewayError('invalid_json', 'Request body is empty; expected a JSON object');
  checkJsonDepth(buf);
  try {
    return JSON.parse(buf.toString('utf8')) as unknown;
  } catch (err) {
    throw new GatewayError('invalid_json', `Request body is not valid JSON: ${(err as Error).message}`);
  }
}
