import type { Dispatcher } from 'undici';
import type { ProviderConfig, Timeouts } from '../config/types.js';
import type { Cancellation } from '../core/cancel.js';
import { type Failure, type FailurePhase, failure, UpstreamFailure } from '../core/failure.js';
import type { UpstreamRequest } from '../core/upstream.js';
import { authHeaders } from './auth.js';
import { Exchange, type UpstreamResponse } from './exchange.js';
import { Agent, errors as undiciErrors } from './undici.js';

export type { ChunkSink, UpstreamResponse } from './exchange.js';

export interface SendOptions {
  signal: Cancellation;
  /** Called when the request leaves on a connection, after any wait for one: timers that judge the provider start here. */
  onSent?: () => void;
}

/** Bodies of error responses are read up to this size; the rest is discarded. */
const MAX_ERROR_BODY = 64 * 1024;

/**
 * Upstream HTTP on undici: one keep-alive Agent per provider (pools per origin inside it), with
 * connect / first-byte (headers) / idle (between body chunks) timeouts, and HTTP/2 where the
 * provider offers it (ALPN, https only). Aborting the signal stops the upstream request at once.
 * Transport-level errors are classified here, once.
 */
export class Transport {
  private readonly agents = new Map<string, Agent>();

  private agentFor(provider: ProviderConfig): Agent {
    let agent = this.agents.get(provider.name);
    if (!agent) {
      agent = new Agent({
        // No cap unless configured: a stream holds its connection for minutes, and a wait for a
        // free local connection must never pass for a slow provider.
        connections: provider.maxConnections ?? null,
        pipelining: 1,
        allowH2: provider.http2,
        // An idle connection is kept 30 s, even when the provider's Keep-Alive hint allows longer:
        // after a burst of thousands of streams, each idle connection holds memory (about 8 KB of
        // heap, a socket) that a minute of quiet should give back.
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 30_000,
        connect: { timeout: provider.timeouts.connectMs },
        headersTimeout: provider.timeouts.firstByteMs,
        bodyTimeout: provider.timeouts.idleMs,
      });
      this.agents.set(provider.name, agent);
    }
    return agent;
  }

  send(provider: ProviderConfig, req: UpstreamRequest, opts: SendOptions): Promise<UpstreamResponse> {
    const signed = authHeaders(req, provider.auth);
    if (signed instanceof Promise) return signed.then((headers) => this.dispatch(provider, req, headers, opts));
    return this.dispatch(provider, req, signed, opts);
  }

  private dispatch(provider: ProviderConfig, req: UpstreamRequest, headers: Readonly<Record<string, string>>, opts: SendOptions): Promise<UpstreamResponse> {
    const url = splitUrl(req.url);
    const timeouts = provider.timeouts;
    return new Promise<UpstreamResponse>((resolve, reject) => {
      const fail = (err: Error): void => {
        // An abort we asked for (client gone, deadline, a hedge that lost) is not an upstream failure.
        reject(opts.signal.aborted ? err : toUpstreamFailure(err, 'connect', timeouts));
      };
      const exchange = new Exchange({ resolve, reject: fail }, opts.signal, opts.onSent);
      this.agentFor(provider).dispatch(
        {
          origin: url.origin,
          path: url.path,
          method: req.method,
          headers,
          body: req.method === 'GET' ? null : req.body,
          headersTimeout: timeouts.firstByteMs,
          bodyTimeout: timeouts.idleMs,
        },
        exchange as unknown as Dispatcher.DispatchHandler,
      );
    });
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
export async function readErrorBody(res: UpstreamResponse): Promise<unknown> {
  let text = '';
  try {
    text = (await res.bytes(MAX_ERROR_BODY)).toString('utf8');
  } catch {
    // A body cut short says nothing more than its status.
  }
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
