import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { handleChat } from './chat.js';
import { handleEmbeddings } from './embed.js';
import type { Exchange, Runtime } from './exchange.js';
import { type ChatFormat, jsonReply } from './formats/format.js';
import { matchRoute, modelList, type Route } from './routes.js';
import { compileModel, parseScenarioFile, type ScenarioFile } from './scenario-file.js';
import { type Behaviour, BUILT_IN_SCENARIOS, builtInBehaviour, DEFAULT_BEHAVIOUR, scenarioNameOf } from './scenarios.js';
import { AttemptLog, ModelStates } from './state.js';
import type { ErrorKind, SandboxAttempt } from './types.js';
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
  const sandbox = new Sandbox(opts);
  const server = createServer({ noDelay: true, keepAliveTimeout: 5_000 }, (req, res) => sandbox.serve(req, res));
  // A no-response request must be able to wait as long as the client does.
  server.requestTimeout = 0;
  server.on('connection', (socket) => sandbox.track(socket));
  const host = opts.host ?? '127.0.0.1';
  const port = await listen(server, host, opts.port ?? 0);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    attempts: () => sandbox.rt.attempts.all(),
    reset: () => sandbox.reset(),
    close: async () => {
      sandbox.closeAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** One sandbox: its scenarios, its state, and the connections and requests it has open. */
class Sandbox {
  readonly rt: Runtime;
  private readonly file: ScenarioFile | undefined;
  private readonly seed: number;
  private readonly modelNames: string[];
  private readonly sockets = new Set<Socket>();
  private readonly inFlight = new Set<AbortController>();
  private closing = false;

  constructor(private readonly opts: SandboxOptions) {
    this.file = opts.scenarios ? parseScenarioFile(opts.scenarios, '(options.scenarios)') : undefined;
    const fileModels = compile(this.file);
    this.seed = opts.seed ?? this.file?.seed ?? 0;
    this.rt = {
      behaviourFor(model) {
        const name = scenarioNameOf(model);
        return fileModels.get(model) ?? fileModels.get(name) ?? builtInBehaviour(name) ?? DEFAULT_BEHAVIOUR;
      },
      states: new ModelStates(this.seed),
      attempts: new AttemptLog(),
    };
    this.modelNames = [...Object.keys(BUILT_IN_SCENARIOS), ...fileModels.keys()];
  }

  serve(req: IncomingMessage, res: ServerResponse): void {
    this.dispatch(req, res).catch(() => {
      if (!res.headersSent) sendReply(res, jsonReply(500, { error: { message: 'Sandbox internal error.' } }));
      else res.destroy();
    });
  }

  track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }

  reset(): void {
    this.rt.attempts.clear();
    this.rt.states.clear();
  }

  /** Ends every request and connection: the server can then close at once. */
  closeAll(): void {
    this.closing = true;
    for (const controller of this.inFlight) controller.abort();
    for (const socket of this.sockets) socket.destroy();
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    if (url.pathname.startsWith('/_sandbox/')) return this.admin(req, res, url.pathname);
    const route = matchRoute(req.method ?? 'GET', url);
    if (route) return this.provider(req, res, route);
    sendReply(res, jsonReply(404, { error: { message: 'Unknown path. Provider bases: /openai/v1, /anthropic, /gemini.' } }));
  }

  private admin(req: IncomingMessage, res: ServerResponse, path: string): void {
    if (req.method === 'GET' && path === '/_sandbox/attempts') {
      sendReply(res, jsonReply(200, this.rt.attempts.all()));
      return;
    }
    if (req.method === 'POST' && path === '/_sandbox/reset') {
      this.reset();
      sendReply(res, jsonReply(200, { ok: true }));
      return;
    }
    if (req.method === 'GET' && path === '/_sandbox/scenarios') {
      const builtin = Object.entries(BUILT_IN_SCENARIOS).map(([name, s]) => ({ name, description: s.description }));
      sendReply(res, jsonReply(200, { seed: this.seed, builtin, models: this.file?.models ?? {} }));
      return;
    }
    sendReply(res, jsonReply(404, { error: { message: `Unknown sandbox admin route: ${req.method ?? ''} ${path}` } }));
  }

  /** A request to a simulated provider: recorded, read, checked as the provider would, then answered. */
  private async provider(req: IncomingMessage, res: ServerResponse, route: Route): Promise<void> {
    const ex = this.exchange(req, res, route);
    const text = await readBodyOrRefuse(ex, route.format);
    if (text === undefined || refused(ex, route, this.modelNames)) return;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      refuse(ex, route.format, 400, 'invalid_request', 'We could not parse the JSON body of your request.');
      return;
    }
    this.rt.attempts.keepRequest(ex.attempt, body, text.length);
    if (route.endpoint === 'chat') await handleChat(this.rt, ex, route.chat, body);
    else if (route.endpoint === 'embeddings') await handleEmbeddings(this.rt, ex, route.embed, body);
  }

  /** The request's entry in the attempts log and its abort signal, both settled when the response closes. */
  private exchange(req: IncomingMessage, res: ServerResponse, route: Route): Exchange {
    const controller = new AbortController();
    this.inFlight.add(controller);
    const attempt = this.rt.attempts.add({
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
      if (!res.writableFinished && !this.closing && attempt.outcome !== 'cut' && attempt.outcome !== 'reset') attempt.clientClosed = true;
      controller.abort();
      this.inFlight.delete(controller);
      this.opts.log?.(logLine(attempt));
    });
    return { req, res, signal: controller.signal, attempt };
  }
}

function logLine(a: SandboxAttempt): string {
  return (
    `sandbox ${a.format} ${a.endpoint} model=${a.model ?? '-'} scenario=${a.scenario ?? '-'} ` +
    `stream=${a.stream} outcome=${a.outcome} status=${a.status ?? '-'}${a.clientClosed ? ' client_closed' : ''}`
  );
}

/** The body's text, or undefined once a too-large body was refused with a 413. */
async function readBodyOrRefuse(ex: Exchange, format: ChatFormat): Promise<string | undefined> {
  try {
    return await readBody(ex.req);
  } catch (err) {
    if (!(err instanceof BodyTooLarge)) throw err;
    refuse(ex, format, 413, 'invalid_request', 'Request body too large.');
    return undefined;
  }
}

/**
 * Answers what the provider answers before it looks at the body: Anthropic's missing headers, an
 * unknown path, the model listing. True when the request is dealt with.
 */
function refused(ex: Exchange, route: Route, modelNames: readonly string[]): boolean {
  const { format } = route;
  if (format.name === 'anthropic' && route.endpoint !== 'unknown') {
    const h = ex.req.headers;
    const missing = !h['x-api-key'] && !h.authorization ? 'x-api-key' : !h['anthropic-version'] ? 'anthropic-version' : null;
    if (missing) {
      refuse(ex, format, 401, 'unauthorized', `${missing}: header is required`);
      return true;
    }
  }
  if (route.endpoint === 'unknown') {
    refuse(ex, format, 404, 'not_found', route.reason);
    return true;
  }
  if (route.endpoint === 'models') {
    ex.attempt.outcome = 'ok';
    ex.attempt.status = 200;
    sendReply(ex.res, jsonReply(200, modelList(format, modelNames)));
    return true;
  }
  return false;
}

/** An error in the format's own shape; the attempt stays 'rejected'. */
function refuse(ex: Exchange, format: ChatFormat, status: number, kind: ErrorKind, message: string): void {
  ex.attempt.status = status;
  sendReply(ex.res, format.error({ kind, status, message }));
}
