/**
 * Per-stage CPU cost of the request pipeline when a stage does nothing, for `npm run bench`
 * (bench/proxy-overhead.ts prints the rows; target ≤ 3 µs each).
 *
 * The stages issue 9 added that pass through today (authenticate, admit, cache lookup, record) are
 * run, from the compiled code in dist/, in a chain of their own in front of a stage that ends the
 * request, and the same chain without them: the difference per request, in CPU time
 * (process.cpuUsage), is what the stage costs. Medians over batches, after a warm-up. The
 * chain's own dispatch per stage is measured the same way, with a stage that only calls next().
 */
import type { Stage } from '../src/pipeline/compose.js';
import type { RequestContext } from '../src/pipeline/context.js';

export interface StageCost {
  name: string;
  nsPerRequest: number;
}

const dist = new URL('../dist/', import.meta.url).href;
const BATCH = 20_000;
const BATCHES = 15;

async function cpuNsPerCall(run: () => Promise<void>): Promise<number> {
  const samples: number[] = [];
  for (let b = 0; b < BATCHES + 3; b++) {
    const start = process.cpuUsage();
    for (let i = 0; i < BATCH; i++) await run();
    const used = process.cpuUsage(start);
    if (b >= 3) samples.push(((used.user + used.system) * 1000) / BATCH); // the first batches warm up
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

export async function measureStages(): Promise<StageCost[]> {
  const { compose } = (await import(`${dist}pipeline/compose.js`)) as typeof import('../src/pipeline/compose.js');
  const hooks: Record<string, Stage<RequestContext>> = {
    authenticate: ((await import(`${dist}pipeline/stages/authenticate.js`)) as typeof import('../src/pipeline/stages/authenticate.js')).authenticate,
    admit: ((await import(`${dist}pipeline/stages/admit.js`)) as typeof import('../src/pipeline/stages/admit.js')).admit,
    cacheLookup: ((await import(`${dist}pipeline/stages/cache.js`)) as typeof import('../src/pipeline/stages/cache.js')).cacheLookup,
    record: ((await import(`${dist}pipeline/stages/record.js`)) as typeof import('../src/pipeline/stages/record.js')).record,
  };
  // What record reads: no session and no answer is the doing-nothing case.
  const ctx = { plan: undefined, answer: undefined } as unknown as RequestContext;
  const end: Stage<RequestContext> = async () => {};
  const passThrough: Stage<RequestContext> = (_ctx, next) => next();
  const base = compose([end]);
  const rows: StageCost[] = [];
  for (const [name, stage] of [...Object.entries(hooks), ['(chain dispatch per stage)', passThrough] as const]) {
    const withStage = compose([stage, end]);
    // Interleaved, so a noisy moment touches both sides alike.
    const a = await cpuNsPerCall(() => withStage(ctx));
    const b = await cpuNsPerCall(() => base(ctx));
    rows.push({ name, nsPerRequest: Math.max(0, a - b) });
  }
  return rows;
}
