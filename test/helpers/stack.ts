import { compile } from '../../src/config/compile.js';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/http/server.js';
import { type SandboxServer, type ScenarioFile, startSandbox } from '../../src/sandbox/index.js';

export interface Stack {
  /** Gateway base URL, e.g. http://127.0.0.1:PORT */
  url: string;
  gateway: Gateway;
  sandbox: SandboxServer;
  logs: { event: string; fields: Record<string, unknown> }[];
  close(): Promise<void>;
}

/** Three sandbox providers, one per wire format, and public models over them. */
export const SANDBOX_PROVIDERS = {
  'sb-openai': { sandbox: true, format: 'openai' },
  'sb-anthropic': { sandbox: true, format: 'anthropic' },
  'sb-gemini': { sandbox: true, format: 'gemini' },
} as const;

/**
 * A real gateway on a loopback port in front of a real sandbox server: every request crosses two
 * real HTTP hops, as in production.
 */
export async function startStack(
  raw: {
    server?: Record<string, unknown>;
    resilience?: Record<string, unknown>;
    routing?: Record<string, unknown>;
    providers?: Record<string, unknown>;
    models?: Record<string, unknown>;
  } = {},
  scenarios?: ScenarioFile,
  options: Pick<GatewayOptions, 'hooks'> = {},
): Promise<Stack> {
  const sandbox = await startSandbox({ port: 0, seed: 1, ...(scenarios ? { scenarios } : {}) });
  const config = compile(
    {
      providers: raw.providers ?? SANDBOX_PROVIDERS,
      models: raw.models ?? {},
      ...(raw.server ? { server: raw.server } : {}),
      ...(raw.resilience ? { resilience: raw.resilience } : {}),
      ...(raw.routing ? { routing: raw.routing } : {}),
    },
    { env: {}, source: 'test', sandboxUrl: sandbox.url },
  );
  const logs: Stack['logs'] = [];
  // Process metrics install process-wide collectors: one set per test process is enough (none).
  const gateway = createGateway(config, (_level, event, fields) => logs.push({ event, fields }), { processMetrics: false, ...options });
  const addr = await gateway.listen(0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${addr.port}`,
    gateway,
    sandbox,
    logs,
    async close() {
      if (process.env.DEBUG_CLOSE) console.log('closing gateway');
      await gateway.close();
      if (process.env.DEBUG_CLOSE) console.log('closing sandbox');
      await sandbox.close();
      if (process.env.DEBUG_CLOSE) console.log('closed');
    },
  };
}
