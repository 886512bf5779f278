import { parseArgs } from 'node:util';
import { loadScenarioFile, startSandbox } from '../sandbox/index.js';
import { type CliIO, waitForSignal } from './io.js';

export async function runSandbox(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '8790' },
      host: { type: 'string', default: '127.0.0.1' },
      scenarios: { type: 'string' },
      seed: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.stderr(`switchyard sandbox: --port must be an integer from 0 to 65535, got '${values.port}'\n`);
    return 2;
  }
  const sandbox = await startSandbox({
    host: values.host,
    port,
    ...(values.scenarios ? { scenarios: loadScenarioFile(values.scenarios) } : {}),
    ...(values.seed !== undefined ? { seed: Number(values.seed) } : {}),
    ...(values.quiet ? {} : { log: (line: string) => io.stdout(`${line}\n`) }),
  });
  io.stdout(
    `switchyard sandbox listening on ${sandbox.url}\n` +
      `  OpenAI format:    ${sandbox.url}/openai/v1\n` +
      `  Anthropic format: ${sandbox.url}/anthropic\n` +
      `  Gemini format:    ${sandbox.url}/gemini\n` +
      `  attempts log:     ${sandbox.url}/_sandbox/attempts\n` +
      `Model names choose behaviour (ok, rate-limit-once, error-503, cut-after-5, stall, ...); see src/sandbox/README.md\n`,
  );
  await waitForSignal();
  await sandbox.close();
  return 0;
}
