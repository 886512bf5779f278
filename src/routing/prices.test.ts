import { describe, expect, it } from 'vitest';
import type { WireFormat } from '../config/types.js';
import { type CatalogProviderName, PRICE_CATALOG, PRICE_SOURCE } from './price-data.js';
import { catalogPrice, costUsd } from './prices.js';

const openai = { preset: 'openai', format: 'openai' as const };
const anthropic = { format: 'anthropic' as const, baseUrl: 'https://api.anthropic.com' };
const bedrock = { format: 'bedrock' as const, baseUrl: 'https://bedrock-runtime.us-east-1.amazonaws.com' };
const openrouter = { format: 'openai' as const, baseUrl: 'https://openrouter.ai/api/v1' };

function entry(provider: CatalogProviderName, id: string) {
  const model = PRICE_CATALOG[provider].models.find((m) => m.id === id);
  if (!model) throw new Error(`${provider}/${id} is not in the catalogue`);
  return model;
}

describe('the generated catalogue', () => {
  it('names its source and is frozen', () => {
    expect(PRICE_SOURCE.package).toBe('@pydantic/genai-prices');
    expect(PRICE_SOURCE.repository).toMatch(/^https:\/\/github\.com\//);
    expect(PRICE_SOURCE.generated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Object.isFrozen(PRICE_CATALOG)).toBe(true);
    expect(Object.isFrozen(PRICE_CATALOG.openai.models[0])).toBe(true);
  });

  it('covers the hosted presets with plain, valid data', () => {
    for (const name of [
      'openai',
      'azure',
      'anthropic',
      'gemini',
      'bedrock',
      'groq',
      'together',
      'deepseek',
      'mistral',
      'fireworks',
      'openrouter',
      'xai',
      'perplexity',
    ] as const) {
      const { models } = PRICE_CATALOG[name];
      expect(models.length, name).toBeGreaterThan(0);
      for (const m of models) {
        expect(Number.isFinite(m.input) && m.input >= 0, `${name}/${m.id}`).toBe(true);
        expect(Number.isFinite(m.output) && m.output >= 0, `${name}/${m.id}`).toBe(true);
        for (const p of m.patterns ?? []) expect(() => new RegExp(p)).not.toThrow();
        for (const a of [...(m.aliases ?? []), ...(m.prefixes ?? []), ...(m.suffixes ?? []), ...(m.contains ?? [])]) expect(a).toBe(a.toLowerCase());
      }
    }
  });
});

describe('catalogPrice', () => {
  it('finds a model by exact id, with cache-read price', () => {
    const m = entry('openai', 'gpt-4o');
    expect(catalogPrice(openai, 'gpt-4o')).toEqual({ input: m.input, output: m.output, cachedInput: m.cachedInput });
  });

  it('finds exact aliases and is case-insensitive', () => {
    const m = entry('openai', 'gpt-4o');
    expect(catalogPrice(openai, 'gpt-4o-2024-08-06')?.input).toBe(m.input);
    expect(catalogPrice(openai, ' GPT-4o ')?.input).toBe(m.input);
  });

  it('prices a dated snapshot listed on its own at its own price', () => {
    expect(catalogPrice(openai, 'gpt-4o-2024-05-13')?.input).toBe(entry('openai', 'gpt-4o-2024-05-13').input);
  });

  it('prices date-suffixed Claude ids as their family', () => {
    const family = entry('anthropic', 'claude-sonnet-4-5');
    expect(catalogPrice(anthropic, 'claude-sonnet-4-5-20250929')).toMatchObject({ input: family.input, output: family.output });
    expect(catalogPrice(anthropic, 'claude-3-5-haiku-20241022')?.input).toBe(entry('anthropic', 'claude-3-5-haiku-latest').input);
  });

  it('prices an unlisted dated snapshot as its undated model', () => {
    expect(catalogPrice(openai, 'gpt-5-mini-2031-01-01')).toEqual(catalogPrice(openai, 'gpt-5-mini'));
    expect(catalogPrice(openai, 'gpt-5-mini-20310101')).toEqual(catalogPrice(openai, 'gpt-5-mini'));
  });

  it('maps Bedrock model and inference-profile ids', () => {
    const sonnet35 = entry('bedrock', 'regional.anthropic.claude-3-5-sonnet-20240620-v1:0');
    expect(catalogPrice(bedrock, 'anthropic.claude-3-5-sonnet-20240620-v1:0')?.input).toBe(sonnet35.input);
    const sonnet4 = entry('bedrock', 'regional.anthropic.claude-sonnet-4-20250514-v1:0');
    expect(catalogPrice(bedrock, 'us.anthropic.claude-sonnet-4-20250514-v1:0')?.output).toBe(sonnet4.output);
    expect(catalogPrice(bedrock, 'amazon.nova-pro-v1:0')?.input).toBe(entry('bedrock', 'amazon.nova-pro-v1:0').input);
  });

  it('maps OpenRouter ids, falling back to the vendor catalogue', () => {
    const listed = PRICE_CATALOG.openrouter.models.find((m) => m.id === 'openai/gpt-4o');
    const expected = listed?.input ?? entry('openai', 'gpt-4o').input;
    expect(catalogPrice(openrouter, 'openai/gpt-4o')?.input).toBe(expected);
    // Not in OpenRouter's own table: the vendor's price.
    expect(PRICE_CATALOG.openrouter.models.some((m) => m.id === 'openai/gpt-4o-mini-tts')).toBe(false);
    expect(catalogPrice(openrouter, 'openai/gpt-4o-mini-tts')).toEqual(catalogPrice(openai, 'gpt-4o-mini-tts'));
    expect(catalogPrice(openrouter, 'openai/gpt-4o-mini-tts:nitro')).toEqual(catalogPrice(openai, 'gpt-4o-mini-tts'));
    expect(catalogPrice(openrouter, 'nobody/nothing')).toBeUndefined();
  });

  it('falls back from Azure to the OpenAI catalogue', () => {
    const azure = { format: 'azure' as const, baseUrl: 'https://myres.openai.azure.com' };
    expect(PRICE_CATALOG.azure.models.some((m) => m.id === 'gpt-4o')).toBe(false);
    expect(catalogPrice(azure, 'gpt-4o')).toEqual(catalogPrice(openai, 'gpt-4o'));
  });

  it('resolves the catalogue from the preset, else the format, else the host', () => {
    const groqModel = entry('groq', 'llama-3.3-70b-versatile');
    expect(catalogPrice({ preset: 'groq', format: 'openai' }, 'llama-3.3-70b-versatile')?.input).toBe(groqModel.input);
    expect(catalogPrice({ format: 'openai', baseUrl: 'https://api.groq.com/openai/v1' }, 'llama-3.3-70b-versatile')?.input).toBe(groqModel.input);
    expect(catalogPrice({ format: 'openai', baseUrl: 'https://api.openai.com/v1' }, 'gpt-4o')).toBeDefined();
    expect(catalogPrice({ format: 'openai', baseUrl: 'https://api.x.ai/v1' }, 'grok-4')).toBeDefined();
    expect(catalogPrice({ format: 'openai', baseUrl: 'https://api.deepseek.com/v1' }, 'deepseek-chat')).toBeDefined();
    expect(catalogPrice({ format: 'openai', baseUrl: 'https://myres.openai.azure.com/openai/v1' }, 'gpt-4o')).toBeDefined();
    expect(catalogPrice({ format: 'gemini', baseUrl: 'https://generativelanguage.googleapis.com' }, 'gemini-2.5-flash')).toBeDefined();
  });

  it('knows no price for self-hosted or unknown hosts, unknown models and empty ids', () => {
    expect(catalogPrice({ preset: 'ollama', format: 'openai', baseUrl: 'http://127.0.0.1:11434/v1' }, 'gpt-4o')).toBeUndefined();
    expect(catalogPrice({ preset: 'vllm', format: 'openai' }, 'gpt-4o')).toBeUndefined();
    expect(catalogPrice({ format: 'openai', baseUrl: 'https://llm.internal.example/v1' }, 'gpt-4o')).toBeUndefined();
    expect(catalogPrice({ format: 'openai' }, 'gpt-4o')).toBeUndefined();
    expect(catalogPrice({ format: 'openai', baseUrl: 'not a url' }, 'gpt-4o')).toBeUndefined();
    expect(catalogPrice(openai, 'no-such-model')).toBeUndefined();
    expect(catalogPrice(openai, '')).toBeUndefined();
    expect(catalogPrice(openrouter, 'constructor/gpt-4o')).toBeUndefined();
  });

  it('returns the same frozen object on repeated lookups', () => {
    const a = catalogPrice(openai, 'gpt-4o-mini');
    expect(a).toBeDefined();
    expect(catalogPrice(openai, 'gpt-4o-mini')).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it('is fast after the first lookup', () => {
    const ids = ['gpt-4o', 'gpt-4o-2024-08-06', 'o3-mini', 'gpt-5-mini-2031-01-01', 'unknown-model'];
    const targets: Array<{ format: WireFormat; preset?: string; baseUrl?: string }> = [openai, anthropic, bedrock, openrouter];
    for (const t of targets) for (const id of ids) catalogPrice(t, id);
    const n = 20_000;
    const start = performance.now();
    for (let i = 0; i < n; i++) catalogPrice(targets[i % targets.length] ?? openai, ids[i % ids.length] ?? 'gpt-4o');
    const perLookupUs = ((performance.now() - start) / n) * 1000;
    expect(perLookupUs).toBeLessThan(20);
  });
});

describe('costUsd', () => {
  const pricing = { input: 2.5, output: 10, cachedInput: 1.25 };

  it('charges prompt and completion per million tokens', () => {
    expect(costUsd(pricing, { promptTokens: 1_000_000, completionTokens: 0 })).toBeCloseTo(2.5, 10);
    expect(costUsd(pricing, { promptTokens: 1000, completionTokens: 500 })).toBeCloseTo(0.0025 + 0.005, 12);
  });

  it('charges cached prompt tokens at the cache-read price, within the prompt', () => {
    expect(costUsd(pricing, { promptTokens: 1000, completionTokens: 0, cachedTokens: 400 })).toBeCloseTo((600 * 2.5 + 400 * 1.25) / 1e6, 12);
    expect(costUsd({ input: 3, output: 15 }, { promptTokens: 1000, completionTokens: 0, cachedTokens: 400 })).toBeCloseTo(0.003, 12);
    expect(costUsd(pricing, { promptTokens: 100, completionTokens: 0, cachedTokens: 1000 })).toBeCloseTo((100 * 1.25) / 1e6, 12);
  });

  it('charges reasoning tokens at their own price when known, else as output', () => {
    const withReasoning = { input: 2, output: 8, reasoning: 3 };
    expect(costUsd(withReasoning, { promptTokens: 0, completionTokens: 1000, reasoningTokens: 600 })).toBeCloseTo((400 * 8 + 600 * 3) / 1e6, 12);
    expect(costUsd(pricing, { promptTokens: 0, completionTokens: 1000, reasoningTokens: 600 })).toBeCloseTo(0.01, 12);
  });

  it('treats negative and non-finite counts as zero', () => {
    expect(costUsd(pricing, { promptTokens: -5, completionTokens: Number.NaN, cachedTokens: Infinity })).toBe(0);
  });
});
