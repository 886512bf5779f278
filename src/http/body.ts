import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../errors.js';

function tooLarge(limit: number): GatewayError {
  return new GatewayError('body_too_large', `Request body exceeds the limit of ${limit} bytes (server.max_body_bytes)`, {
    headers: { connection: 'close' },
  });
}

/**
 * Reads the request body up to `limit` bytes. A declared Content-Length over the limit is refused
 * before a byte of the body is read; a chunked body is cut off as soon as it passes the limit.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        reject(tooLarge(limit));
        return;
      }
      parts.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, size));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

export function parseJson(buf: Buffer): unknown {
  if (buf.length === 0) throw new GatewayError('invalid_json', 'Request body is empty; expected a JSON object');
  try {
    return JSON.parse(buf.toString('utf8')) as unknown;
  } catch (err) {
    throw new GatewayError('invalid_json', `Request body is not valid JSON: ${(err as Error).message}`);
  }
}
