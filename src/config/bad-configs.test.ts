import { describe, expect, it } from 'vitest';
import { compile } from './compile.js';
import { ConfigError, formatIssue } from './errors.js';
import { parseYaml } from './yaml.js';

/** Every problem a YAML text produces, as `path: message` lines, in report order. */
function problems(text: string, env: Record<string, string> = { OPENAI_API_KEY: 'sk-test-123' }): string[] {
  const parsed = parseYaml(text);
  if (!parsed.ok) return parsed.issues.map(formatIssue);
  try {
    compile(parsed.value, { env, source: 'test.yaml' });
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map(formatIssue);
    throw err;
  }
  return [];
}

const OPENAI = 'providers:\n  openai:\n    preset: openai\n';

const cases: { name: string; yaml: string; env?: Record<string, string>; expected: string[] }[] = [
  {
    name: 'unknown key with a suggestion',
    yaml: `server:\n  prot: 8080\n${OPENAI}`,
    expected: ['server.prot: unknown key "prot" (did you mean "port"?); allowed keys: host, port, max_body_bytes, request_timeout_ms, body_idle_timeout_ms'],
  },
  {
    name: 'unknown key without a close match',
    yaml: `${OPENAI}    flavour: vanilla\n`,
    expected: [
      'providers.openai.flavour: unknown key "flavour"; allowed keys: preset, format, sandbox, base_url, api_key, auth, auth_header, api_version, region, aws_access_key_id, aws_secret_access_key, aws_session_token, headers, compliance, timeouts, max_connections, http2, concurrency, models',
    ],
  },
  {
    name: 'unknown key in a model entry',
    yaml: `${OPENAI}    models:\n      gpt-4o:\n        context_windw: 128000\n`,
    expected: [
      'providers.openai.models.gpt-4o.context_windw: unknown key "context_windw" (did you mean "context_window"?); allowed keys: deployment, context_window, max_output_tokens, input_price, output_price, cached_input_price, capabilities, region, compliance, quality',
    ],
  },
  {
    name: 'unknown top-level key',
    yaml: `${OPENAI}model:\n  fast:\n    targets: [openai/gpt-4o-mini]\n`,
    expected: ['model: unknown key "model" (did you mean "models"?); allowed keys: server, resilience, routing, providers, models'],
  },
  {
    name: 'misspelt resilience key',
    yaml: `${OPENAI}resilience:\n  max_atempts: 3\n`,
    expected: [
      'resilience.max_atempts: unknown key "max_atempts" (did you mean "max_attempts"?); allowed keys: health, outlier, max_attempts, max_retries_per_target, max_fallback_depth, backoff, retry_budget, breaker, undeclared_targets',
    ],
  },
  {
    // Every resilience sub-section is strict too: a typo there would silently keep the default.
    name: 'misspelt keys in each resilience sub-section',
    yaml: `${OPENAI}resilience:\n  health:\n    intervl_ms: 1000\n  outlier:\n    enabeld: true\n  backoff:\n    base: 100\n  retry_budget:\n    ration: 0.1\n  breaker:\n    cooldwn_ms: 5000\n  undeclared_targets:\n    maxx: 10\n`,
    expected: [
      'resilience.health.intervl_ms: unknown key "intervl_ms" (did you mean "interval_ms"?); allowed keys: enabled, interval_ms',
      'resilience.outlier.enabeld: unknown key "enabeld" (did you mean "enabled"?); allowed keys: enabled, interval_ms, window_ms, min_requests, failure_rate, latency_factor, latency_min_ms, ejection_ms, max_ejection_ms, max_ejected_ratio',
      'resilience.backoff.base: unknown key "base"; allowed keys: base_ms, max_ms',
      'resilience.retry_budget.ration: unknown key "ration" (did you mean "ratio"?); allowed keys: ratio, min_per_second',
      'resilience.breaker.cooldwn_ms: unknown key "cooldwn_ms" (did you mean "cooldown_ms"?); allowed keys: window_ms, min_requests, failure_rate, consecutive_failures, cooldown_ms, max_cooldown_ms, half_open_probes',
      'resilience.undeclared_targets.maxx: unknown key "maxx" (did you mean "max"?); allowed keys: max, idle_ms',
    ],
  },
  {
    name: 'breaker window not in whole buckets, cooldown above its cap',
    yaml: `${OPENAI}resilience:\n  breaker:\n    window_ms: 60005\n    cooldown_ms: 5000\n    max_cooldown_ms: 1000\n`,
    expected: [
      'resilience.breaker.window_ms: must be a multiple of 10 ms, got 60005',
      'resilience.breaker.cooldown_ms: must not exceed max_cooldown_ms (1000)',
    ],
  },
  {
    name: 'literal api key',
    yaml: `${OPENAI}    api_key: sk-live-abcdef123456\n`,
    expected: [
      'providers.openai.api_key: must be an environment reference such as ${MY_API_KEY} or env:MY_API_KEY; literal secrets are refused because config files get committed, shared and printed',
    ],
  },
  {
    name: 'bad enum lists the allowed values',
    yaml: 'providers:\n  local:\n    format: opnai\n    base_url: http://127.0.0.1:9000/v1\n',
    expected: ['providers.local.format: "opnai" is not allowed (did you mean "openai"?); allowed values: openai, azure, anthropic, gemini, bedrock'],
  },
  {
    name: 'bad capability in a list',
    yaml: `${OPENAI}    models:\n      gpt-4o:\n        capabilities: [chat, visoin]\n`,
    expected: [
      'providers.openai.models.gpt-4o.capabilities[1]: "visoin" is not allowed (did you mean "vision"?); allowed values: chat, vision, tools, json, json_schema, streaming, embeddings, prefill',
    ],
  },
  {
    name: 'bad preset',
    yaml: 'providers:\n  fast:\n    preset: grok\n',
    expected: [
      'providers.fast.preset: "grok" is not allowed (did you mean "groq"?); allowed values: openai, azure, anthropic, gemini, bedrock, groq, together, deepseek, mistral, fireworks, openrouter, xai, perplexity, vllm, ollama, lmstudio',
    ],
  },
  {
    name: 'target naming an unknown provider',
    yaml: `${OPENAI}models:\n  fast:\n    targets: [openai/gpt-4o-mini, anthropc/claude-haiku-4-5]\n`,
    expected: ['models.fast.targets[1]: unknown provider "anthropc" in "anthropc/claude-haiku-4-5"; known providers: openai'],
  },
  {
    name: 'target without a provider part',
    yaml: `${OPENAI}    models:\n      gpt-4o: {}\nmodels:\n  smart:\n    targets: [gpt-4o]\n`,
    expected: [
      'models.smart.targets[0]: "gpt-4o" is not a provider/model reference (did you mean "openai/gpt-4o"?); write <provider>/<model id>, e.g. openai/gpt-4o-mini',
    ],
  },
  {
    name: 'repeated target',
    yaml: `${OPENAI}models:\n  fast:\n    targets: [openai/gpt-4o-mini, openai/gpt-4o-mini]\n`,
    expected: ['models.fast.targets[1]: repeats "openai/gpt-4o-mini" (already targets[0]); each target is tried once'],
  },
  {
    name: 'empty targets',
    yaml: `${OPENAI}models:\n  fast:\n    targets: []\n`,
    expected: ['models.fast.targets: must list at least 1 item'],
  },
  {
    name: 'missing env var named with its path',
    yaml: 'providers:\n  groq:\n    preset: groq\n    api_key: ${MY_GROQ_KEY}\n',
    expected: ['providers.groq.api_key: environment variable MY_GROQ_KEY is not set'],
  },
  {
    name: 'missing preset key variable',
    yaml: 'providers:\n  anthropic: {}\n',
    expected: [
      'providers.anthropic.api_key: environment variable ANTHROPIC_API_KEY is not set (preset anthropic reads the key from it; set it, or write api_key: ${OTHER_VARIABLE})',
    ],
  },
  {
    name: 'missing variable inside a header value',
    yaml: `${OPENAI}    headers:\n      OpenAI-Organization: \${OPENAI_ORG}\n`,
    expected: ['providers.openai.headers.OpenAI-Organization: environment variable OPENAI_ORG is not set'],
  },
  {
    name: 'bad max_body_bytes string',
    yaml: `server:\n  max_body_bytes: 10 megs\n${OPENAI}`,
    expected: [
      'server.max_body_bytes: must be a positive byte count or a size string such as "512kb", "10mb" or "1gb" (units: b, kb, mb, gb; 1kb = 1024 bytes)',
    ],
  },
  {
    name: 'duplicate provider name',
    yaml: `${OPENAI}  openai:\n    preset: openai\n`,
    expected: ['providers.openai: duplicate key "openai"; each name may appear once'],
  },
  {
    name: 'duplicate public model name',
    yaml: `${OPENAI}models:\n  fast:\n    targets: [openai/a]\n  fast:\n    targets: [openai/b]\n`,
    expected: ['models.fast: duplicate key "fast"; each name may appear once'],
  },
  {
    name: 'invalid provider name',
    yaml: 'providers:\n  Open AI:\n    preset: openai\n',
    expected: [`providers["Open AI"]: "Open AI" is not a valid provider name: use lowercase letters, digits, '_' and '-'`],
  },
  {
    name: 'provider name with a slash',
    yaml: 'providers:\n  my/openai:\n    preset: openai\n',
    expected: [`providers["my/openai"]: "my/openai" is not a valid provider name: use lowercase letters, digits, '_' and '-'`],
  },
  {
    name: 'public name that shadows a provider reference',
    yaml: `${OPENAI}models:\n  openai/fast:\n    targets: [openai/gpt-4o-mini]\n`,
    expected: [`models["openai/fast"]: shadows the direct reference to provider "openai"; a public name with '/' must not start with a provider name`],
  },
  {
    name: 'wrong types and ranges',
    yaml: `server:\n  port: 70000\n  request_timeout_ms: 1.5\n${OPENAI}    max_connections: 0\n    timeouts:\n      connect_ms: fast\n`,
    expected: [
      'server.port: must be at most 65535',
      'server.request_timeout_ms: must be a whole number, got a number',
      'providers.openai.timeouts.connect_ms: must be a number, got a string',
      'providers.openai.max_connections: must be greater than 0',
    ],
  },
  {
    name: 'format required without a preset',
    yaml: 'providers:\n  local:\n    base_url: http://127.0.0.1:9000/v1\n',
    expected: [
      'providers.local.format: is required when no preset is given (and "local" is not a preset name); allowed values: openai, azure, anthropic, gemini, bedrock',
    ],
  },
  {
    name: 'api_version on a non-azure provider',
    yaml: 'providers:\n  local:\n    format: openai\n    preset: openai\n    auth: none\n    api_version: "2024-10-21"\n',
    expected: ["providers.local.api_version: is only used by format azure (this provider's format is openai)"],
  },
  {
    name: 'settings that belong to another format',
    yaml: `${OPENAI}    aws_access_key_id: \${AWS_ACCESS_KEY_ID}\n    models:\n      gpt-4o:\n        deployment: prod\n`,
    expected: [
      "providers.openai.aws_access_key_id: is only used by format bedrock (this provider's format is openai)",
      "providers.openai.models.gpt-4o.deployment: is only used by format azure (this provider's format is openai)",
    ],
  },
  {
    name: 'half a price',
    yaml: `${OPENAI}    models:\n      gpt-4o:\n        input_price: 2.5\n`,
    expected: ['providers.openai.models.gpt-4o: input_price and output_price must be given together (USD per 1M tokens); cached_input_price needs both'],
  },
  {
    name: 'sigv4 on a non-bedrock provider',
    yaml: `${OPENAI}    auth: sigv4\n`,
    expected: ["providers.openai.auth: sigv4 signing is only supported for format bedrock (this provider's format is openai)"],
  },
  {
    name: 'a base URL that is not a URL',
    yaml: 'providers:\n  local:\n    format: openai\n    base_url: 127.0.0.1:9000\n',
    expected: ['providers.local.base_url: must be an absolute http:// or https:// URL'],
  },
  {
    name: 'a base URL with another scheme, credentials or a query',
    yaml: 'providers:\n  a:\n    format: openai\n    base_url: ftp://h/v1\n  b:\n    format: openai\n    base_url: https://u:p@h/v1?x=1\n',
    expected: [
      'providers.a.base_url: must use http or https, not ftp',
      'providers.b.base_url: must not contain credentials; use api_key or headers',
      'providers.b.base_url: must not contain a query string or fragment',
    ],
  },
  {
    name: 'sandbox provider with an endpoint and an unsupported format',
    yaml: 'providers:\n  sb:\n    sandbox: true\n    format: bedrock\n    base_url: http://x\n',
    expected: [
      "sandbox providers (sb) need the URL of Switchyard's built-in sandbox, and none was given (sandboxUrl); start the sandbox first and pass its URL",
      'providers.sb.base_url: is not used by sandbox providers: their endpoint and key come from the built-in sandbox',
      'providers.sb.format: "bedrock" has no sandbox; allowed values: openai, anthropic, gemini',
    ],
  },
  {
    name: 'no providers',
    yaml: 'providers: {}\n',
    expected: ['providers: must declare at least one provider'],
  },
  {
    name: 'empty file',
    yaml: '',
    expected: ['the file is empty; it needs at least a providers: section'],
  },
  {
    name: 'providers missing',
    yaml: 'server:\n  port: 8080\n',
    expected: ['providers: is required (a mapping)'],
  },
];

describe('bad configs: every problem, with its path and what is allowed', () => {
  it.each(cases)('$name', ({ yaml, env, expected }) => {
    expect(problems(yaml, env)).toEqual(expected);
  });

  it('collects every structural problem in one run', () => {
    const yaml = `server:\n  prot: 1\n  host: 5\nproviders:\n  openai:\n    preset: opnai\n    api_key: sk-literal\n`;
    expect(problems(yaml)).toHaveLength(4);
  });

  it('never echoes a literal secret, even when it is misplaced', () => {
    const secret = 'sk-live-abcdef123456';
    const yaml = `providers:\n  openai:\n    preset: openai\n    api_key: ${secret}\n    aws_session_token: ${secret}\n    base_url: 5\n`;
    const out = problems(yaml).join('\n');
    expect(out).toContain('api_key');
    expect(out).not.toContain(secret);
  });
});
