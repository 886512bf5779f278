import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { type Distribution, fixed } from './rng.js';
import { type Behaviour, builtInBehaviour, DEFAULT_BEHAVIOUR, isBuiltInScenario } from './scenarios.js';

const ms = z.number().min(0).max(600_000);

const distribution = z.union([
  ms,
  z.strictObject({ distribution: z.literal('fixed'), ms }),
  z.strictObject({ distribution: z.literal('uniform'), min_ms: ms, max_ms: ms }),
  z.strictObject({ distribution: z.literal('normal'), mean_ms: ms, stddev_ms: ms }),
  z.strictObject({ distribution: z.literal('lognormal'), median_ms: ms, sigma: z.number().min(0).max(10) }),
]);

const count = z.number().int().min(0).max(1_000_000);

const modelEntry = z.strictObject({
  base: z.string().refine(isBuiltInScenario, { message: 'not a built-in scenario (see GET /_sandbox/scenarios)' }).optional(),
  first_token_ms: distribution.optional(),
  token_ms: distribution.optional(),
  tokens: z.number().int().min(1).max(100_000).optional(),
  reply: z.string().optional(),
  error_rate: z.number().min(0).max(1).optional(),
  error_status: z.union([z.literal(429), z.literal(500), z.literal(502), z.literal(503), z.literal(504), z.literal(529)]).optional(),
  retry_after_s: z.number().min(0).max(86_400).optional(),
  fail_first: count.optional(),
  outage: z.strictObject({ start_after_ms: ms.default(0), duration_ms: z.number().min(0) }).optional(),
  cut_after: count.optional(),
  stall_after: count.optional(),
  malformed_after: count.optional(),
  no_done: z.boolean().optional(),
  reset: z.boolean().optional(),
  no_response: z.boolean().optional(),
  context_length: z.boolean().optional(),
  content_filter: z.boolean().optional(),
  reject_prefill: z.boolean().optional(),
});

export const scenarioFileSchema = z.strictObject({
  seed: z.number().int().optional(),
  models: z.record(z.string().min(1), modelEntry),
});

export type ScenarioFile = z.infer<typeof scenarioFileSchema>;
export type ScenarioModel = z.infer<typeof modelEntry>;

function toDistribution(value: z.infer<typeof distribution> | undefined, fallback: Distribution): Distribution {
  if (value === undefined) return fallback;
  return typeof value === 'number' ? fixed(value) : value;
}

/** One scenario-file entry, layered over its base built-in (or over `ok`). */
export function compileModel(name: string, entry: ScenarioModel): Behaviour {
  const base = (entry.base ? builtInBehaviour(entry.base) : null) ?? DEFAULT_BEHAVIOUR;
  return {
    ...base,
    scenario: name,
    firstTokenMs: toDistribution(entry.first_token_ms, base.firstTokenMs),
    tokenMs: toDistribution(entry.token_ms, base.tokenMs),
    tokens: entry.tokens ?? base.tokens,
    reply: entry.reply ?? base.reply,
    errorRate: entry.error_rate ?? base.errorRate,
    errorStatus: entry.error_status ?? base.errorStatus,
    retryAfterS: entry.retry_after_s ?? base.retryAfterS,
    failFirst: entry.fail_first ?? base.failFirst,
    outage: entry.outage ? { startAfterMs: entry.outage.start_after_ms, durationMs: entry.outage.duration_ms } : base.outage,
    cutAfter: entry.cut_after ?? base.cutAfter,
    stallAfter: entry.stall_after ?? base.stallAfter,
    malformedAfter: entry.malformed_after ?? base.malformedAfter,
    noDone: entry.no_done ?? base.noDone,
    reset: entry.reset ?? base.reset,
    noResponse: entry.no_response ?? base.noResponse,
    contextLength: entry.context_length ?? base.contextLength,
    contentFilter: entry.content_filter ?? base.contentFilter,
    rejectPrefill: entry.reject_prefill ?? base.rejectPrefill,
  };
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)'}: ${issue.message}`).join('; ');
}

/** Validates an already-parsed document; `source` names it in errors. */
export function parseScenarioFile(doc: unknown, source: string): ScenarioFile {
  const result = scenarioFileSchema.safeParse(doc);
  if (!result.success) throw new Error(`Invalid sandbox scenario file ${source}: ${describeIssues(result.error)}`);
  return result.data;
}

/** Reads a YAML or JSON scenario file (JSON is YAML, so one parser reads both). */
export function loadScenarioFile(path: string): ScenarioFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = err instanceof Error && 'code' in err ? String(err.code) : 'unreadable';
    throw new Error(`Cannot read sandbox scenario file ${path}: ${reason}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : 'parse error';
    throw new Error(`Cannot parse sandbox scenario file ${path}: ${reason}`);
  }
  return parseScenarioFile(doc, path);
}
