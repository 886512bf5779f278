import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { compile } from '../config/compile.js';
import { defaultConfigPath, readRawConfig } from '../config/load.js';
import { createGateway, type Logger } from '../http/server.js';
import type { SandboxServer } from '../sandbox/index.js';
import { type CliIO, waitForSignal } from './io.js';

/**
 * With SWITCHYARD_BENCH_ELD=1, the event loop's delay every 5 s, for bench/many-streams.ts: one
 * line `eld p99_ms=<n> max_ms=<n>` on stdout, over the 5 s just past, and one line saying where
 * memory is (`mem rss_mb=… heap_used_mb=… heap_total_mb=… external_mb=… array_buffers_mb=…`).
 * Off (and free) otherwise.
 */
function reportLoopDelay(io: CliIO): () => void {
  if (io.env.SWITCHYARD_BENCH_ELD !== '1') return () => {};
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const timer = setInterval(() => {
    io.stdout(`eld p99_ms=${(h.percentile(99) / 1e6).toFixed(1)} max_ms=${(h.max / 1e6).toFixed(1)}\n`);
    h.reset();
    const m = process.memoryUsage();
    const mb = (n: number): string => (n / 1048576).toFixed(1);
    io.stdout(
      `mem rss_mb=${mb(m.rss)} heap_used_mb=${mb(m.heapUsed)} heap_total_mb=${mb(m.heapTotal)} external_mb=${mb(m.external)} array_buffers_mb=${mb(m.arrayBuffers)}\n`,
    );
  }, 5000);
  timer.unref();
  return () => {
    clearInterval(timer);
    h.disable();
  };
}

function jsonLogger(io: CliIO): Logger {
  return (level, event, fields) => io.stderr(`${JSON.stringify({ time: new Date().toISOString(), level, event, ...fields })}\n`);
}

export async function runServe(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { config: { type: 'string', short: 'c' }, host: { type: 'string' }, port: { type: 'string' } },
    strict: true,
  });
  const path = values.config ?? defaultConfigPath(process.cwd());
  const raw = readRawConfig({ env: io.env, ...(path ? { path } : {}) });
  // Sandbox providers run in this process on an ephemeral loopback port.
  const sandbox: SandboxServer | undefined = raw.usesSandbox ? await (await import('../sandbox/index.js')).startSandbox({ port: 0 }) : undefined;
  const config = compile(raw.raw, { env: io.env, source: raw.source, sandboxMode: raw.sandboxMode, ...(sandbox ? { sandboxUrl: sandbox.url } : {}) });

  const port = values.port !== undefined ? Number(values.port) : config.server.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.stderr(`switchyard serve: --port must be an integer from 0 to 65535, got '${values.port}'\n`);
    await sandbox?.close();
    return 2;
  }
  const gateway = createGateway(config, jsonLogger(io));
  const addr = await gateway.listen(port, values.host ?? config.server.host);
  const base = `http://${addr.address}:${addr.port}`;
  let banner =
    `switchyard listening on ${base} (config: ${path ?? config.source})\n` +
    `  providers: ${[...config.providers.values()].map((p) => `${p.name} (${p.format})`).join(', ') || 'none'}\n` +
    `  models:    ${[...config.models.keys()].join(', ') || 'none'}; or any provider/model\n`;
  if (config.sandboxMode) {
    banner +=
      '\n  *** SANDBOX MODE ***\n' +
      '  No provider credentials were found (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, ...).\n' +
      '  Answers come from simulated providers on this machine, not from real models.\n' +
      '  Every response carries the header x-switchyard-sandbox: true.\n\n' +
      `  Try: curl ${base}/v1/chat/completions -H 'content-type: application/json' \\\n` +
      `         -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}'\n\n`;
  }
  io.stdout(banner);
  const stopReporting = reportLoopDelay(io);
  await waitForSignal();
  stopReporting();
  io.stdout('switchyard: shutting down\n');
  await gateway.close();
  await sandbox?.close();
  return 0;
}
