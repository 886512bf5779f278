/**
 * Regenerates src/routing/price-data.ts from the price data bundled in @pydantic/genai-prices.
 *
 *   node --import tsx scripts/update-prices.ts [--date YYYY-MM-DD]
 *
 * Offline by design: the package's bundled snapshot is read through waitForUpdate(), which resolves
 * to the bundled data as long as updatePrices() (the package's remote refresh) is never called.
 * To take newer prices, update the package version, then run this script.
 *
 * --date fixes the day that date-scheduled price changes are resolved against (default: today, UTC),
 * so a regeneration can be reproduced.
 *
 * After writing the file, the script checks catalogPrice() against the package's own calcPrice()
 * for every model id and exact alias, and exits non-zero on a disagreement.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { calcPrice, type MatchLogic, type ModelInfo, type ModelPrice, type Provider, waitForUpdate } from '@pydantic/genai-prices';

const PACKAGE = '@pydantic/genai-prices';
const OUT = fileURLToPath(new URL('../src/routing/price-data.ts', import.meta.url));

/** Catalogue provider id → our preset name. Providers we have no preset for are left out. */
const PROVIDER_MAP: ReadonlyArray<readonly [string, string]> = [
  ['openai', 'openai'],
  ['azure', 'azure'],
  ['anthropic', 'anthropic'],
  ['google', 'gemini'],
  ['aws', 'bedrock'],
  ['groq', 'groq'],
  ['together', 'together'],
  ['deepseek', 'deepseek'],
  ['mistral', 'mistral'],
  ['fireworks', 'fireworks'],
  ['openrouter', 'openrouter'],
  ['x-ai', 'xai'],
  ['perplexity', 'perplexity'],
];
const OURS = new Map(PROVIDER_MAP);

/** The wire format each catalogue is reached with, for the self-check. */
const FORMAT_OF: Readonly<Record<string, 'openai' | 'azure' | 'anthropic' | 'gemini' | 'bedrock'>> = {
  azure: 'azure',
  anthropic: 'anthropic',
  gemini: 'gemini',
  bedrock: 'bedrock',
};

interface OutModel {
  id: string;
  aliases: string[];
  prefixes: string[];
  suffixes: string[];
  contains: string[];
  patterns: string[];
  input: number;
  output: number;
  cachedInput?: number;
  reasoning?: number;
  tierAbove?: number;
}

interface Notes {
  tiered: string[];
  timeOfDay: string[];
  scheduled: string[];
  skipped: string[];
  droppedFallbacks: string[];
}

function parseArgs(argv: readonly string[]): { date: string } {
  let date = new Date().toISOString().slice(0, 10);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--date') {
      const value = argv[++i];
      if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new Error('--date takes YYYY-MM-DD');
      date = value;
    } else {
      throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  return { date };
}

/** The package's own package.json: its exports map hides it, so walk up from the resolved entry. */
function sourcePackage(): { version: string; repository: string } {
  let dir = dirname(fileURLToPath(import.meta.resolve(PACKAGE)));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string; repository?: { url?: string } | string };
      if (pkg.name === PACKAGE) {
        const raw = typeof pkg.repository === 'string' ? pkg.repository : (pkg.repository?.url ?? '');
        const repository = raw.replace(/^git\+/, '').replace(/\.git$/, '');
        if (!pkg.version || !repository) throw new Error(`${PACKAGE}/package.json lacks version or repository`);
        return { version: pkg.version, repository };
      }
    } catch (err) {
      if (!(err instanceof Error && 'code' in err && err.code === 'ENOENT')) throw err;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find ${PACKAGE}/package.json`);
    dir = parent;
  }
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * One regular expression for a compound condition (`and`, or an `or` nested in one), tested against
 * the lowercased model id like every pattern: each part becomes a lookahead anchored at the start.
 */
function toRegexSource(logic: MatchLogic): string {
  const part = (l: MatchLogic): string => {
    if ('equals' in l) return `(?=${escapeRegex(l.equals.toLowerCase())}$)`;
    if ('starts_with' in l) return `(?=${escapeRegex(l.starts_with.toLowerCase())})`;
    if ('ends_with' in l) return `(?=[\\s\\S]*${escapeRegex(l.ends_with.toLowerCase())}$)`;
    if ('contains' in l) return `(?=[\\s\\S]*${escapeRegex(l.contains.toLowerCase())})`;
    if ('regex' in l) return `(?=[\\s\\S]*?(?:${l.regex}))`;
    if ('and' in l) return l.and.map(part).join('');
    return `(?:${l.or.map(part).join('|')})`;
  };
  return `^${part(logic)}`;
}

/** The source's match tree as flat string lists; the source compares literals case-insensitively. */
function flattenMatch(logic: MatchLogic, out: OutModel): void {
  if ('or' in logic) {
    for (const child of logic.or) flattenMatch(child, out);
  } else if ('equals' in logic) out.aliases.push(logic.equals.toLowerCase());
  else if ('starts_with' in logic) out.prefixes.push(logic.starts_with.toLowerCase());
  else if ('ends_with' in logic) out.suffixes.push(logic.ends_with.toLowerCase());
  else if ('contains' in logic) out.contains.push(logic.contains.toLowerCase());
  else if ('regex' in logic) out.patterns.push(logic.regex);
  else out.patterns.push(toRegexSource(logic));
}

const dedupe = (xs: string[]): string[] => [...new Set(xs)];

/** A flat price: a number, or the base of a tiered price (the rate below the first threshold). */
function base(value: ModelPrice[string]): { price?: number; tierStart?: number } {
  if (value === undefined) return {};
  if (typeof value === 'number') return { price: value };
  const starts = value.tiers.map((t) => t.start);
  return { price: value.base, tierStart: starts.length ? Math.min(...starts) : undefined };
}

/**
 * The price that applies on `date`: the latest start-date entry already in force, else the
 * unconditional one. Time-of-day entries (peak/off-peak windows) are ignored: the unconditional
 * entry is the base rate.
 */
function resolvePrices(providerId: string, model: ModelInfo, date: string, notes: Notes): ModelPrice {
  if (!Array.isArray(model.prices)) return model.prices;
  const label = `${providerId}/${model.id}`;
  let chosen: ModelPrice | undefined;
  for (let i = model.prices.length - 1; i >= 0; i--) {
    const entry = model.prices[i];
    if (!entry) continue;
    const c = entry.constraint;
    if (c === undefined) {
      chosen ??= entry.prices;
    } else if (c.type === 'time_of_date') {
      if (!notes.timeOfDay.includes(label)) notes.timeOfDay.push(label);
    } else if (c.start_date <= date) {
      chosen ??= entry.prices;
    } else {
      notes.scheduled.push(`${label} from ${c.start_date}`);
    }
  }
  const first = model.prices[0];
  if (!first) throw new Error(`${label}: empty price list`);
  return chosen ?? first.prices;
}

function convertModel(providerId: string, model: ModelInfo, date: string, notes: Notes): OutModel | undefined {
  const prices = resolvePrices(providerId, model, date, notes);
  const keys = Object.keys(prices).filter((k) => prices[k] !== undefined);
  const input = base(prices.input_mtok);
  const output = base(prices.output_mtok);
  // Per-token prices only; an empty price set is the source's way of saying "free".
  if (input.price === undefined && output.price === undefined && keys.length > 0) {
    notes.skipped.push(`${providerId}/${model.id} (${keys.join(', ')})`);
    return undefined;
  }
  const cached = base(prices.cache_read_mtok);
  const reasoning = base(prices.output_reasoning_mtok);
  const tierStarts = [input, output, cached, reasoning].map((p) => p.tierStart).filter((s): s is number => s !== undefined);
  const out: OutModel = {
    id: model.id,
    aliases: [],
    prefixes: [],
    suffixes: [],
    contains: [],
    patterns: [],
    input: input.price ?? 0,
    output: output.price ?? 0,
  };
  if (cached.price !== undefined) out.cachedInput = cached.price;
  if (reasoning.price !== undefined) out.reasoning = reasoning.price;
  if (tierStarts.length) {
    out.tierAbove = Math.min(...tierStarts);
    notes.tiered.push(`${providerId}/${model.id}`);
  }
  flattenMatch(model.match, out);
  const id = model.id.toLowerCase();
  out.aliases = dedupe(out.aliases).filter((a) => a !== id);
  out.prefixes = dedupe(out.prefixes);
  out.suffixes = dedupe(out.suffixes);
  out.contains = dedupe(out.contains);
  out.patterns = dedupe(out.patterns);
  for (const p of out.patterns) new RegExp(p); // fail here, not at request time
  return out;
}

function quote(s: string): string {
  return `'${s
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')}'`;
}

const list = (xs: readonly string[]): string => `[${xs.map(quote).join(', ')}]`;

function renderModel(m: OutModel): string {
  const fields = [`id: ${quote(m.id)}`];
  if (m.aliases.length) fields.push(`aliases: ${list(m.aliases)}`);
  if (m.prefixes.length) fields.push(`prefixes: ${list(m.prefixes)}`);
  if (m.suffixes.length) fields.push(`suffixes: ${list(m.suffixes)}`);
  if (m.contains.length) fields.push(`contains: ${list(m.contains)}`);
  if (m.patterns.length) fields.push(`patterns: ${list(m.patterns)}`);
  fields.push(`input: ${m.input}`, `output: ${m.output}`);
  if (m.cachedInput !== undefined) fields.push(`cachedInput: ${m.cachedInput}`);
  if (m.reasoning !== undefined) fields.push(`reasoning: ${m.reasoning}`);
  if (m.tierAbove !== undefined) fields.push(`tierAbove: ${m.tierAbove}`);
  return `      { ${fields.join(', ')} },`;
}

const TYPES_TEXT = [
  'export interface CatalogModel {',
  "  /** The catalogue's model id. */",
  '  readonly id: string;',
  '  /** Other exact ids (lowercase). */',
  '  readonly aliases?: readonly string[];',
  '  /** Lowercase id prefixes, suffixes and substrings, and regular expressions tested against the lowercased id. */',
  '  readonly prefixes?: readonly string[];',
  '  readonly suffixes?: readonly string[];',
  '  readonly contains?: readonly string[];',
  '  readonly patterns?: readonly string[];',
  '  readonly input: number;',
  '  readonly output: number;',
  '  /** Cache-read input. */',
  '  readonly cachedInput?: number;',
  '  readonly reasoning?: number;',
  '  /** Prompt tokens above which a higher tier applies (not represented here). */',
  '  readonly tierAbove?: number;',
  '}',
  '',
  'export interface CatalogProvider {',
  "  /** In the source's order: the first model whose patterns match an id wins. */",
  '  readonly models: readonly CatalogModel[];',
  '  /** Catalogues searched next when no model matches (e.g. Azure serves OpenAI models). */',
  '  readonly fallback: readonly CatalogProviderName[];',
  '}',
  '',
];

const DEEP_FREEZE_TEXT = [
  'function deepFreeze<T>(value: T): T {',
  "  if (typeof value === 'object' && value !== null) {",
  '    for (const child of Object.values(value)) deepFreeze(child);',
  '    Object.freeze(value);',
  '  }',
  '  return value;',
  '}',
  '',
];

type CatalogueEntry = { name: string; sourceId: string; fallback: string[]; models: OutModel[] };

function render(source: { version: string; repository: string }, date: string, catalogue: ReadonlyArray<CatalogueEntry>): string {
  const names = catalogue.map((c) => quote(c.name)).join(' | ');
  return [
    ...headerLines(source, date),
    `export type CatalogProviderName = ${names};`,
    '',
    ...TYPES_TEXT,
    ...sourceLines(source, date),
    'export const PRICE_CATALOG: Readonly<Record<CatalogProviderName, CatalogProvider>> = deepFreeze({',
    ...catalogue.flatMap(providerLines),
    '});',
    '',
    ...DEEP_FREEZE_TEXT,
  ].join('\n');
}

function headerLines(source: { version: string; repository: string }, date: string): string[] {
  return [
    '/**',
    ` * Model prices by provider, generated from ${PACKAGE} ${source.version}`,
    ` * (${source.repository}) on ${date}.`,
    ' * Do not edit: run `node --import tsx scripts/update-prices.ts` (see docs/prices.md).',
    ' *',
    ' * Prices are USD per million tokens. Tiered prices are given at their base (lowest) tier, with',
    ' * `tierAbove` the prompt size above which the provider charges more; time-of-day discounts and',
    ' * surcharges are not represented.',
    ' */',
    '',
  ];
}

function sourceLines(source: { version: string; repository: string }, date: string): string[] {
  return [
    'export const PRICE_SOURCE = Object.freeze({',
    `  package: ${quote(PACKAGE)},`,
    `  version: ${quote(source.version)},`,
    `  repository: ${quote(source.repository)},`,
    `  generated: ${quote(date)},`,
    '});',
    '',
  ];
}

function providerLines(c: CatalogueEntry): string[] {
  return [
    `  ${/^[a-z]+$/.test(c.name) ? c.name : quote(c.name)}: {`,
    `    fallback: ${list(c.fallback)},`,
    '    models: [',
    ...c.models.map(renderModel),
    '    ],',
    '  },',
  ];
}

/** Ids as clients send them, matched by the source's patterns and date handling rather than exactly. */
const SAMPLE_IDS: ReadonlyArray<readonly [string, string]> = [
  ['openai', 'gpt-4o-2024-08-06'],
  ['openai', 'gpt-4o-mini-2024-07-18'],
  ['openai', 'gpt-4o-realtime-preview-2024-12-17'],
  ['openai', 'computer-use-preview'],
  ['azure', 'gpt-4o'],
  ['azure', 'o4-mini'],
  ['azure', 'gpt-4.1-mini'],
  ['anthropic', 'claude-sonnet-4-5-20250929'],
  ['anthropic', 'claude-3-5-sonnet-20241022'],
  ['anthropic', 'claude-3-7-sonnet-latest'],
  ['anthropic', 'claude-opus-4-1-20250805'],
  ['anthropic', 'claude-haiku-4-5-20251001'],
  ['anthropic', 'claude-3-haiku-20240307'],
  ['google', 'gemini-2.5-pro'],
  ['google', 'gemini-2.5-pro-preview-06-05'],
  ['google', 'gemini-2.0-flash-001'],
  ['google', 'gemini-1.5-flash-002'],
  ['google', 'gemini-2.5-flash-lite-preview-06-17'],
  ['aws', 'anthropic.claude-3-5-sonnet-20240620-v1:0'],
  ['aws', 'us.anthropic.claude-sonnet-4-20250514-v1:0'],
  ['aws', 'eu.anthropic.claude-3-7-sonnet-20250219-v1:0'],
  ['aws', 'global.anthropic.claude-sonnet-4-5-20250929-v1:0'],
  ['aws', 'amazon.nova-pro-v1:0'],
  ['aws', 'us.amazon.nova-lite-v1:0'],
  ['aws', 'meta.llama3-1-70b-instruct-v1:0'],
  ['openrouter', 'openai/gpt-4o'],
  ['openrouter', 'anthropic/claude-3.5-sonnet'],
  ['openrouter', 'google/gemini-2.5-pro'],
  ['openrouter', 'meta-llama/llama-3.1-70b-instruct'],
  ['mistral', 'mistral-large-latest'],
  ['mistral', 'magistral-small-2506'],
  ['deepseek', 'deepseek-chat'],
  ['deepseek', 'deepseek-reasoner'],
  ['x-ai', 'grok-4'],
  ['x-ai', 'grok-3-mini'],
  ['groq', 'llama-3.3-70b-versatile'],
  ['together', 'meta-llama/Llama-3.3-70B-Instruct-Turbo'],
  ['fireworks', 'accounts/fireworks/models/deepseek-r1-0528'],
  ['perplexity', 'sonar-pro'],
];

type Prices = typeof import('../src/routing/prices.js');

/** What the self-check compares: the same usage, priced by the source and by the catalogue. */
interface Check {
  prices: Prices;
  timestamp: Date;
  checked: number;
  idsOnly: number;
  problems: string[];
}

const CHECK_USAGE = { input_tokens: 1000, cache_read_tokens: 400, output_tokens: 1000 };
const CHECK_TOKENS = { promptTokens: 1000, cachedTokens: 400, completionTokens: 1000 };

/** catalogPrice() against the source's calcPrice() for every id and exact alias, and SAMPLE_IDS. */
async function selfCheck(data: readonly Provider[], date: string): Promise<number> {
  // Evening UTC on the resolution day: outside every time-of-day window in the data, so the
  // source prices at its unconditional rate too; 1,000 tokens stay below every tier threshold.
  const check: Check = { prices: await import('../src/routing/prices.js'), timestamp: new Date(`${date}T20:00:00Z`), checked: 0, idsOnly: 0, problems: [] };
  for (const provider of data) {
    const ours = OURS.get(provider.id);
    if (!ours) continue;
    const target = { preset: ours, format: FORMAT_OF[ours] ?? 'openai' } as const;
    for (const model of provider.models) checkModel(check, provider.id, target, model);
  }
  for (const [providerId, name] of SAMPLE_IDS) checkSample(check, providerId, name);
  for (const p of check.problems) console.error(`  mismatch: ${p}`);
  console.log(
    `self-check: ${check.checked} ids and aliases agree with calcPrice, ${check.problems.length} do not; ${check.idsOnly} ids found by exact id only`,
  );
  return check.problems.length;
}

function exactAliases(match: MatchLogic): Set<string> {
  const aliases = new Set<string>();
  const collect = (l: MatchLogic): void => {
    if ('or' in l) l.or.forEach(collect);
    else if ('equals' in l) aliases.add(l.equals);
  };
  collect(match);
  return aliases;
}

/** The source's price for a name, undefined when it has none; null when it prices units this catalogue does not carry. */
function sourcePrice(check: Check, name: string, providerId: string): number | undefined | null {
  try {
    const r = calcPrice(CHECK_USAGE, name, { providerId, timestamp: check.timestamp });
    return r ? r.input_price + r.output_price : undefined;
  } catch {
    return null;
  }
}

function checkModel(check: Check, providerId: string, target: Parameters<Prices['catalogPrice']>[0], model: Provider['models'][number]): void {
  const aliases = exactAliases(model.match);
  for (const name of new Set([model.id, ...aliases])) {
    const theirs = sourcePrice(check, name, providerId);
    if (theirs === null) continue; // units this catalogue does not carry
    const pricing = check.prices.catalogPrice(target, name);
    if (!pricing) {
      if (theirs !== undefined && theirs > 0) check.problems.push(`${providerId} ${name}: source ${theirs}, catalogue none`);
      continue;
    }
    // A catalogue id its own patterns do not match (e.g. Fireworks' short ids): found here by
    // exact id only.
    if (theirs === undefined && name === model.id && !aliases.has(name)) {
      check.idsOnly++;
      continue;
    }
    check.checked++;
    const mine = check.prices.costUsd(pricing, CHECK_TOKENS);
    if (theirs === undefined || Math.abs(mine - theirs) > 1e-9 * Math.max(1, theirs))
      check.problems.push(`${providerId} ${name}: source ${theirs}, catalogue ${mine}`);
  }
}

function checkSample(check: Check, providerId: string, name: string): void {
  const ours = OURS.get(providerId);
  const r = calcPrice(CHECK_USAGE, name, { providerId, timestamp: check.timestamp });
  const pricing = ours ? check.prices.catalogPrice({ preset: ours, format: FORMAT_OF[ours] ?? 'openai' }, name) : undefined;
  const mine = pricing ? check.prices.costUsd(pricing, CHECK_TOKENS) : undefined;
  const theirs = r ? r.input_price + r.output_price : undefined;
  check.checked++;
  if (mine === undefined || theirs === undefined || Math.abs(mine - theirs) > 1e-9 * Math.max(1, theirs)) {
    check.problems.push(`${providerId} ${name}: source ${theirs}, catalogue ${mine}`);
  }
}

async function main(): Promise<void> {
  const { date } = parseArgs(process.argv.slice(2));
  const source = sourcePackage();
  const data = await waitForUpdate();
  if (!data) throw new Error(`${PACKAGE} has no bundled data`);

  const notes: Notes = { tiered: [], timeOfDay: [], scheduled: [], skipped: [], droppedFallbacks: [] };
  const catalogue: Array<{ name: string; sourceId: string; fallback: string[]; models: OutModel[] }> = [];
  for (const [sourceId, name] of PROVIDER_MAP) {
    const provider = data.find((p) => p.id === sourceId);
    if (!provider) {
      console.warn(`warning: ${PACKAGE} has no provider ${sourceId}`);
      continue;
    }
    const fallback: string[] = [];
    for (const f of provider.fallback_model_providers ?? []) {
      const mapped = OURS.get(f);
      if (mapped) fallback.push(mapped);
      else notes.droppedFallbacks.push(`${sourceId} → ${f}`);
    }
    const models = provider.models.map((m) => convertModel(sourceId, m, date, notes)).filter((m): m is OutModel => m !== undefined);
    catalogue.push({ name, sourceId, fallback, models });
  }

  const text = render(source, date, catalogue);
  writeFileSync(OUT, text);

  console.log(`wrote ${OUT} (${(text.length / 1024).toFixed(0)} KiB) from ${PACKAGE} ${source.version}, prices as of ${date}`);
  for (const c of catalogue) {
    const total = data.find((p) => p.id === c.sourceId)?.models.length ?? 0;
    console.log(`  ${c.name.padEnd(11)} ${String(c.models.length).padStart(4)} models (${total - c.models.length} without per-token prices)`);
  }
  const omitted = data.filter((p) => !OURS.has(p.id)).map((p) => p.id);
  console.log(`omitted providers (no preset): ${omitted.join(', ')}`);
  console.log(`tiered, base tier kept (${notes.tiered.length}): ${notes.tiered.join(', ')}`);
  console.log(`time-of-day prices ignored: ${notes.timeOfDay.join(', ') || 'none'}`);
  console.log(`scheduled changes after ${date}: ${notes.scheduled.join(', ') || 'none'}`);
  console.log(`fallbacks to omitted providers: ${notes.droppedFallbacks.join(', ') || 'none'}`);
  console.log(`skipped (no per-token price): ${notes.skipped.join('; ') || 'none'}`);

  if ((await selfCheck(data, date)) > 0) process.exitCode = 1;
}

await main();
