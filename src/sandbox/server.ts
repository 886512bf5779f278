import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { handleChat } from './chat.js';
import { handleEmbeddings } from './embed.js';
import type { Exchange, Runtime } from './exchange.js';
import { jsonReply } from './formats/format.js';
import { matchRoute, modelList, type Route } from './routes.js';
import { compileModel, parseScenarioFile, type ScenarioFile } from './scenario-file.js';
import { type Behaviour, BUILT_IN_SCENARIOS, builtInBehaviour, DEFAULT_BEHAVIOUR, scenarioNameOf } from './scenarios.js';
import { AttemptLog, ModelStates } from './state.js';
import type { SandboxAttempt } from './types.js';
import { sendReply } from './writer.js';

export interface SandboxOptions {
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** A parsed scenario file (see loadScenarioFile). */
  scenarios?: ScenarioFile;
  /** Seeds error rates and latency distributions; overrides the file's seed. */
  seed?: number;
  /** Receives one line per finished attempt. */
  log?: (line: string) => void;
}

export interface SandboxServer {
  /** http://HOST:PORT, no trailing slash. */
  url: string;
  port: number;
  close(): Promise<void>;
  attempts(): SandboxAttempt[];
  /** Clears the attempts log and every model's state (once-counters, outage clocks, random draws). */
  reset(): void;
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge('request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function compile(file: ScenarioFile | undefined): Map<string, Behaviour> {
  const models = new Map<string, Behaviour>();
  for (const [name, entry] of Object.entries(file?.models ?? {})) models.set(name, compileModel(name, entry));
  return models;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<SandboxServer> {
  const file = opts.scenarios ? parseScenarioFile(opts.scenarios, '(options.scenarios)') : undefined;
  const fileModels = compile(file);
  const seed = opts.seed ?? file?.seed ?? 0;
  const rt: Runtime = {
    behaviourFor(model) {
      const name = scenarioNameOf(model);
      return fileModels.get(model) ?? fileModels.get(name) ?? builtInBehaviour(name) ?? DEFAULT_BEHAVIOUR;
    },
    states: new ModelStates(seed),
    attempts: new AttemptLog(),
  };
  const modelNames = [...Object.keys(BUILT_IN_SCENARIOS), ...fileModels.keys()];
  const sockets = new Set<Socket>();
  const inFlight = new Set<AbortController>();
  let closing = false;

  function admin(req: IncomingMessage, res: ServerResponse, path: string): void {
    if (req.method === 'GET' && path === '/_sandbox/attempts') {
      sendReply(res, jsonReply(200, rt.attempts.all()));
      return;
    }
    if (req.method === 'POST' && path === '/_sandbox/reset') {
      reset();
      sendReply(res, jsonReply(200, { ok: true }));
      return;
    }
    if (req.method === 'GET' && path === '/_sandbox/scenarios') {
      const builtin = Object.entries(BUILT_IN_SCENARIOS).map(([name, s]) => ({ name, description: s.description }));
      sendReply(res, jsonReply(200, { seed, builtin, models: file?.models ?? {} }));
      return;
    }
    sendReply(res, jsonReply(404, { error: { message: `Unknown sandbox admin route: ${req.method ?? ''} ${path}` } }));
  }

  async function provider(req: IncomingMessage, res: ServerResponse, route: Route): Promise<void> {
    const controller = new AbortController();
    inFlight.add(controller);
    const attempt = rt.attempts.add({
      time: new Date().toISOString(),
      format: route.format.name,
      endpoint: route.endpoint,
      model: null,
      path: req.url ?? '',
      stream: false,
      scenario: null,
      outcome: 'rejected',
      status: null,
      clientClosed: false,
    });
    res.on('close', () => {
      // Cuts and resets are the sandbox hanging up, not the client.
      if (!res.writableFinished && !closing && attempt.outcome !== 'cut' && attempt.outcome !== 'reset') attempt.clientClosed = true;
      controller.abort();
      inFlight.delete(controller);
      opts.log?.(
        `sandbox ${attempt.format} ${attempt.endpoint} model=${attempt.model ?? '-'} scenario=${attempt.scenario ?? '-'} ` +
          `stream=${attempt.stream} outcome=${attempt.outcome} status=${attempt.status ?? '-'}${attempt.clientClosed ? ' client_closed' : ''}`,
      );
    });
    const ex: Exchange = { req, res, signal: controller.signal, attempt };
    const { format } = route;

    let text: string;
    try {
      text = await readBody(req);
    } catch (err) {
      if (!(err instanceof BodyTooLarge)) throw err;
      attempt.status = 413;
      sendReply(res, format.error({ kind: 'invalid_request', status: 413, message: 'Request body too large.' }));
      return;
    }
    if (format.name === 'anthropic' && route.endpoint !== 'unknown') {
      const missing = !req.headers['x-api-key'] && !req.headers.authorization ? 'x-api-key' : !req.headers['anthropic-version'] ? 'anthropic-version' : null;
      if (missing) {
        attempt.status = 401;
        sendReply(res, format.error({ kind: 'unauthorized', status: 401, message: `${missing}: header is required` }));
        return;
      }
    }
    if (route.endpoint === 'unknown') {
      attempt.status = 404;
      sendReply(res, format.error({ kind: 'not_found', status: 404, message: route.reason }));
      return;
    }
    if (route.endpoint === 'models') {
      attempt.outcome = 'ok';
      attempt.status = 200;
      sendReply(res, jsonReply(200, modelList(format, modelNames)));
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      attempt.status = 400;
      sendReply(res, format.error({ kind: 'invalid_request', status: 400, message: 'We could not parse the JSON body of your request.' }));
      return;
    }
    rt.attempts.keepRequest(attempt, body, text.length);
    if (route.endpoint === 'chat') await handleChat(rt, ex, route.chat, body);
    else await handleEmbeddings(rt, ex, route.embed, body);
  }

  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    if (url.pathname.startsWith('/_sandbox/')) return admin(req, res, url.pathname);
    const route = matchRoute(req.method ?? 'GET', url);
    if (route) return provider(req, res, route);
    sendReply(res, jsonReply(404, { error: { message: 'Unknown path. Provider bases: /openai/v1, /anthropic, /gemini.' } }));
  }

  function reset(): void {
    rt.attempts.clear();
    rt.states.clear();
  }

  const server = createServer({ noDelay: true, keepAliveTimeout: 5_000 }, (req, res) => {
    dispatch(req, res).catch(() => {
      if (!res.headersSent) sendReply(res, jsonReply(500, { error: { message: 'Sandbox internal error.' } }));
      else res.destroy();
    });
  });
  // A no-response request must be able to wait as long as the client does.
  server.requestTimeout = 0;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    attempts: () => rt.attempts.all(),
    reset,
    close: async () => {
      closing = true;
      for (const controller of inFlight) controller.abort();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
