/**
 * PLACEHOLDER: per-stage CPU cost of the request pipeline, for `npm run bench` (bench/proxy-overhead.ts).
 *
 * Issue 9 requires: "No stage added … costs more than 3 µs of CPU per request when it does nothing
 * (measured and printed by the bench)". The pipeline of stages does not exist yet on this branch; the
 * engineer building it replaces the body of measureStages() with the real measurement. Until then it
 * returns no rows, and the bench prints that no stage was measured (it prints "not built" when this
 * file is absent).
 *
 * What the real measureStages() should measure, in this process (a micro-benchmark, no network):
 *   - for each stage of the pipeline, configured so that it does nothing (feature off / no rule
 *     matches / empty table), the CPU time it adds to one request, in nanoseconds: run the pipeline
 *     with and without that stage over many requests (batches of e.g. 1000, after a warm-up), and
 *     report the median per-request difference;
 *   - using the compiled code in dist/ (import `${new URL('../dist/', import.meta.url).href}...`, as
 *     bench/route-plan.ts does), not src/ through tsx, whose transform wraps every function it defines;
 *   - CPU time (process.cpuUsage() deltas) rather than wall time where the batch is long enough.
 *
 * Contract with bench/proxy-overhead.ts: export measureStages(), resolving to one row per stage;
 * nsPerRequest is the CPU nanoseconds the idle stage adds per request (target ≤ 3000).
 */
export interface StageCost {
  name: string;
  nsPerRequest: number;
}

export async function measureStages(): Promise<StageCost[]> {
  // PLACEHOLDER: no pipeline stages exist yet; see the comment above for what replaces this.
  return [];
}
