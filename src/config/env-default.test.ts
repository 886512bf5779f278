import { describe, expect, it } from 'vitest';
import { compile } from './compile.js';
import { rawConfigFromEnv } from './env-default.js';
import { loadConfig } from './load.js';
import type { GatewayConfig } from './types.js';

function targets(config: GatewayConfig, name: string): string[] {
  return (config.models.get(name)?.targets ?? []).map((t) => `${t.provider.name}/${t.model.id}`);
}

describe('embedded default from the environment', () => {
  it('with no credentials: sandbox providers and familiar model names', () => {
    const { raw, sandbox } = rawConfigFromEnv({});
    expect(sandbox).toBe(true);
    const config = compile(raw, { env: {}, source: 'sandbox', sandboxUrl: 'http://127.0.0.1:5555' });
    expect(config.sandboxMode).toBe(true);
    expect([...config.providers.keys()]).toEqual(['sandbox-openai', 'sandbox-anthropic', 'sandbox-gemini']);
    expect([...config.providers.values()].every((p) => p.sandbox)).toBe(true);
    expect(targets(config, 'sandbox-fast')).toEqual(['sandbox-openai/ok', 'sandbox-anthropic/ok']);
    expect(targets(config, 'gpt-4o-mini')).toEqual(['sandbox-openai/gpt-4o-mini']);
    expect(targets(config, 'claude-sonnet-4-5')).toEqual(['sandbox-anthropic/claude-sonnet-4-5']);
    expect(targets(config, 'gemini-2.5-flash')).toEqual(['sandbox-gemini/gemini-2.5-flash']);
    expect(config.routing.auto).toEqual({ simple: 'fast', medium: 'smart', complex: 'smart' });
  });

  it('model auto: fast and smart public models over every provider that has a pair', () => {
    const config = compile(rawConfigFromEnv({ OPENAI_API_KEY: 'sk-1', ANTHROPIC_API_KEY: 'a', GROQ_API_KEY: 'g' }).raw, {
      env: { OPENAI_API_KEY: 'sk-1', ANTHROPIC_API_KEY: 'a', GROQ_API_KEY: 'g' },
      source: 'environment',
    });
    expect(targets(config, 'fast')).toEqual(['openai/gpt-4.1-mini', 'anthropic/claude-haiku-4-5']);
    expect(targets(config, 'smart')).toEqual(['openai/gpt-4.1', 'anthropic/claude-sonnet-4-5']);
    expect(config.routing.auto?.simple).toBe('fast');
    // A host with no pair gets no auto models.
    const groqOnly = compile(rawConfigFromEnv({ GROQ_API_KEY: 'g' }).raw, { env: { GROQ_API_KEY: 'g' }, source: 'environment' });
    expect(groqOnly.models.has('fast')).toBe(false);
    expect(groqOnly.routing.auto).toBeUndefined();
  });

  it('empty variables count as unset', () => {
    expect(rawConfigFromEnv({ OPENAI_API_KEY: '' }).sandbox).toBe(true);
  });

  it('with OPENAI_API_KEY: an openai provider and its models', () => {
    const env = { OPENAI_API_KEY: 'sk-1' };
    const { raw, sandbox } = rawConfigFromEnv(env);
    expect(sandbox).toBe(false);
    const config = loadConfig({ env });
    expect(config.source).toBe('environment');
    expect(config.sandboxMode).toBe(false);
    expect([...config.providers.keys()]).toEqual(['openai']);
    expect(config.providers.get('openai')?.auth).toEqual({ type: 'bearer', key: 'sk-1' });
    expect(targets(config, 'gpt-4o-mini')).toEqual(['openai/gpt-4o-mini']);
    expect(raw.providers.openai).toEqual({ preset: 'openai' });
  });

  it('with GROQ_API_KEY: a groq provider', () => {
    const config = loadConfig({ env: { GROQ_API_KEY: 'gsk' } });
    expect([...config.providers.keys()]).toEqual(['groq']);
    expect(config.providers.get('groq')).toMatchObject({ format: 'openai', baseUrl: 'https://api.groq.com/openai/v1', auth: { type: 'bearer', key: 'gsk' } });
  });

  it('with several providers: shared names fall back across them in a fixed order', () => {
    const env = {
      OPENAI_API_KEY: 'o',
      ANTHROPIC_API_KEY: 'a',
      GOOGLE_API_KEY: 'g',
      AZURE_OPENAI_API_KEY: 'z',
      AZURE_OPENAI_ENDPOINT: 'https://r.openai.azure.com',
      AZURE_OPENAI_DEPLOYMENT: 'gpt-4o-mini',
      AWS_ACCESS_KEY_ID: 'AKIA',
      AWS_SECRET_ACCESS_KEY: 's',
      DEEPSEEK_API_KEY: 'd',
    };
    const config = loadConfig({ env });
    expect([...config.providers.keys()]).toEqual(['openai', 'anthropic', 'gemini', 'azure', 'bedrock', 'deepseek']);
    expect(targets(config, 'gpt-4o-mini')).toEqual(['openai/gpt-4o-mini', 'azure/gpt-4o-mini']);
    expect(targets(config, 'claude-sonnet-4-5')).toEqual(['anthropic/claude-sonnet-4-5', 'bedrock/global.anthropic.claude-sonnet-4-5-20250929-v1:0']);
    expect(targets(config, 'deepseek-chat')).toEqual(['deepseek/deepseek-chat']);
    expect(config.providers.get('gemini')?.auth).toMatchObject({ key: 'g' });
  });

  it('azure needs both key and endpoint; bedrock needs both AWS keys', () => {
    expect(rawConfigFromEnv({ AZURE_OPENAI_API_KEY: 'z' }).sandbox).toBe(true);
    expect(rawConfigFromEnv({ AWS_ACCESS_KEY_ID: 'a' }).sandbox).toBe(true);
  });
});
