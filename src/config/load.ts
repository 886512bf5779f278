import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CompileReport, compileWithReport } from './compile.js';
import type { Env } from './env.js';
import { rawConfigFromEnv } from './env-default.js';
import { ConfigError } from './errors.js';
import type { GatewayConfig } from './types.js';
import { parseYaml } from './yaml.js';

// Re-exported so start-up code can build the embedded default from the one loading module.
export { rawConfigFromEnv };

export const DEFAULT_CONFIG_FILE = 'switchyard.yaml';

/** `switchyard.yaml` in `cwd` when it exists; otherwise undefined (the embedded default applies). */
export function defaultConfigPath(cwd: string): string | undefined {
  const candidate = join(cwd, DEFAULT_CONFIG_FILE);
  return existsSync(candidate) ? candidate : undefined;
}

export interface RawSource {
  raw: unknown;
  /** The file path, or "environment" / "sandbox" for the embedded default. */
  source: string;
  /** True when some provider is a sandbox provider: the caller must start the sandbox and pass its URL. */
  usesSandbox: boolean;
  /** True when the embedded default found no credentials and fell back to the sandbox. */
  sandboxMode: boolean;
}

export interface LoadOptions {
  /** A YAML file; without one the config is built from the environment. */
  path?: string;
  env: Env;
  sandboxUrl?: string;
  allowMissingEnv?: boolean;
}

/** Whether a raw (not yet validated) config declares sandbox providers. */
export function usesSandbox(raw: unknown): boolean {
  if (typeof raw !== 'object' || raw === null) return false;
  const providers: unknown = (raw as Record<string, unknown>).providers;
  if (typeof providers !== 'object' || providers === null) return false;
  return Object.values(providers).some((p: unknown) => typeof p === 'object' && p !== null && (p as Record<string, unknown>).sandbox === true);
}

/**
 * First half of loading, for callers that must start the sandbox before compiling: read and parse
 * the file (or build the embedded default) and say whether sandbox providers are involved.
 */
export function readRawConfig(opts: { path?: string; env: Env }): RawSource {
  if (opts.path === undefined) {
    const { raw, sandbox } = rawConfigFromEnv(opts.env);
    return { raw, source: sandbox ? 'sandbox' : 'environment', usesSandbox: sandbox, sandboxMode: sandbox };
  }
  let text: string;
  try {
    text = readFileSync(opts.path, 'utf8');
  } catch (err) {
    const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : 'unreadable';
    throw new ConfigError(opts.path, [{ path: '', message: `cannot read the config file (${code})` }]);
  }
  const parsed = parseYaml(text);
  if (!parsed.ok) throw new ConfigError(opts.path, parsed.issues);
  return { raw: parsed.value, source: opts.path, usesSandbox: usesSandbox(parsed.value), sandboxMode: false };
}

export function loadConfigWithReport(opts: LoadOptions): CompileReport {
  const raw = readRawConfig(opts);
  return compileWithReport(raw.raw, {
    env: opts.env,
    source: raw.source,
    sandboxMode: raw.sandboxMode,
    sandboxUrl: opts.sandboxUrl,
    allowMissingEnv: opts.allowMissingEnv,
  });
}

/** Read, validate and compile once at start-up; throws a ConfigError listing every problem. */
export function loadConfig(opts: LoadOptions): GatewayConfig {
  return loadConfigWithReport(opts).config;
}
