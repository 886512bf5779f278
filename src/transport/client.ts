import { Agent, type Dispatcher, errors as undiciErrors } from 'undici';
import type { ProviderConfig, Timeouts } from '../config/types.js';
import type { Cancellation } from '../core/cancel.js';
import { type Failure, type FailurePhase, failure, UpstreamFailure } from '../core/failure.js';
import type { UpstreamHeaders, UpstreamRequest } from '../core/upstream.js';
import { authHeaders } from './auth.js';

export interface UpstreamResponse {
  status: number;
  headers: UpstreamHeaders;
  body: Dispatcher.ResponseData['body'];
}

export interface SendOptions {
  signal: Cancellation;
}

/** Bodies of error responses are read up to this size; the rest is discarded. */
const MAX_ERROR_BODY = 64 * 1024;

/**
 * Upstream HTTP on undici: one keep-alive Agent per provider (pools per origin inside it), with
 * connect / first-byte (headers) / idle (between body chunks) timeouts. Aborting the signal destroys
 * the upstream request at once. Transport-level errors are classified here, once.
 */
export class Transport {
  private readonly agents = new Map<string, Agent>();

  private agentFor(provider: ProviderConfig): Agent {
    let agent = this.agents.get(provider.name);
    if (!agent) {
      agent = new Agent({
        connections: provider.maxConnections,
        pipelining: 1,
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 600_000,
        connect: { timeout: provider.timeouts.connectMs },
        headersTimeout: provider.timeouts.firstByteMs,
        bodyTimeout: provider.timeouts.idleMs,
      });
      this.agents.set(provider.name, agent);
    }
    return agent;
  }

  async send(provider: ProviderConfig, req: UpstreamRequest, opts: SendOptions): Promise<UpstreamResponse> {
    const signed = authHeaders(req, provider.auth);
    const headers = signed instanceof Promise ? await signed : signed;
    const url = splitUrl(req.url);
    const timeouts = provider.timeouts;
    try {
      const res = await this.agentFor(provider).request({
        origin: url.origin,
        path: url.path,
        method: req.method,
        headers,
        body: req.method === 'GET' ? null : req.body,
        signal: opts.signal,
        headersTimeout: timeouts.firstByteMs,
        bodyTimeout: timeouts.idleMs,
      });
      return { status: res.statusCode, headers: res.headers, body: res.body };
    } catch (err) {
      // An abort we asked for (client gone, deadline, a hedge that lost) is not an upstream failure.
      if (opts.signal.aborted) throw err;
      throw toUpstreamFailure(err, 'connect', timeouts);
    }
  }

  async close(): Promise<void> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(agents.map((a) => a.destroy().catch(() => undefined)));
  }
}

/** Upstream URLs repeat (one per target and operation): parse each once. */
const urlCache = new Map<string, { origin: string; path: string }>();
const URL_CACHE_MAX = 1024;

function splitUrl(href: string): { origin: string; path: string } {
  let hit = urlCache.get(href);
  if (!hit) {
    const u = new URL(href);
    hit = { origin: u.origin, path: u.pathname + u.search };
    if (urlCache.size >= URL_CACHE_MAX) urlCache.clear();
    urlCache.set(href, hit);
  }
  return hit;
}

/** Reads an error body (bounded) and parses it as JSON when it is JSON. */
export async function readErrorBody(body: UpstreamResponse['body']): Promise<unknown> {
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      const buf = chunk as Buffer;
      if (size < MAX_ERROR_BODY) parts.push(buf);
      size += buf.length;
    }
  } catch {
    // A body cut short still carries what arrived.
  }
  const text = Buffer.concat(parts).subarray(0, MAX_ERROR_BODY).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function isAbort(err: unknown): boolean {
  return err instanceof undiciErrors.RequestAbortedError || (err instanceof Error && err.name === 'AbortError');
}

/** Maps undici / socket errors to a classified failure. Aborts are re-thrown untouched. */
export function toUpstreamFailure(err: unknown, phase: FailurePhase, timeouts?: Timeouts): Error {
  if (err instanceof UpstreamFailure || isAbort(err)) return err as Error;
  const f = classifyTransportError(err, phase, timeouts);
  return new UpstreamFailure(f);
}

function classifyTransportError(err: unknown, phase: FailurePhase, timeouts?: Timeouts): Failure {
  const code = (err as { code?: string } | null)?.code ?? '';
  const message = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      // Nothing was sent: safe to try the same target again.
      return failure('timeout', `connect timeout after ${timeouts?.connectMs ?? '?'} ms`, { phase: 'connect', disposition: 'retry' });
    case 'UND_ERR_HEADERS_TIMEOUT':
      // A silent provider: no response at all. Not retried on the same target.
      return failure('timeout', `no response headers within ${timeouts?.firstByteMs ?? '?'} ms`, { phase: 'headers' });
    case 'UND_ERR_BODY_TIMEOUT':
      return failure('timeout', `upstream went silent for ${timeouts?.idleMs ?? '?'} ms`, { phase: phase === 'connect' ? 'body' : phase });
    default: {
      const where = phase === 'connect' ? 'before any response' : phase === 'stream' ? 'mid-stream' : 'while reading the response';
      // Socket and DNS errors name addresses, internal host names and paths: the client gets what
      // happened and the code, the log gets the rest (`detail`).
      const safeCode = /^[A-Z][A-Z0-9_]{1,40}$/.test(code) ? code : '';
      return failure('connection', `${connectionProblem(safeCode)} ${where}${safeCode ? ` (${safeCode})` : ''}`, {
        phase,
        // A connection that dies after the response started is not a retry of the same target.
        disposition: phase === 'connect' ? 'retry' : 'fallback',
        detail: `${code ? `${code}: ` : ''}${message} (${where})`,
      });
    }
  }
}

const CONNECTION_PROBLEM: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ECONNABORTED: 'connection aborted',
  EPIPE: 'connection closed while sending',
  ETIMEDOUT: 'connection timed out',
  ENOTFOUND: 'DNS lookup failed',
  EAI_AGAIN: 'DNS lookup failed',
  EAI_NONAME: 'DNS lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_SOCKET: 'connection closed by the upstream',
  UND_ERR_CLOSED: 'connection closed',
  UND_ERR_DESTROYED: 'connection closed',
};

function connectionProblem(code: string): string {
  const known = CONNECTION_PROBLEM[code];
  if (known) return known;
  if (/CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) return 'TLS handshake failed';
  return 'connection failed';
}
