import { PRESET_NAMES, PRESETS } from '../config/presets.js';
import type { Pricing, WireFormat } from '../config/types.js';
import { type CatalogModel, type CatalogProviderName, PRICE_CATALOG } from './price-data.js';

/**
 * Catalogue prices (src/routing/price-data.ts, generated; see docs/prices.md).
 *
 * Prices set in the config (input_price / output_price / cached_input_price on a provider's model
 * entry) override the catalogue: the caller uses a model's config pricing when it has one and asks
 * catalogPrice() only otherwise. This module knows nothing of the config.
 */

interface PriceTarget {
  /** The provider's preset name when it has one; else the catalogue is found from format and host. */
  preset?: string;
  format: WireFormat;
  baseUrl?: string;
}

/** OpenRouter ids are `vendor/model`; these vendors have their own catalogue to fall back on. */
const OPENROUTER_VENDORS: ReadonlyMap<string, CatalogProviderName> = new Map([
  ['openai', 'openai'],
  ['anthropic', 'anthropic'],
  ['google', 'gemini'],
  ['x-ai', 'xai'],
  ['mistralai', 'mistral'],
  ['deepseek', 'deepseek'],
]);

/**
 * OpenAI-compatible endpoints of catalogue providers besides their presets' hosts (which are read
 * from config/presets.ts): Azure resources, Bedrock's and Gemini's OpenAI-compatible endpoints.
 */
const HOST_PATTERNS: ReadonlyArray<readonly [RegExp, CatalogProviderName]> = [
  [/\.(?:openai\.azure\.com|cognitiveservices\.azure\.com|services\.ai\.azure\.com)$/, 'azure'],
  [/^bedrock-runtime(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com$/, 'bedrock'],
  [/^(?:generativelanguage|aiplatform|[a-z0-9-]+-aiplatform)\.googleapis\.com$/, 'gemini'],
  [/^api\.together\.ai$/, 'together'],
];

const FORMAT_CATALOG: Readonly<Record<Exclude<WireFormat, 'openai'>, CatalogProviderName>> = {
  azure: 'azure',
  anthropic: 'anthropic',
  gemini: 'gemini',
  bedrock: 'bedrock',
};

/** Results per catalogue are memoised; ids can come from clients, so the memo is bounded. */
const MEMO_LIMIT = 4096;
/** Longer ids are looked up but not memoised: no catalogue id comes close. */
const MEMO_MAX_ID = 256;

interface Matcher {
  model: CatalogModel;
  test: (id: string) => boolean;
}

interface Index {
  exact: Map<string, CatalogModel>;
  /** Models with patterns, in catalogue order: the first match wins, as in the source. */
  matchers: Matcher[];
  fallback: readonly CatalogProviderName[];
  memo: Map<string, CatalogModel | null>;
}

let indexes: Map<CatalogProviderName, Index> | undefined;
let hosts: Map<string, CatalogProviderName> | undefined;
/** Catalogue by base URL; a gateway has few providers, but bound it anyway. */
const byBaseUrl = new Map<string, CatalogProviderName | null>();
const pricings = new WeakMap<CatalogModel, Pricing>();

function isCatalogName(name: string): name is CatalogProviderName {
  return Object.hasOwn(PRICE_CATALOG, name);
}

function buildIndex(name: CatalogProviderName): Index {
  const { models, fallback } = PRICE_CATALOG[name];
  const exact = new Map<string, CatalogModel>();
  const matchers: Matcher[] = [];
  for (const model of models) {
    for (const key of [model.id.toLowerCase(), ...(model.aliases ?? [])]) if (!exact.has(key)) exact.set(key, model);
    const prefixes = model.prefixes ?? [];
    const suffixes = model.suffixes ?? [];
    const contains = model.contains ?? [];
    const patterns = (model.patterns ?? []).map((p) => new RegExp(p));
    if (prefixes.length + suffixes.length + contains.length + patterns.length === 0) continue;
    matchers.push({
      model,
      test: (id) =>
        prefixes.some((p) => id.startsWith(p)) ||
        suffixes.some((s) => id.endsWith(s)) ||
        contains.some((c) => id.includes(c)) ||
        patterns.some((r) => r.test(id)),
    });
  }
  return { exact, matchers, fallback, memo: new Map() };
}

function indexOf(name: CatalogProviderName): Index {
  indexes ??= new Map();
  let index = indexes.get(name);
  if (!index) {
    index = buildIndex(name);
    indexes.set(name, index);
  }
  return index;
}

/** One catalogue's own models: exact ids and aliases first, then patterns in catalogue order. */
function ownMatch(name: CatalogProviderName, id: string): CatalogModel | undefined {
  const index = indexOf(name);
  return index.exact.get(id) ?? index.matchers.find((m) => m.test(id))?.model;
}

/** A catalogue, then its fallbacks (one level, as the source does). */
function providerMatch(name: CatalogProviderName, id: string): CatalogModel | undefined {
  const own = ownMatch(name, id);
  if (own) return own;
  for (const f of indexOf(name).fallback) {
    const found = ownMatch(f, id);
    if (found) return found;
  }
  return undefined;
}

const COMPACT_DATE = /-(20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=-|:|$)/g;
const TRAILING_DATE = /-(?:20\d{2}-\d{2}-\d{2}|20\d{6})$/;

/** The source's normalisation: `-20250929` → `-2025-09-29` for ids whose aliases carry dashed dates. */
function dashDates(id: string): string {
  return id.replace(COMPACT_DATE, (whole: string, y: string, m: string, d: string) => {
    const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
    return date.getUTCDate() === Number(d) ? `-${y}-${m}-${d}` : whole;
  });
}

function resolve(name: CatalogProviderName, id: string): CatalogModel | undefined {
  const direct = providerMatch(name, id);
  if (direct) return direct;
  const dashed = dashDates(id);
  if (dashed !== id) {
    const found = providerMatch(name, dashed);
    if (found) return found;
  }
  // A dated snapshot the catalogue does not list yet is priced as its undated family.
  const undated = id.replace(TRAILING_DATE, '');
  if (undated !== id && undated.length > 0) {
    const found = providerMatch(name, undated);
    if (found) return found;
  }
  if (name === 'openrouter') {
    const slash = id.indexOf('/');
    const vendor = slash > 0 ? OPENROUTER_VENDORS.get(id.slice(0, slash)) : undefined;
    const model = id.slice(slash + 1);
    if (vendor && model) {
      // A variant the vendor does not list (`:beta`, `:nitro`, ...) is priced as the model itself;
      // `:free` is OpenRouter's own and stays unknown.
      const base = model.replace(/:(?!free$)[a-z-]+$/, '');
      return resolve(vendor, model) ?? (base !== model && base ? resolve(vendor, base) : undefined);
    }
  }
  return undefined;
}

function findModel(name: CatalogProviderName, modelId: string): CatalogModel | undefined {
  const id = modelId.trim().toLowerCase();
  if (!id) return undefined;
  const { memo } = indexOf(name);
  const cached = memo.get(id);
  if (cached !== undefined) return cached ?? undefined;
  const found = resolve(name, id);
  if (id.length <= MEMO_MAX_ID) {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(id, found ?? null);
  }
  return found;
}

/** A preset's host, from its base URL or the `${VAR:-default}` default in it. */
function presetHost(baseUrl: string | undefined): string | undefined {
  if (!baseUrl) return undefined;
  const url = /^\$\{[A-Z0-9_]+:-(.+)\}$/.exec(baseUrl)?.[1] ?? baseUrl;
  if (url.includes('${')) return undefined;
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

function catalogByHost(baseUrl: string | undefined): CatalogProviderName | undefined {
  if (!baseUrl || baseUrl.length > 2048) return undefined;
  const cached = byBaseUrl.get(baseUrl);
  if (cached !== undefined) return cached ?? undefined;
  const found = hostCatalog(baseUrl);
  if (byBaseUrl.size >= MEMO_LIMIT) byBaseUrl.clear();
  byBaseUrl.set(baseUrl, found ?? null);
  return found;
}

function hostCatalog(baseUrl: string): CatalogProviderName | undefined {
  let host: string;
  try {
    host = new URL(baseUrl).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  if (!hosts) {
    hosts = new Map();
    for (const preset of PRESET_NAMES) {
      const h = presetHost(PRESETS[preset].baseUrl);
      if (h && isCatalogName(preset)) hosts.set(h, preset);
    }
  }
  return hosts.get(host) ?? HOST_PATTERNS.find(([pattern]) => pattern.test(host))?.[1];
}

function catalogFor(provider: PriceTarget): CatalogProviderName | undefined {
  if (provider.preset !== undefined && (PRESET_NAMES as readonly string[]).includes(provider.preset)) {
    // Self-hosted presets (vllm, ollama, lmstudio) have no catalogue.
    return isCatalogName(provider.preset) ? provider.preset : undefined;
  }
  if (provider.format !== 'openai') return FORMAT_CATALOG[provider.format];
  return catalogByHost(provider.baseUrl);
}

/** The catalogue price of a model on a provider; undefined when unknown. */
export function catalogPrice(provider: { preset?: string; format: WireFormat; baseUrl?: string }, modelId: string): Pricing | undefined {
  const name = catalogFor(provider);
  if (!name) return undefined;
  const model = findModel(name, modelId);
  if (!model) return undefined;
  let pricing = pricings.get(model);
  if (!pricing) {
    const p: Pricing = { input: model.input, output: model.output };
    if (model.cachedInput !== undefined) p.cachedInput = model.cachedInput;
    if (model.reasoning !== undefined) p.reasoning = model.reasoning;
    // Shared between callers, so frozen.
    pricing = Object.freeze(p);
    pricings.set(model, pricing);
  }
  return pricing;
}

const count = (n: number | undefined): number => (n !== undefined && Number.isFinite(n) && n > 0 ? n : 0);

/**
 * USD for a request's tokens at the given pricing. Usage follows OpenAI's convention: promptTokens
 * includes cachedTokens and completionTokens includes reasoningTokens. Cached tokens are charged at
 * cachedInput (input when unset), reasoning tokens at reasoning (output when unset); cache writes
 * are charged as ordinary input.
 */
export function costUsd(pricing: Pricing, usage: { promptTokens: number; completionTokens: number; cachedTokens?: number; reasoningTokens?: number }): number {
  const prompt = count(usage.promptTokens);
  const completion = count(usage.completionTokens);
  const cached = Math.min(count(usage.cachedTokens), prompt);
  const reasoning = Math.min(count(usage.reasoningTokens), completion);
  const perMillion =
    (prompt - cached) * pricing.input +
    cached * (pricing.cachedInput ?? pricing.input) +
    (completion - reasoning) * pricing.output +
    reasoning * (pricing.reasoning ?? pricing.output);
  return perMillion / 1_000_000;
}
