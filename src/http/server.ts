import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { redactorFor } from '../config/secrets.js';
import { declaredTargets } from '../config/targets.js';
import type { GatewayConfig } from '../config/types.js';
import { Cancellation, ClientClosed, DeadlineExceeded } from '../core/cancel.js';
import { GatewayError } from '../core/errors.js';
import { redactingLogger } from '../core/redact.js';
import type { ExecContext } from '../pipeline/context.js';
import { HealthProber, OutlierSweep } from '../pipeline/health.js';
import { Router } from '../pipeline/router.js';
import { TargetStates } from '../pipeline/targets.js';
import { needsTokenizer } from '../routing/planner.js';
import { loadTokenizer } from '../routing/tokens.js';
import { EventBus } from '../telemetry/events.js';
import { createMetrics } from '../telemetry/metrics.js';
import { Transport } from '../transport/client.js';
import { handleChat } from './handlers/chat.js';
import { handleEmbeddings } from './handlers/embeddings.js';
import { handleExplain } from './handlers/explain.js';
import { handleMessages, renderAnthropicError } from './handlers/messages.js';
import { handleModels } from './handlers/models.js';
import { type Headers, sendJson, toGatewayError } from './respond.js';

export type Logger = (level: 'info' | 'warn' | 'error', event: string, fields: Record<string, unknown>) => void;

export interface RequestScope {
  req: IncomingMessage;
  res: ServerResponse;
  config: GatewayConfig;
  exec: ExecContext;
  /** Headers every response of this request carries. */
  headers: Headers;
  router: Router;
  /** Brings the request's deadline forward to `ms` from its start, when that is earlier. */
  shortenDeadline: (ms: number) => void;
}

type Handler = (scope: RequestScope) => Promise<void>;

interface Route {
  method: 'GET' | 'POST';
  handler: Handler;
  /** How errors are rendered: OpenAI JSON, or Anthropic's error shape for /v1/messages. */
  errors: 'openai' | 'anthropic';
}

export interface Gateway {
  server: Server;
  config: GatewayConfig;
  /** Attempts, retries, fallbacks, breaker transitions and finished requests, for observers. */
  events: EventBus;
  /** Session pins and round-robin turns (routing's live state). */
  router: Router;
  listen(port?: number, host?: string): Promise<AddressInfo>;
  /** Stops accepting, lets requests in flight finish for up to `graceMs`, then closes every connection. */
  close(graceMs?: number): Promise<void>;
}

export interface GatewayOptions {
  /** Monotonic milliseconds; tests pass a fake clock. */
  now?: () => number;
  rng?: () => number;
  /** Node.js process metrics (CPU, memory, event loop) on /metrics; default on. */
  processMetrics?: boolean;
}

const TIMEOUT_HEADER = 'x-switchyard-timeout-ms';

/** The request's deadline: the configured one, or a shorter one the client asks for. */
function deadlineMs(header: string | string[] | undefined, max: number): number {
  if (header === undefined) return max;
  // Decimal digits only: Number() would also take "0x10", "1e3", " 5 " and "".
  const ms = typeof header === 'string' && /^[0-9]{1,10}$/.test(header) ? Number(header) : Number.NaN;
  if (!(ms >= 1 && ms <= max)) {
    throw new GatewayError(
      'invalid_request',
      `${TIMEOUT_HEADER} must be a whole number of milliseconds from 1 to ${max} (server.request_timeout_ms), got ${JSON.stringify(header)}`,
      {
        param: TIMEOUT_HEADER,
      },
    );
  }
  return ms;
}

export function createGateway(config: GatewayConfig, sink: Logger = () => {}, opts: GatewayOptions = {}): Gateway {
  const redact = redactorFor(config);
  const log = redactingLogger(sink, redact); // every log line is redacted (core/redact.ts)
  const transport = new Transport();
  const now = opts.now ?? (() => performance.now());
  const rng = opts.rng ?? Math.random;
  const events = new EventBus();
  const targets = new TargetStates(
    config.resilience,
    (target, from, to) => {
      log('warn', 'breaker_transition', { target, from, to });
      events.emit('breaker', { target, from, to });
    },
    { declared: declaredTargets(config), routes: new Set(config.models.keys()), clock: now },
  );
  const prober = new HealthProber(config.resilience.health, targets, transport, now, rng, (event, fields) => log('info', event, fields));
  const outliers = new OutlierSweep(config, targets, now, rng, (e) => {
    log('warn', 'outlier_ejected', { target: e.target, reason: e.reason, detail: e.detail, duration_ms: e.durationMs });
    events.emit('ejection', e);
  });
  const router = new Router(config, targets, now, rng);
  const metrics = createMetrics(events, {
    config,
    targets: () => targets.snapshot(now()),
    ...(opts.processMetrics === false ? { processMetrics: false } : {}),
  });
  let ready = false;

  const routes = new Map<string, Route>([
    ['/v1/chat/completions', { method: 'POST', handler: handleChat, errors: 'openai' }],
    ['/v1/embeddings', { method: 'POST', handler: handleEmbeddings, errors: 'openai' }],
    ['/v1/messages', { method: 'POST', handler: handleMessages, errors: 'anthropic' }],
    ['/v1/models', { method: 'GET', handler: handleModels, errors: 'openai' }],
    ['/v1/route/explain', { method: 'POST', handler: handleExplain, errors: 'openai' }],
    [
      '/metrics',
      {
        method: 'GET',
        handler: async ({ res }) => {
          const body = await metrics.render();
          res.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(body) });
          res.end(body);
        },
        errors: 'openai',
      },
    ],
    [
      '/admin/targets',
      { method: 'GET', handler: async ({ res, headers }) => sendJson(res, 200, { targets: targets.snapshot(now()) }, headers), errors: 'openai' },
    ],
    ['/healthz', { method: 'GET', handler: async ({ res }) => sendJson(res, 200, { status: 'ok' }), errors: 'openai' }],
    [
      '/readyz',
      {
        method: 'GET',
        handler: async ({ res }) =>
          ready
            ? sendJson(res, 200, { status: 'ready', providers: config.providers.size, models: config.models.size, sandbox: config.sandboxMode })
            : sendJson(res, 503, { status: closing ? 'stopping' : 'starting' }),
        errors: 'openai',
      },
    ],
  ]);

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const headers: Headers = { 'x-switchyard-request-id': requestId };
    if (config.sandboxMode) headers['x-switchyard-sandbox'] = 'true';
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const route = routes.get(path);

    const cancel = new Cancellation();
    const startedAt = now();
    const outcome: ExecContext['outcome'] = { stream: false };
    let deadline: NodeJS.Timeout | undefined;
    let errorCode: string | undefined;
    res.on('close', () => {
      clearTimeout(deadline);
      if (!res.writableFinished) cancel.abort(new ClientClosed());
      if (route) {
        const code = errorCode ?? outcome.inBandError ?? (res.writableFinished ? undefined : 'client_closed');
        events.emit('request', { route: path, stream: outcome.stream, status: res.statusCode, durationMs: now() - startedAt, ...(code ? { code } : {}) });
      }
    });
    try {
      const ms = deadlineMs(req.headers[TIMEOUT_HEADER], config.server.requestTimeoutMs);
      deadline = setTimeout(() => cancel.abort(new DeadlineExceeded(ms)), ms);
      const exec: ExecContext = {
        requestId,
        transport,
        targets,
        policy: config.resilience,
        events,
        now,
        rng,
        deadlineAt: startedAt + ms,
        outcome,
        signal: cancel,
        log: (event, fields) => log('warn', event, { request_id: requestId, ...fields }),
        redact,
      };
      if (!route) throw new GatewayError('route_not_found', `No route for ${req.method} ${path}; Switchyard serves ${[...routes.keys()].join(', ')}`);
      if (req.method !== route.method) {
        throw new GatewayError('method_not_allowed', `${path} accepts ${route.method}, not ${req.method}`, { headers: { allow: route.method } });
      }
      const shortenDeadline = (limit: number): void => {
        if (startedAt + limit >= exec.deadlineAt) return;
        clearTimeout(deadline);
        exec.deadlineAt = startedAt + limit;
        const left = Math.max(0, exec.deadlineAt - now());
        deadline = setTimeout(() => cancel.abort(new DeadlineExceeded(limit)), left);
      };
      await route.handler({ req, res, config, exec, headers, router, shortenDeadline });
      if (!res.writableEnded && !res.destroyed) {
        // Every path ends its response; one that did not must not leave the client hanging.
        log('error', 'response_left_open', { request_id: requestId, path });
        res.destroy();
      }
    } catch (err) {
      const gerr = toGatewayError(err);
      errorCode = gerr.code;
      // An exception that is not a GatewayError is a bug: its stack is logged here (an attempt's own was logged by the executor).
      if (!(err instanceof GatewayError)) log('error', 'internal_error', { request_id: requestId, error: err instanceof Error ? err.stack : String(err) });
      if (res.headersSent || res.destroyed) {
        if (!res.writableEnded) res.destroy();
        return;
      }
      const h = { ...headers, ...gerr.headers };
      if (route?.errors === 'anthropic') sendJson(res, gerr.status, renderAnthropicError(gerr), h);
      else sendJson(res, gerr.status, gerr.toJSON(), h);
    }
  }

  // Requests in flight per connection, so shutdown can close idle connections (including ones that
  // never sent a request, which server.close() would otherwise wait on) and drain busy ones.
  const inFlight = new Map<Socket, number>();
  let closing = false;
  // Node's own limits back up the per-request deadline and body idle timeout (http/body.ts): the
  // headers must arrive within a minute, and no request takes longer to receive than its deadline.
  const requestTimeout = config.server.requestTimeoutMs;
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout, headersTimeout: Math.min(60_000, requestTimeout) }, (req, res) => {
    const socket = req.socket;
    inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1);
    res.on('close', () => {
      const n = (inFlight.get(socket) ?? 1) - 1;
      inFlight.set(socket, n);
      if (closing && n === 0) socket.destroy();
    });
    if (closing) res.setHeader('connection', 'close');
    void onRequest(req, res);
  });
  server.on('connection', (socket: Socket) => {
    inFlight.set(socket, 0);
    socket.on('close', () => inFlight.delete(socket));
  });

  return {
    server,
    config,
    events,
    router,
    async listen(port = config.server.port, host = config.server.host) {
      // Before the first request, so context-window checks count tokens from the start.
      if (needsTokenizer(config)) await loadTokenizer();
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          ready = true;
          prober.start();
          outliers.start();
          resolve(server.address() as AddressInfo);
        });
      });
    },
    async close(graceMs = 10_000) {
      ready = false;
      closing = true;
      prober.stop();
      outliers.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const [socket, n] of inFlight) if (n === 0) socket.destroy();
      const force = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(force);
      await transport.close();
    },
  };
}
