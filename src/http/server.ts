import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { redactorFor } from '../config/secrets.js';
import { declaredTargets } from '../config/targets.js';
import type { GatewayConfig } from '../config/types.js';
import { redactingLogger } from '../core/redact.js';
import type { Logger, Runtime } from '../pipeline/context.js';
import { HealthProber, OutlierSweep } from '../pipeline/health.js';
import { Router } from '../pipeline/router.js';
import { TargetStates } from '../pipeline/targets.js';
import { needsTokenizer } from '../routing/planner.js';
import { loadTokenizer } from '../routing/tokens.js';
import { EventBus } from '../telemetry/events.js';
import { createMetrics } from '../telemetry/metrics.js';
import { Transport } from '../transport/client.js';
import { type Hooks, routes } from './endpoints.js';
import { ingress } from './ingress.js';

export type { Logger } from '../pipeline/context.js';

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
  /** Stages that replace the pass-through hooks (authenticate, admit, cache lookup, record). */
  hooks?: Hooks;
}

/** The gateway's services, built once: state, routing, transport, events, redaction. */
function runtime(config: GatewayConfig, sink: Logger, opts: GatewayOptions): Runtime {
  const redact = redactorFor(config);
  const log = redactingLogger(sink, redact); // every log line is redacted (core/redact.ts)
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
  const router = new Router(config, targets, now, rng);
  return { config, transport: new Transport(), targets, router, events, redact, now, rng, log };
}

/** What runs beside the requests: active health probes and the passive outlier sweep. */
function background(rt: Runtime): { start(): void; stop(): void } {
  const { config, targets, transport, events, now, rng, log } = rt;
  const prober = new HealthProber(config.resilience.health, targets, transport, now, rng, (event, fields) => log('info', event, fields));
  const outliers = new OutlierSweep(config, targets, now, rng, (e) => {
    log('warn', 'outlier_ejected', { target: e.target, reason: e.reason, detail: e.detail, duration_ms: e.durationMs });
    events.emit('ejection', e);
  });
  return {
    start() {
      prober.start();
      outliers.start();
    },
    stop() {
      prober.stop();
      outliers.stop();
    },
  };
}

export function createGateway(config: GatewayConfig, sink: Logger = () => {}, opts: GatewayOptions = {}): Gateway {
  const rt = runtime(config, sink, opts);
  const { targets, transport, events, now } = rt;
  const sweeps = background(rt);
  const metrics = createMetrics(events, {
    config,
    targets: () => targets.snapshot(now()),
    ...(opts.processMetrics === false ? { processMetrics: false } : {}),
  });
  let ready = false;
  let closing = false;
  const onRequest = ingress(
    rt,
    routes(
      {
        metrics: async () => ({ contentType: metrics.contentType, body: await metrics.render() }),
        targets: () => targets.snapshot(now()),
        ready: () => ({ ready, status: ready ? 'ready' : closing ? 'stopping' : 'starting' }),
      },
      opts.hooks,
    ),
  );

  const server = httpServer(config);
  const connections = trackConnections(server, () => closing);
  server.on('request', (req, res) => void onRequest(req, res));
  return {
    server,
    config,
    events,
    router: rt.router,
    async listen(port = config.server.port, host = config.server.host) {
      // Before the first request, so context-window checks count tokens from the start.
      if (needsTokenizer(config)) await loadTokenizer();
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        // A deep accept queue: thousands of clients connecting at once must not be refused while
        // the event loop is busy (the kernel caps it at net.core.somaxconn).
        server.listen({ port, host, backlog: 4096 }, () => {
          server.off('error', reject);
          ready = true;
          sweeps.start();
          resolve(server.address() as AddressInfo);
        });
      });
    },
    async close(graceMs = 10_000) {
      ready = false;
      closing = true;
      sweeps.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      connections.closeIdle();
      const force = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(force);
      await transport.close();
    },
  };
}

/**
 * Node's own limits back up the per-request deadline and body idle timeout (http/body.ts): the
 * headers must arrive within a minute, and no request takes longer to receive than its deadline.
 */
function httpServer(config: GatewayConfig): Server {
  const requestTimeout = config.server.requestTimeoutMs;
  return createServer({ keepAliveTimeout: 65_000, requestTimeout, headersTimeout: Math.min(60_000, requestTimeout) });
}

/**
 * Requests in flight per connection, so shutdown can close idle connections (including ones that
 * never sent a request, which server.close() would otherwise wait on) and drain busy ones: a
 * response that finishes while closing closes its connection, and requests that still arrive are
 * answered with `connection: close`.
 */
function trackConnections(server: Server, closing: () => boolean): { closeIdle(): void } {
  const inFlight = new Map<Socket, number>();
  server.on('connection', (socket: Socket) => {
    inFlight.set(socket, 0);
    socket.on('close', () => inFlight.delete(socket));
  });
  // Registered before the gateway's own 'request' listener, so the connection header is set first.
  server.prependListener('request', (req, res) => {
    const socket = req.socket;
    inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1);
    res.on('close', () => {
      const n = (inFlight.get(socket) ?? 1) - 1;
      inFlight.set(socket, n);
      if (closing() && n === 0) socket.destroy();
    });
    if (closing()) res.setHeader('connection', 'close');
  });
  return {
    closeIdle() {
      for (const [socket, n] of inFlight) if (n === 0) socket.destroy();
    },
  };
}
