import { type CompileReport, compileWithReport } from '../config/compile.js';
import type { Env } from '../config/env.js';
import { ConfigError, type ConfigIssue, formatIssue } from '../config/errors.js';
import { defaultConfigPath, readRawConfig } from '../config/load.js';
import { describeConfig } from '../config/summary.js';

/**
 * `switchyard check [FILE] [--allow-missing-env]`: validate a config without starting anything.
 *
 * Unset environment variables are errors by default, because `serve` would refuse the same file;
 * `--allow-missing-env` turns them into warnings so CI can check a file without holding secrets.
 * Exit codes: 0 valid, 1 invalid, 2 usage error.
 */

export interface CheckIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Env;
  /** Where to look for switchyard.yaml when no FILE is given; defaults to process.cwd(). */
  cwd?: string;
}

/** Sandbox providers are checked against a placeholder: no sandbox is started to validate a file. */
export const CHECK_SANDBOX_URL = 'http://127.0.0.1:<sandbox>';

const USAGE = `usage: switchyard check [FILE] [--allow-missing-env]

Validates FILE (default: ./switchyard.yaml, or the configuration built from the environment when
there is no such file) and prints what the gateway would run with.

  --allow-missing-env   report unset environment variables as warnings, not errors`;

interface Args {
  file: string | undefined;
  allowMissingEnv: boolean;
  help: boolean;
}

function parseArgs(argv: readonly string[]): Args | string {
  const args: Args = { file: undefined, allowMissingEnv: false, help: false };
  for (const arg of argv) {
    if (arg === '--allow-missing-env') args.allowMissingEnv = true;
    else if (arg === '-h' || arg === '--help') args.help = true;
    else if (arg.startsWith('-')) return `unknown option ${arg}`;
    else if (args.file !== undefined) return `only one FILE may be given (got ${args.file} and ${arg})`;
    else args.file = arg;
  }
  return args;
}

function printIssues(io: CheckIO, heading: string, issues: readonly ConfigIssue[]): void {
  io.stderr(`${heading}\n`);
  for (const i of issues) io.stderr(`  - ${formatIssue(i)}\n`);
}

export async function runCheck(argv: string[], io: CheckIO): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    io.stderr(`switchyard check: ${args}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const path = args.file ?? defaultConfigPath(io.cwd ?? process.cwd());
  let report: CompileReport;
  try {
    const raw = readRawConfig({ path, env: io.env });
    report = compileWithReport(raw.raw, {
      env: io.env,
      source: raw.source,
      sandboxMode: raw.sandboxMode,
      sandboxUrl: CHECK_SANDBOX_URL,
      allowMissingEnv: args.allowMissingEnv,
    });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const n = err.issues.length;
    printIssues(io, `${err.source}: invalid configuration (${n} problem${n === 1 ? '' : 's'}):`, err.issues);
    if (err.issues.some((i) => i.kind === 'missing_env')) {
      io.stderr('hint: set the variables, or pass --allow-missing-env to check the file without them\n');
    }
    return 1;
  }
  io.stdout(`${describeConfig(report).join('\n')}\n`);
  if (report.warnings.length > 0) printIssues(io, `warnings (${report.warnings.length}):`, report.warnings);
  io.stdout(`\n${report.config.source}: valid\n`);
  return 0;
}
