import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCheck } from './check.js';

const EXAMPLES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples');

/** Every variable the examples reference, with values that must never be printed. */
const FULL_ENV: Record<string, string> = {
  OPENAI_API_KEY: 'sk-SECRET-openai-0001',
  ANTHROPIC_API_KEY: 'sk-ant-SECRET-0002',
  GEMINI_API_KEY: 'AIza-SECRET-0003',
  AWS_ACCESS_KEY_ID: 'AKIA-SECRET-0004',
  AWS_SECRET_ACCESS_KEY: 'aws-SECRET-0005',
  AZURE_OPENAI_ENDPOINT: 'https://example-resource.openai.azure.com',
  AZURE_OPENAI_API_KEY: 'azure-SECRET-0006',
  GROQ_API_KEY: 'gsk-SECRET-0007',
};
const SECRET_VALUES = Object.entries(FULL_ENV)
  .filter(([k]) => k !== 'AZURE_OPENAI_ENDPOINT')
  .map(([, v]) => v);

async function check(argv: string[], env: Record<string, string>, cwd?: string) {
  let stdout = '';
  let stderr = '';
  const code = await runCheck(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), env, ...(cwd ? { cwd } : {}) });
  return { code, stdout, stderr };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'switchyard-check-'));
}

describe('switchyard check on the examples', () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'));

  it('has the three documented examples', () => {
    expect(files).toEqual(expect.arrayContaining(['minimal.yaml', 'multi-provider.yaml', 'sandbox.yaml']));
  });

  it.each(files)('%s is valid and prints no secret', async (file) => {
    const { code, stdout, stderr } = await check([join(EXAMPLES, file)], FULL_ENV);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/: valid\n$/);
    for (const secret of SECRET_VALUES) expect(stdout).not.toContain(secret);
  });

  it('summarises providers, auth variables, models and fallbacks', async () => {
    const { stdout } = await check([join(EXAMPLES, 'multi-provider.yaml')], FULL_ENV);
    expect(stdout).toContain('openai  format openai  https://api.openai.com/v1');
    expect(stdout).toContain('auth: bearer, api_key: env:OPENAI_API_KEY (set)');
    expect(stdout).toContain('auth: header x-api-key, api_key: env:ANTHROPIC_API_KEY (set)');
    expect(stdout).toContain('aws_access_key_id: env:AWS_ACCESS_KEY_ID (set)');
    expect(stdout).toContain('gpt-4o-mini  context 128000; max output 16384; price per 1M: in $0.15, out $0.60, cached $0.075');
    expect(stdout).toContain('fast → openai/gpt-4o-mini → azure/gpt-4o-mini → anthropic/claude-haiku-4-5 → gemini/gemini-2.5-flash');
    expect(stdout).toContain('ollama  format openai  http://127.0.0.1:11434/v1');
  });

  it('summarises tiers, strategies, classes, rules and auto', async () => {
    const { stdout } = await check([join(EXAMPLES, 'routing.yaml')], FULL_ENV);
    expect(stdout).toContain('smart → [anthropic/claude-sonnet-4-5, gemini/gemini-2.5-pro] → [openai/gpt-4.1]  (strategy least_latency, hedged)');
    expect(stdout).toContain('fast → openai/gpt-4.1-mini (weight 90) → gemini/gemini-2.5-flash (weight 10)  (strategy weighted)');
    expect(stdout).toContain('class background: never hedged, cost ≤ $0.5, degrades to cheap');
    expect(stdout).toContain('rule 1: when task == "code" and complexity != "simple" → route smart');
    expect(stdout).toContain('auto: simple → fast, medium → smart, complex → smart');
  });

  // The whole summary, so a changed or lost detail in any line shows (paths made independent of the checkout).
  it.each(['multi-provider.yaml', 'routing.yaml'])('prints the whole summary of %s, line for line', async (file) => {
    const { stdout } = await check([join(EXAMPLES, file)], FULL_ENV);
    expect(stdout.replaceAll(EXAMPLES, '<examples>')).toMatchSnapshot();
  });

  it('fails on unset variables by default, and only warns with --allow-missing-env', async () => {
    const file = join(EXAMPLES, 'multi-provider.yaml');
    const strict = await check([file], {});
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('providers.anthropic.api_key: environment variable ANTHROPIC_API_KEY is not set');
    expect(strict.stderr).toContain('--allow-missing-env');
    const lenient = await check([file, '--allow-missing-env'], {});
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toContain('warnings (8):');
    expect(lenient.stdout).toContain('api_key: env:GROQ_API_KEY (not set)');
  });
});

describe('switchyard check on bad input', () => {
  it('lists every problem and exits 1', async () => {
    const path = join(tempDir(), 'bad.yaml');
    writeFileSync(path, 'server:\n  prot: 1\nproviders:\n  openai:\n    preset: opnai\n    api_key: sk-SECRET-literal\n');
    const { code, stderr, stdout } = await check([path], FULL_ENV);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('invalid configuration (3 problems)');
    expect(stderr).toContain('  - server.prot: unknown key "prot" (did you mean "port"?)');
    expect(stderr).toContain('  - providers.openai.preset: "opnai" is not allowed (did you mean "openai"?)');
    expect(stderr).toContain('  - providers.openai.api_key: must be an environment reference');
    expect(stderr).not.toContain('sk-SECRET-literal');
  });

  it.each([[['--bogus']], [['a.yaml', 'b.yaml']]])('usage error %j exits 2', async (argv) => {
    const { code, stderr } = await check(argv, {});
    expect(code).toBe(2);
    expect(stderr).toContain('usage: switchyard check');
  });
});

describe('switchyard check without FILE', () => {
  it('uses ./switchyard.yaml when present', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'switchyard.yaml'), 'providers:\n  ollama: {}\n');
    const { code, stdout } = await check([], {}, dir);
    expect(code).toBe(0);
    expect(stdout).toContain(`source: ${join(dir, 'switchyard.yaml')}`);
  });

  it('otherwise checks the configuration built from the environment', async () => {
    const sandbox = await check([], {}, tempDir());
    expect(sandbox.code).toBe(0);
    expect(sandbox.stdout).toContain('source: sandbox (no provider credentials found');
    expect(sandbox.stdout).toContain('sandbox-fast → sandbox-openai/ok → sandbox-anthropic/ok');
    const env = await check([], { GROQ_API_KEY: 'gsk-SECRET-9' }, tempDir());
    expect(env.stdout).toContain('groq  format openai  https://api.groq.com/openai/v1');
    expect(env.stdout).not.toContain('gsk-SECRET-9');
  });
});
