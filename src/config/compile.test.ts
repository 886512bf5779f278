import { describe, expect, it } from 'vitest';
import { compile, compileWithReport } from './compile.js';
import { ConfigError } from './errors.js';
import { PRESET_NAMES, PRESETS } from './presets.js';
import { resolveTargetRef } from './targets.js';
import type { GatewayConfig, ProviderConfig } from './types.js';
import { parseYaml } from './yaml.js';

function fromYaml(text: string, env: Record<string, string> = {}, extra: { sandboxUrl?: string; source?: string } = {}): GatewayConfig {
  const parsed = parseYaml(text);
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join('\n'));
  return compile(parsed.value, { env, source: extra.source ?? 'test.yaml', sandboxUrl: extra.sandboxUrl });
}

function provider(config: GatewayConfig, name: string): ProviderConfig {
  const p = config.providers.get(name);
  if (!p) throw new Error(`no provider ${name}`);
  return p;
}

describe('defaults', () => {
  const config = fromYaml('providers:\n  openai:\n    preset: openai\n', { OPENAI_API_KEY: 'sk-1' });

  it('fills server, timeouts and connection defaults', () => {
    expect(config.server).toEqual({ host: '127.0.0.1', port: 8787, maxBodyBytes: 10_485_760, requestTimeoutMs: 600_000, bodyIdleTimeoutMs: 10_000 });
    const p = provider(config, 'openai');
    expect(p.timeouts).toEqual({ connectMs: 5000, firstByteMs: 60_000, idleMs: 30_000, firstTokenMs: 60_000 });
    expect(p.maxConnections).toBeUndefined();
    expect(p.http2).toBe(true);
    expect(p.baseUrl).toBe('https://api.openai.com/v1');
    expect(p.auth).toEqual({ type: 'bearer', key: 'sk-1' });
    expect(p.sandbox).toBe(false);
    expect(config.sandboxMode).toBe(false);
    expect(config.source).toBe('test.yaml');
  });

  it('is frozen all the way down', () => {
    const p = provider(config, 'openai');
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p.timeouts)).toBe(true);
    expect(() => (config.providers as Map<string, ProviderConfig>).set('x', p)).toThrow(TypeError);
    expect(() => (config.models as Map<string, unknown>).clear()).toThrow(TypeError);
    const target = resolveTargetRef(config, 'openai/gpt-4o')!;
    expect(() => (target.model.capabilities as Set<string>).add('embeddings')).toThrow(TypeError);
  });
});

describe('max_body_bytes', () => {
  it.each([
    [1000, 1000],
    ['512kb', 524_288],
    ['10mb', 10_485_760],
    ['10MB', 10_485_760],
    ['1.5mb', 1_572_864],
    ['1gb', 1_073_741_824],
    ['2048', 2048],
  ])('%s → %i bytes', (input, bytes) => {
    const config = fromYaml(`server:\n  max_body_bytes: ${JSON.stringify(input)}\nproviders:\n  ollama: {}\n`);
    expect(config.server.maxBodyBytes).toBe(bytes);
  });
});

describe('presets', () => {
  const keyed = PRESET_NAMES.filter((n) => n !== 'azure' && n !== 'bedrock' && PRESETS[n].apiKeyEnv.length > 0);

  it.each(keyed)('%s: base URL and bearer/header key from its variable', (name) => {
    const preset = PRESETS[name];
    const variable = preset.apiKeyEnv[0]!;
    const p = provider(fromYaml(`providers:\n  p:\n    preset: ${name}\n`, { [variable]: 'key-1' }), 'p');
    expect(p.format).toBe(preset.format);
    expect(p.baseUrl).toMatch(/^https?:\/\/[^$]+[^/]$/);
    expect(p.auth.type === 'bearer' || p.auth.type === 'header').toBe(true);
    expect('key' in p.auth && p.auth.key).toBe('key-1');
  });

  it('knows the OpenAI-compatible hosts by URL', () => {
    const urls = Object.fromEntries(
      (['groq', 'together', 'deepseek', 'mistral', 'fireworks', 'openrouter', 'xai', 'perplexity', 'vllm', 'ollama', 'lmstudio'] as const).map((n) => [
        n,
        PRESETS[n].baseUrl,
      ]),
    );
    expect(urls).toEqual({
      groq: 'https://api.groq.com/openai/v1',
      together: 'https://api.together.xyz/v1',
      deepseek: 'https://api.deepseek.com/v1',
      mistral: 'https://api.mistral.ai/v1',
      fireworks: 'https://api.fireworks.ai/inference/v1',
      openrouter: 'https://openrouter.ai/api/v1',
      xai: 'https://api.x.ai/v1',
      perplexity: 'https://api.perplexity.ai',
      vllm: 'http://127.0.0.1:8000/v1',
      ollama: 'http://127.0.0.1:11434/v1',
      lmstudio: 'http://127.0.0.1:1234/v1',
    });
  });

  it('a provider named after a preset uses it; a format with no base_url uses its own preset', () => {
    const config = fromYaml('providers:\n  groq: {}\n  claude:\n    format: anthropic\n', { GROQ_API_KEY: 'g', ANTHROPIC_API_KEY: 'a' });
    expect(provider(config, 'groq').baseUrl).toBe('https://api.groq.com/openai/v1');
    expect(provider(config, 'claude').baseUrl).toBe('https://api.anthropic.com');
    expect(provider(config, 'claude').auth).toEqual({ type: 'header', name: 'x-api-key', key: 'a' });
  });

  it('a format with a base_url is a custom host: no default key, no auth', () => {
    const p = provider(fromYaml('providers:\n  local:\n    format: openai\n    base_url: http://127.0.0.1:9000/v1/\n', { OPENAI_API_KEY: 'sk' }), 'local');
    expect(p.baseUrl).toBe('http://127.0.0.1:9000/v1');
    expect(p.auth).toEqual({ type: 'none' });
  });

  it('honours OPENAI_BASE_URL and ANTHROPIC_BASE_URL', () => {
    const config = fromYaml('providers:\n  openai: {}\n  anthropic: {}\n', {
      OPENAI_API_KEY: 'o',
      OPENAI_BASE_URL: 'http://proxy.local/v1/',
      ANTHROPIC_API_KEY: 'a',
      ANTHROPIC_BASE_URL: 'http://proxy.local/anthropic',
    });
    expect(provider(config, 'openai').baseUrl).toBe('http://proxy.local/v1');
    expect(provider(config, 'anthropic').baseUrl).toBe('http://proxy.local/anthropic');
  });

  it('gemini takes GOOGLE_API_KEY when GEMINI_API_KEY is unset', () => {
    const p = provider(fromYaml('providers:\n  gemini: {}\n', { GOOGLE_API_KEY: 'g' }), 'gemini');
    expect(p.auth).toEqual({ type: 'header', name: 'x-goog-api-key', key: 'g' });
    expect(p.baseUrl).toBe('https://generativelanguage.googleapis.com');
  });

  it('azure: endpoint, api-key header and api version from the environment', () => {
    const env = { AZURE_OPENAI_ENDPOINT: 'https://res.openai.azure.com/', AZURE_OPENAI_API_KEY: 'az' };
    const p = provider(fromYaml('providers:\n  azure:\n    models:\n      gpt-4o:\n        deployment: prod-4o\n', env), 'azure');
    expect(p).toMatchObject({
      format: 'azure',
      baseUrl: 'https://res.openai.azure.com',
      apiVersion: '2024-10-21',
      auth: { type: 'header', name: 'api-key', key: 'az' },
    });
    expect(p.models.get('gpt-4o')?.deployment).toBe('prod-4o');
    const v = provider(fromYaml('providers:\n  azure: {}\n', { ...env, OPENAI_API_VERSION: '2025-01-01-preview' }), 'azure');
    expect(v.apiVersion).toBe('2025-01-01-preview');
  });

  it('azure with auth: bearer sends the key as a bearer token (Entra ID)', () => {
    const env = { AZURE_OPENAI_ENDPOINT: 'https://res.openai.azure.com', TOKEN: 't' };
    const p = provider(fromYaml('providers:\n  azure:\n    auth: bearer\n    api_key: ${TOKEN}\n', env), 'azure');
    expect(p.auth).toEqual({ type: 'bearer', key: 't' });
  });

  it('bedrock: sigv4 from the standard AWS variables, URL from the region', () => {
    const env = { AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 's3cr3t', AWS_SESSION_TOKEN: 'tok', AWS_REGION: 'eu-west-1' };
    const p = provider(fromYaml('providers:\n  bedrock: {}\n', env), 'bedrock');
    expect(p.baseUrl).toBe('https://bedrock-runtime.eu-west-1.amazonaws.com');
    expect(p.region).toBe('eu-west-1');
    expect(p.auth).toEqual({ type: 'sigv4', accessKeyId: 'AKIA', secretAccessKey: 's3cr3t', sessionToken: 'tok', region: 'eu-west-1', service: 'bedrock' });
    const d = provider(fromYaml('providers:\n  bedrock: {}\n', { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' }), 'bedrock');
    expect(d.region).toBe('us-east-1');
    expect(d.auth).not.toHaveProperty('sessionToken');
    const r = provider(fromYaml('providers:\n  bedrock:\n    region: ap-northeast-1\n', { ...env, AWS_DEFAULT_REGION: 'x' }), 'bedrock');
    expect(r.baseUrl).toBe('https://bedrock-runtime.ap-northeast-1.amazonaws.com');
  });

  it('bedrock with an api_key uses a Bedrock API key as a bearer token', () => {
    const p = provider(fromYaml('providers:\n  bedrock:\n    api_key: ${AWS_BEARER_TOKEN_BEDROCK}\n', { AWS_BEARER_TOKEN_BEDROCK: 'bk' }), 'bedrock');
    expect(p.auth).toEqual({ type: 'bearer', key: 'bk' });
  });

  it('vllm key is optional; ollama takes none', () => {
    expect(provider(fromYaml('providers:\n  vllm: {}\n'), 'vllm').auth).toEqual({ type: 'none' });
    expect(provider(fromYaml('providers:\n  vllm: {}\n', { VLLM_API_KEY: 'v' }), 'vllm').auth).toEqual({ type: 'bearer', key: 'v' });
    expect(provider(fromYaml('providers:\n  ollama: {}\n'), 'ollama').auth).toEqual({ type: 'none' });
  });

  it('auth: header on an OpenAI-format host needs and uses auth_header', () => {
    const p = provider(
      fromYaml('providers:\n  h:\n    format: openai\n    base_url: https://h.example/v1\n    auth: header\n    auth_header: X-Key\n    api_key: env:H_KEY\n', {
        H_KEY: 'k',
      }),
      'h',
    );
    expect(p.auth).toEqual({ type: 'header', name: 'x-key', key: 'k' });
  });
});

describe('headers, compliance and models', () => {
  const yaml = `
providers:
  openrouter:
    api_key: \${OPENROUTER_API_KEY}
    region: us
    compliance: [zdr]
    headers:
      HTTP-Referer: \${SITE_URL:-https://example.com}
      X-Title: Switchyard
    models:
      anthropic/claude-sonnet-4.5:
        context_window: 200000
        max_output_tokens: 64000
        input_price: 3
        output_price: 15
        cached_input_price: 0.3
        capabilities: [chat, tools]
        compliance: [no_training]
      meta-llama/llama-3-70b:
models:
  smart:
    targets: [openrouter/anthropic/claude-sonnet-4.5, openrouter/meta-llama/llama-3-70b, openrouter/undeclared/x]
`;
  const config = fromYaml(yaml, { OPENROUTER_API_KEY: 'or' });
  const p = provider(config, 'openrouter');

  it('lower-cases header names and interpolates values with fallbacks', () => {
    expect(p.headers).toEqual({ 'http-referer': 'https://example.com', 'x-title': 'Switchyard' });
  });

  it('declared models get exact capabilities, prices, and the provider tags plus their own', () => {
    const m = p.models.get('anthropic/claude-sonnet-4.5');
    expect(m).toBeDefined();
    expect([...(m?.capabilities ?? [])]).toEqual(['chat', 'tools']);
    expect(m?.pricing).toEqual({ input: 3, output: 15, cachedInput: 0.3 });
    expect(m?.compliance).toEqual(['zdr', 'no_training']);
    expect(m?.region).toBe('us');
    expect(m?.contextWindow).toBe(200_000);
    expect([...(p.models.get('meta-llama/llama-3-70b')?.capabilities ?? [])]).toEqual(['chat', 'streaming', 'tools', 'json', 'json_schema', 'vision']);
  });

  it('resolves public model targets in order, sharing the provider object', () => {
    const targets = config.models.get('smart')?.targets ?? [];
    expect(targets.map((t) => `${t.provider.name}/${t.model.id}`)).toEqual([
      'openrouter/anthropic/claude-sonnet-4.5',
      'openrouter/meta-llama/llama-3-70b',
      'openrouter/undeclared/x',
    ]);
    expect(targets.every((t) => t.provider === p)).toBe(true);
    expect(targets[0]?.model).toBe(p.models.get('anthropic/claude-sonnet-4.5'));
    expect(targets[2]?.model).toMatchObject({ id: 'undeclared/x', region: 'us', compliance: ['zdr'] });
  });
});

describe('resolveTargetRef', () => {
  const config = fromYaml('providers:\n  openrouter:\n    api_key: ${K}\n    models:\n      meta-llama/llama-3-70b:\n        capabilities: [chat]\n', {
    K: 'k',
  });

  it('splits at the first slash and keeps the rest as the model id', () => {
    const t = resolveTargetRef(config, 'openrouter/meta-llama/llama-3-70b');
    expect(t?.provider.name).toBe('openrouter');
    expect(t?.model.id).toBe('meta-llama/llama-3-70b');
    expect([...(t?.model.capabilities ?? [])]).toEqual(['chat']);
  });

  it('gives undeclared models default capabilities', () => {
    const t = resolveTargetRef(config, 'openrouter/mistralai/mixtral');
    expect(t?.model.id).toBe('mistralai/mixtral');
    expect([...(t?.model.capabilities ?? [])].sort()).toEqual(['chat', 'json', 'json_schema', 'streaming', 'tools', 'vision']);
  });

  it.each(['nope/gpt-4o', 'openrouter', 'openrouter/', '/gpt-4o', ''])('%j → undefined', (ref) => {
    expect(resolveTargetRef(config, ref)).toBeUndefined();
  });
});

describe('sandbox providers', () => {
  const yaml =
    'providers:\n  sb-o:\n    sandbox: true\n    format: openai\n  sb-a:\n    sandbox: true\n    format: anthropic\n  sb-g:\n    sandbox: true\n    format: gemini\n';

  it('point at the sandbox URL with a dummy key', () => {
    const config = fromYaml(yaml, {}, { sandboxUrl: 'http://127.0.0.1:4010/', source: 'sandbox' });
    expect(provider(config, 'sb-o')).toMatchObject({ sandbox: true, baseUrl: 'http://127.0.0.1:4010/openai/v1', auth: { type: 'bearer', key: 'sandbox' } });
    expect(provider(config, 'sb-a')).toMatchObject({ baseUrl: 'http://127.0.0.1:4010/anthropic', auth: { type: 'header', name: 'x-api-key', key: 'sandbox' } });
    expect(provider(config, 'sb-g')).toMatchObject({
      baseUrl: 'http://127.0.0.1:4010/gemini',
      auth: { type: 'header', name: 'x-goog-api-key', key: 'sandbox' },
    });
    expect(config.sandboxMode).toBe(true);
  });

  it('without a sandbox URL compile refuses with one clear error', () => {
    expect(() => fromYaml(yaml)).toThrow(/sandbox providers \(sb-o, sb-a, sb-g\) need the URL of Switchyard's built-in sandbox/);
  });
});

describe('missing environment variables', () => {
  const yaml = 'providers:\n  anthropic: {}\n  x:\n    format: openai\n    base_url: ${X_URL}\n';

  it('are errors by default, naming path and variable', () => {
    try {
      fromYaml(yaml);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const issues = (err as ConfigError).issues;
      expect(issues.map((i) => [i.path, i.kind])).toEqual([
        ['providers.anthropic.api_key', 'missing_env'],
        ['providers.x.base_url', 'missing_env'],
      ]);
    }
  });

  it('are warnings with allowMissingEnv, and the report names variables without values', () => {
    const parsed = parseYaml(yaml);
    if (!parsed.ok) throw new Error('bad yaml');
    const report = compileWithReport(parsed.value, { env: {}, source: 't', allowMissingEnv: true });
    expect(report.warnings.map((w) => w.path)).toEqual(['providers.anthropic.api_key', 'providers.x.base_url']);
    expect(report.envRefs.get('anthropic')).toContainEqual({ field: 'api_key', variable: 'ANTHROPIC_API_KEY', set: false, secret: true });
  });

  it('never put a secret value into an error', () => {
    const secret = 'sk-very-secret-value';
    try {
      fromYaml('providers:\n  openai:\n    auth: none\n    api_key: ${OPENAI_API_KEY}\n  bad: {}\n', { OPENAI_API_KEY: secret });
      expect.unreachable();
    } catch (err) {
      expect(String(err)).toContain('providers.openai.api_key: is set but auth is none');
      expect(String(err)).not.toContain(secret);
    }
  });
});
