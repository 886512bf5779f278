#!/usr/bin/env node
import { readFileSync } from 'node:fs';

const USAGE = `Usage: switchyard <command> [options]

Commands:
  serve [--config FILE] [--host H] [--port N]   Run the gateway (default 127.0.0.1:8787).
                                                 Without a config file it configures itself from
                                                 provider environment variables, or from the
                                                 built-in sandbox providers when none are set.
  check FILE [--allow-missing-env]              Validate a config file and print what it compiles to.
  sandbox [--port N] [--host H] [--scenarios FILE] [--seed N]
                                                 Serve simulated OpenAI, Anthropic and Gemini providers
                                                 that misbehave on demand.
  help                                          Show this help.
  version                                       Print the version.
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const io = { stdout: (s: string) => process.stdout.write(s), stderr: (s: string) => process.stderr.write(s), env: process.env };
  switch (command) {
    case 'serve':
      return (await import('./serve.js')).runServe(rest, io);
    case 'check':
      return (await import('./check.js')).runCheck(rest, io);
    case 'sandbox':
      return (await import('./sandbox.js')).runSandbox(rest, io);
    case 'version':
    case '--version': {
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
      io.stdout(`switchyard ${pkg.version}\n`);
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.stdout(USAGE);
      return 0;
    default:
      io.stderr(`switchyard: unknown command '${command}'\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`switchyard: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
