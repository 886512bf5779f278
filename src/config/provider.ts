import type { CompileContext } from './context.js';
import { lookup } from './env.js';
import type { PathSegment } from './errors.js';
import { frozenMap } from './freeze.js';
import { compileModels } from './models.js';
import { AUTH_HEADER_BY_FORMAT, bedrockBaseUrl, DEFAULT_BEDROCK_REGION, isPresetName, PRESETS, type Preset, type PresetName } from './presets.js';
import { type RawProvider, SANDBOX_FORMATS, WIRE_FORMATS } from './schema.js';
import type { ProviderAuth, ProviderConfig, Timeouts, WireFormat } from './types.js';

export const DEFAULT_TIMEOUTS: Readonly<Timeouts> = Object.freeze({ connectMs: 5_000, firstByteMs: 60_000, idleMs: 30_000, firstTokenMs: 60_000 });
/** The key sandbox providers send: the sandbox checks that one is present, never its value. */
export const SANDBOX_KEY = 'sandbox';

const SANDBOX_PATH: Readonly<Record<(typeof SANDBOX_FORMATS)[number], string>> = {
  openai: '/openai/v1',
  anthropic: '/anthropic',
  gemini: '/gemini',
};

/** Keys that make no sense on a sandbox provider: its endpoint and key come from the gateway. */
const NOT_FOR_SANDBOX = [
  'preset',
  'base_url',
  'api_key',
  'auth',
  'auth_header',
  'api_version',
  'aws_access_key_id',
  'aws_secret_access_key',
  'aws_session_token',
] as const;
const BEDROCK_ONLY = ['aws_access_key_id', 'aws_secret_access_key', 'aws_session_token'] as const;

export interface ProviderOptions {
  sandboxUrl: string | undefined;
}

/**
 * Which preset applies: the one named; else, with no format written, the provider's own name when
 * it is a preset (`providers: { groq: {} }`); else, with a format but no base_url, that format's
 * own preset (`format: anthropic` means api.anthropic.com). A format plus a base_url is a custom host.
 */
function presetFor(name: string, raw: RawProvider): PresetName | undefined {
  if (raw.preset) return raw.preset;
  if (raw.format === undefined) return isPresetName(name) ? name : undefined;
  return raw.base_url === undefined ? raw.format : undefined;
}

function normalizeBaseUrl(value: string, path: readonly PathSegment[], ctx: CompileContext, unresolved: boolean): string {
  const trimmed = value.replace(/\/+$/, '');
  if (unresolved) return trimmed;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    ctx.error(path, 'must be an absolute http:// or https:// URL');
    return trimmed;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') ctx.error(path, `must use http or https, not ${url.protocol.replace(':', '')}`);
  if (url.username || url.password) ctx.error(path, 'must not contain credentials; use api_key or headers');
  if (url.search || url.hash) ctx.error(path, 'must not contain a query string or fragment');
  return trimmed;
}

function sandboxProvider(raw: RawProvider, path: readonly PathSegment[], ctx: CompileContext, opts: ProviderOptions) {
  for (const key of NOT_FOR_SANDBOX) {
    if (raw[key] !== undefined) ctx.error([...path, key], 'is not used by sandbox providers: their endpoint and key come from the built-in sandbox');
  }
  const format = raw.format;
  const allowed = SANDBOX_FORMATS as readonly string[];
  if (format === undefined || !allowed.includes(format)) {
    ctx.error(
      [...path, 'format'],
      `${format === undefined ? 'is required for sandbox providers' : `"${format}" has no sandbox`}; allowed values: ${SANDBOX_FORMATS.join(', ')}`,
    );
    return undefined;
  }
  const sandboxFormat = format as (typeof SANDBOX_FORMATS)[number];
  const auth: ProviderAuth =
    sandboxFormat === 'openai'
      ? { type: 'bearer', key: SANDBOX_KEY }
      : { type: 'header', name: AUTH_HEADER_BY_FORMAT[sandboxFormat] ?? 'x-api-key', key: SANDBOX_KEY };
  // Without a URL the caller gets one combined error from compile(); the placeholder is never used.
  const base = (opts.sandboxUrl ?? 'http://sandbox.invalid').replace(/\/+$/, '');
  return { format: sandboxFormat, baseUrl: `${base}${SANDBOX_PATH[sandboxFormat]}`, auth, apiVersion: undefined, region: raw.region };
}

interface Endpoint {
  format: WireFormat;
  baseUrl: string;
  auth: ProviderAuth;
  apiVersion: string | undefined;
  region: string | undefined;
}

function resolveKey(
  name: string,
  raw: RawProvider,
  preset: Preset | undefined,
  path: readonly PathSegment[],
  ctx: CompileContext,
  presetName: string | undefined,
) {
  if (raw.api_key !== undefined) return { key: ctx.secret(name, [...path, 'api_key'], ['api_key'], raw.api_key), explicit: true };
  if (!preset || preset.apiKeyEnv.length === 0) return { key: undefined, explicit: false };
  const found = ctx.firstSet(name, ['api_key'], preset.apiKeyEnv);
  if (found) return { key: found.value, explicit: false };
  if (preset.apiKeyOptional) {
    for (const variable of preset.apiKeyEnv) ctx.notePresetSecretUnset(name, ['api_key'], variable);
    return { key: undefined, explicit: false };
  }
  ctx.missingPresetSecret(
    name,
    [...path, 'api_key'],
    preset.apiKeyEnv,
    ` (preset ${presetName ?? ''} reads the key from it; set it, or write api_key: \${OTHER_VARIABLE})`,
  );
  return { key: '', explicit: false };
}

function resolveAuth(
  name: string,
  raw: RawProvider,
  format: WireFormat,
  region: string,
  preset: Preset | undefined,
  presetName: string | undefined,
  path: readonly PathSegment[],
  ctx: CompileContext,
): ProviderAuth {
  const { key, explicit } = resolveKey(name, raw, preset, path, ctx, presetName);
  const defaultKind = format === 'bedrock' ? (key !== undefined ? 'bearer' : 'sigv4') : format === 'openai' ? 'bearer' : 'header';
  const kind = raw.auth ?? defaultKind;
  if (raw.auth_header !== undefined && kind !== 'header') ctx.error([...path, 'auth_header'], `is only used with auth: header (auth here is ${kind})`);
  if (kind === 'none') {
    if (explicit) ctx.error([...path, 'api_key'], 'is set but auth is none; remove one of them');
    return { type: 'none' };
  }
  if (kind === 'sigv4') {
    if (format !== 'bedrock') {
      ctx.error([...path, 'auth'], `sigv4 signing is only supported for format bedrock (this provider's format is ${format})`);
      return { type: 'none' };
    }
    if (explicit)
      ctx.error([...path, 'api_key'], 'is not used with sigv4 signing; use aws_access_key_id / aws_secret_access_key, or auth: bearer for a Bedrock API key');
    const sigv4: ProviderAuth = {
      type: 'sigv4',
      accessKeyId: ctx.secret(name, [...path, 'aws_access_key_id'], ['aws_access_key_id'], raw.aws_access_key_id ?? '${AWS_ACCESS_KEY_ID}'),
      secretAccessKey: ctx.secret(name, [...path, 'aws_secret_access_key'], ['aws_secret_access_key'], raw.aws_secret_access_key ?? '${AWS_SECRET_ACCESS_KEY}'),
      region,
      service: 'bedrock',
    };
    if (raw.aws_session_token !== undefined) {
      sigv4.sessionToken = ctx.secret(name, [...path, 'aws_session_token'], ['aws_session_token'], raw.aws_session_token);
    } else {
      // Temporary credentials come with a token; pick it up when the environment has one.
      const token = ctx.firstSet(name, ['aws_session_token'], ['AWS_SESSION_TOKEN']);
      if (token) sigv4.sessionToken = token.value;
    }
    return sigv4;
  }
  if (key === undefined) {
    // A keyless host (ollama, an unset optional vLLM key) sends nothing unless auth was asked for.
    if (raw.auth === undefined) return { type: 'none' };
    ctx.error([...path, 'api_key'], `is required with auth: ${kind}; write api_key: \${MY_API_KEY}`);
    return { type: 'none' };
  }
  if (kind === 'bearer') return { type: 'bearer', key };
  const header = raw.auth_header ?? AUTH_HEADER_BY_FORMAT[format];
  if (header === undefined) {
    ctx.error([...path, 'auth_header'], `is required with auth: header for format ${format} (which header carries the key?)`);
    return { type: 'none' };
  }
  return { type: 'header', name: header.toLowerCase(), key };
}

function realProvider(name: string, raw: RawProvider, path: readonly PathSegment[], ctx: CompileContext): Endpoint | undefined {
  const presetName = presetFor(name, raw);
  const preset = presetName ? PRESETS[presetName] : undefined;
  if (preset && raw.format !== undefined && raw.format !== preset.format) {
    ctx.error([...path, 'format'], `"${raw.format}" conflicts with preset ${presetName}, which speaks ${preset.format}; remove format or preset`);
  }
  const format = raw.format ?? preset?.format;
  if (format === undefined) {
    ctx.error([...path, 'format'], `is required when no preset is given (and "${name}" is not a preset name); allowed values: ${WIRE_FORMATS.join(', ')}`);
    return undefined;
  }
  const why = presetName && raw.base_url === undefined ? ` (the default for preset ${presetName})` : '';
  const region =
    raw.region !== undefined
      ? ctx.text(name, [...path, 'region'], ['region'], raw.region)
      : format === 'bedrock'
        ? (lookup(ctx.env, 'AWS_REGION') ?? lookup(ctx.env, 'AWS_DEFAULT_REGION') ?? DEFAULT_BEDROCK_REGION)
        : undefined;

  const baseTemplate = raw.base_url ?? preset?.baseUrl ?? (format === 'bedrock' ? bedrockBaseUrl(region ?? DEFAULT_BEDROCK_REGION) : undefined);
  let baseUrl = '';
  if (baseTemplate === undefined) {
    ctx.error([...path, 'base_url'], `is required for format ${format} without a preset`);
  } else {
    const before = ctx.issues.length + ctx.warnings.length;
    const resolved = ctx.text(name, [...path, 'base_url'], ['base_url'], baseTemplate, why);
    baseUrl = normalizeBaseUrl(resolved, [...path, 'base_url'], ctx, ctx.issues.length + ctx.warnings.length > before);
  }

  let apiVersion: string | undefined;
  if (format === 'azure') {
    apiVersion = ctx.text(name, [...path, 'api_version'], ['api_version'], raw.api_version ?? PRESETS.azure.apiVersion ?? '2024-10-21');
  } else if (raw.api_version !== undefined) {
    ctx.error([...path, 'api_version'], `is only used by format azure (this provider's format is ${format})`);
  }
  if (format !== 'bedrock') {
    for (const key of BEDROCK_ONLY) {
      if (raw[key] !== undefined) ctx.error([...path, key], `is only used by format bedrock (this provider's format is ${format})`);
    }
  }
  const auth = resolveAuth(name, raw, format, region ?? DEFAULT_BEDROCK_REGION, preset, presetName, path, ctx);
  return { format, baseUrl, auth, apiVersion, region };
}

function compileHeaders(name: string, raw: RawProvider, path: readonly PathSegment[], ctx: CompileContext): Readonly<Record<string, string>> {
  const out = new Map<string, string>();
  for (const [header, template] of Object.entries(raw.headers ?? {})) {
    const lower = header.toLowerCase();
    // Header names are case-insensitive on the wire; two spellings of one name would race.
    if (out.has(lower)) ctx.error([...path, 'headers', header], `repeats header "${lower}" (header names are case-insensitive)`);
    out.set(lower, ctx.text(name, [...path, 'headers', header], ['headers', header], template));
  }
  // Spread into every upstream request, so a plain record: with no prototype, a header named like
  // an Object method is just a header.
  return Object.freeze(Object.assign(Object.create(null) as Record<string, string>, Object.fromEntries(out)));
}

export function compileProvider(name: string, raw: RawProvider, ctx: CompileContext, opts: ProviderOptions): ProviderConfig | undefined {
  const path = ['providers', name];
  const endpoint = raw.sandbox === true ? sandboxProvider(raw, path, ctx, opts) : realProvider(name, raw, path, ctx);
  const headers = compileHeaders(name, raw, path, ctx);
  if (!endpoint) return undefined;
  const compliance = Object.freeze([...new Set(raw.compliance ?? [])]);
  const t = raw.timeouts ?? {};
  const provider: ProviderConfig = {
    name,
    format: endpoint.format,
    baseUrl: endpoint.baseUrl,
    auth: Object.freeze(endpoint.auth),
    headers,
    timeouts: Object.freeze({
      connectMs: t.connect_ms ?? DEFAULT_TIMEOUTS.connectMs,
      firstByteMs: t.first_byte_ms ?? DEFAULT_TIMEOUTS.firstByteMs,
      idleMs: t.idle_ms ?? DEFAULT_TIMEOUTS.idleMs,
      // Unset, it follows first_byte_ms: both bound the wait for a provider that says nothing useful.
      firstTokenMs: t.first_token_ms ?? t.first_byte_ms ?? DEFAULT_TIMEOUTS.firstTokenMs,
    }),
    compliance,
    models: frozenMap([]),
    sandbox: raw.sandbox === true,
    ...(raw.max_connections !== undefined ? { maxConnections: raw.max_connections } : {}),
    http2: raw.http2 ?? true,
    ...(raw.concurrency
      ? {
          concurrency: Object.freeze({
            maxInFlight: raw.concurrency.max_in_flight,
            queueSize: raw.concurrency.queue_size ?? 0,
            queueTimeoutMs: raw.concurrency.queue_timeout_ms ?? 1000,
          }),
        }
      : {}),
  };
  if (endpoint.apiVersion !== undefined) provider.apiVersion = endpoint.apiVersion;
  if (endpoint.region !== undefined) provider.region = endpoint.region;
  provider.models = compileModels(raw.models, path, { format: endpoint.format, region: endpoint.region, compliance }, ctx);
  return Object.freeze(provider);
}
