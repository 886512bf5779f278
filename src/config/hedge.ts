import type { CompileContext } from './context.js';
import type { RawHedge } from './schema.js';
import type { HedgeConfig } from './types.js';

/** A `hedge` section (a public model's or a traffic class's), with its defaults. */
export function compileHedge(raw: RawHedge | undefined, path: (string | number)[], ctx: CompileContext): HedgeConfig | undefined {
  if (!raw) return undefined;
  if ((raw.delay_ms === undefined) === (raw.adaptive === undefined)) {
    ctx.error(path, 'give exactly one of delay_ms (a fixed delay) or adaptive (from the observed time to first token)');
    return undefined;
  }
  const out: HedgeConfig = { maxHedges: raw.max_hedges ?? 1, budgetRatio: raw.budget_ratio ?? 0.1 };
  if (raw.delay_ms !== undefined) out.delayMs = raw.delay_ms;
  if (raw.adaptive) {
    const a = { quantile: raw.adaptive.quantile ?? 0.95, minMs: raw.adaptive.min_ms ?? 50, maxMs: raw.adaptive.max_ms ?? 10_000 };
    if (a.minMs > a.maxMs) ctx.error([...path, 'adaptive', 'min_ms'], `must not exceed max_ms (${a.maxMs})`);
    out.adaptive = Object.freeze(a);
  }
  return Object.freeze(out);
}
