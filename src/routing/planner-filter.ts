/**
 * Hard filters: the rules that keep a target from serving a request at all (capabilities, wire
 * format, context window, compliance, quality floor, cost ceiling), and the worst-case cost
 * estimate the cost ceiling and the cost-ranking strategies read (docs/routing.md#hard-filters).
 */
import type { ChatRequest } from '../api/chat.js';
import { COMPLIANCE_TAGS } from '../config/schema.js';
import type { Capability, Pricing, Target, TrafficClass, WireFormat } from '../config/types.js';
import { GatewayError, invalid } from '../core/errors.js';
import type { RequestFacts } from './planner-facts.js';
import { DATA_CLASS_HEADER, DEFAULT_OUTPUT_ESTIMATE, type Exclusion, type ExclusionRule, type RouteInput } from './planner-types.js';
import { catalogPrice } from './prices.js';

const PRICE_CACHE = new WeakMap<Target, Pricing | null>();

/** The config's price for a target, else the catalogue's (docs/prices.md). */
export function priceOf(target: Target): Pricing | undefined {
  let p = PRICE_CACHE.get(target);
  if (p === undefined) {
    p = target.model.pricing ?? catalogPrice({ format: target.provider.format, baseUrl: target.provider.baseUrl }, target.model.id) ?? null;
    PRICE_CACHE.set(target, p);
  }
  return p ?? undefined;
}

/** Data classes the request needs honoured: its header plus its key's. */
export function dataClasses(input: RouteInput): string[] {
  const out = new Set(input.key?.dataClasses ?? []);
  const h = input.header(DATA_CLASS_HEADER);
  if (h !== undefined) {
    for (const raw of h.split(',')) {
      const tag = raw.trim().toLowerCase();
      if (tag === '') continue;
      if (!(COMPLIANCE_TAGS as readonly string[]).includes(tag)) {
        throw invalid(
          DATA_CLASS_HEADER,
          `${DATA_CLASS_HEADER} has an unknown data class "${raw.trim()}"; allowed: ${COMPLIANCE_TAGS.join(', ')} (comma-separated)`,
        );
      }
      out.add(tag);
    }
  }
  return [...out];
}

export function neededCapabilities(req: ChatRequest): { cap: Capability; because: string }[] {
  const needs: { cap: Capability; because: string }[] = [];
  if (req.messages.some((m) => m.role === 'user' && Array.isArray(m.content) && m.content.some((p) => p.type === 'image_url'))) {
    needs.push({ cap: 'vision', because: 'the request has image parts' });
  }
  if ((req.tools?.length ?? 0) > 0) needs.push({ cap: 'tools', because: 'the request has tools' });
  const fmt = req.response_format?.type;
  if (fmt === 'json_schema') needs.push({ cap: 'json_schema', because: 'response_format is json_schema' });
  else if (fmt === 'json_object') needs.push({ cap: 'json', because: 'response_format is json_object' });
  if (req.stream === true) needs.push({ cap: 'streaming', because: 'the request streams' });
  return needs;
}

/** What the filters read, the same for every target of a plan. */
export interface FilterInput {
  needs: { cap: Capability; because: string }[];
  formats: ReadonlySet<WireFormat> | undefined;
  operation: 'chat' | 'embeddings';
  required: string[];
  cls: TrafficClass;
  maxOut: number | undefined;
  facts: RequestFacts;
}

/** The first hard rule a target breaks, or undefined when it may serve the request. */
export function exclusion(target: Target, f: FilterInput, cost: number | undefined): { rule: ExclusionRule; detail: string } | undefined {
  const m = target.model;
  if (f.formats && !f.formats.has(target.provider.format)) {
    return { rule: 'capability', detail: `its wire format (${target.provider.format}) has no ${f.operation} endpoint in Switchyard` };
  }
  for (const n of f.needs) {
    if (!m.capabilities.has(n.cap))
      return { rule: 'capability', detail: `needs ${n.cap} (${n.because}); the model declares ${[...m.capabilities].join(', ')}` };
  }
  if (m.contextWindow !== undefined) {
    const out = f.maxOut ?? 0;
    if (f.facts.upperBound() + out > m.contextWindow) {
      const prompt = f.facts.promptTokens();
      if (prompt + out > m.contextWindow) {
        return { rule: 'context_window', detail: `needs ${prompt} prompt + ${out} output tokens; the window is ${m.contextWindow}` };
      }
    }
  }
  const missing = f.required.length === 0 ? f.required : f.required.filter((tag) => !m.compliance.includes(tag));
  if (missing.length > 0) {
    return {
      rule: 'compliance',
      detail: `the request requires ${f.required.join(', ')}; the target lacks ${missing.join(', ')} (it offers ${m.compliance.join(', ') || 'none'})`,
    };
  }
  const floor = f.cls.qualityFloor;
  if (floor !== undefined && (m.quality === undefined || m.quality < floor)) {
    return { rule: 'quality_floor', detail: `class ${f.cls.name} needs quality ≥ ${floor}; the model's is ${m.quality ?? 'not declared'}` };
  }
  const ceiling = f.cls.maxCostUsd;
  if (ceiling !== undefined) {
    if (cost === undefined) return { rule: 'cost_ceiling', detail: `class ${f.cls.name} caps cost at $${ceiling}; no price is known for the model` };
    if (cost > ceiling) return { rule: 'cost_ceiling', detail: `estimated cost $${cost.toFixed(6)} exceeds class ${f.cls.name}'s ceiling $${ceiling}` };
  }
  return undefined;
}

/**
 * Worst-case USD: the prompt at the input price plus the most output the request allows at the
 * output price. The prompt is counted exactly when `exact`, else estimated (RequestFacts.approxTokens).
 */
export function estimateCost(target: Target, maxOut: number | undefined, facts: RequestFacts, exact: boolean): number | undefined {
  const price = priceOf(target);
  if (!price) return undefined;
  const out = maxOut ?? target.model.maxOutputTokens ?? DEFAULT_OUTPUT_ESTIMATE;
  const prompt = exact ? facts.promptTokens() : facts.approxTokens();
  return (prompt * price.input + out * price.output) / 1_000_000;
}

export function noEligibleTarget(route: string, excluded: Exclusion[]): GatewayError {
  const list = excluded.map((e) => `${e.target}: ${e.rule} (${e.detail})`).join('; ');
  return new GatewayError(
    'no_eligible_target',
    `No target of '${route}' may serve this request: ${list || 'the route has no targets within the fallback depth'}`,
    { param: 'model' },
  );
}
