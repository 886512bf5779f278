import type { Target } from '../config/types.js';
import type { Cancellation } from '../core/cancel.js';
import { failure, UpstreamFailure } from '../core/failure.js';
import type { UpstreamRequest } from '../core/upstream.js';
import { adapterFor } from '../providers/registry.js';
import type { ProviderAdapter } from '../providers/types.js';
import { toUpstreamFailure } from '../transport/client.js';
import type { ExecContext } from './context.js';
import type { HedgeSpec } from './plan.js';
import { type PlanResult, runPlan } from './run-plan.js';
import { responseFailure } from './upstream-failure.js';

/** The answer, and the upstream's bytes it was parsed from (forwarded as they are when nothing changed). */
export type JsonResult<T> = PlanResult<T> & { bytes: Buffer };

export interface JsonOperation<T> {
  build(adapter: ProviderAdapter, target: Target): UpstreamRequest;
  parse(adapter: ProviderAdapter, body: unknown, target: Target): T;
}

/** A request answered with one JSON body (chat without stream, embeddings), over the plan. */
export async function executeJson<T>(ctx: ExecContext, plan: readonly Target[], op: JsonOperation<T>, hedge?: HedgeSpec): Promise<JsonResult<T>> {
  const r = await runPlan(
    ctx,
    plan,
    (target, _attempts, signal) => attempt(ctx, signal, adapterFor(target.provider.format), target, op),
    hedge ? { hedge } : {},
  );
  return { value: r.value.value, bytes: r.value.bytes, target: r.target, attempts: r.attempts };
}

async function attempt<T>(
  ctx: ExecContext,
  signal: Cancellation,
  adapter: ProviderAdapter,
  target: Target,
  op: JsonOperation<T>,
): Promise<{ value: T; bytes: Buffer }> {
  const req = op.build(adapter, target);
  const res = await ctx.transport.send(target.provider, req, { signal });
  if (res.status >= 400) {
    throw await responseFailure(adapter, res);
  }
  let bytes: Buffer;
  try {
    bytes = await res.bytes();
  } catch (err) {
    if (signal.aborted) throw err;
    throw toUpstreamFailure(err, 'body', target.provider.timeouts);
  }
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new UpstreamFailure(failure('server_error', `upstream sent an unreadable body: ${(err as Error).message}`, { status: res.status, phase: 'body' }));
  }
  try {
    return { value: op.parse(adapter, body, target), bytes };
  } catch (err) {
    throw new UpstreamFailure(
      failure('server_error', `upstream response could not be translated: ${(err as Error).message}`, { status: res.status, phase: 'body' }),
    );
  }
}
