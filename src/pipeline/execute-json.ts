import type { Target } from '../config/types.js';
import { GatewayError } from '../errors.js';
import { failure, UpstreamFailure, type Failure } from '../providers/failure.js';
import { adapterFor } from '../providers/registry.js';
import type { ProviderAdapter, UpstreamRequest } from '../providers/types.js';
import { readErrorBody } from '../transport/client.js';
import { failedAttempt, finalError, type AttemptRecord } from './attempts.js';
import { abortError, type ExecContext } from './context.js';
import { describeTarget } from '../config/types.js';

export interface JsonResult<T> {
  value: T;
  target: Target;
  attempts: AttemptRecord[];
}

export interface JsonOperation<T> {
  build(adapter: ProviderAdapter, target: Target): UpstreamRequest;
  parse(adapter: ProviderAdapter, body: unknown, target: Target): T;
}

/**
 * Walks the plan for a request answered with one JSON body (chat without stream, embeddings):
 * the first target that answers wins; each failure is classified and decides whether to go on.
 */
export async function executeJson<T>(ctx: ExecContext, plan: readonly Target[], op: JsonOperation<T>): Promise<JsonResult<T>> {
  const attempts: AttemptRecord[] = [];
  const failures: Failure[] = [];
  for (const target of plan) {
    const started = performance.now();
    const adapter = adapterFor(target.provider.format);
    let f: Failure;
    try {
      const value = await attempt(ctx, adapter, target, op);
      attempts.push({ target: describeTarget(target), outcome: 'ok', status: 200, duration_ms: Math.round(performance.now() - started) });
      return { value, target, attempts };
    } catch (err) {
      if (ctx.signal.aborted) {
        attempts.push({ target: describeTarget(target), outcome: 'aborted', duration_ms: Math.round(performance.now() - started) });
        throw abortError(ctx.signal, attempts);
      }
      f = toFailure(err);
    }
    failures.push(f);
    attempts.push(failedAttempt(target, f, started));
    if (f.disposition === 'fatal') break;
  }
  throw finalError(failures, attempts);
}

async function attempt<T>(ctx: ExecContext, adapter: ProviderAdapter, target: Target, op: JsonOperation<T>): Promise<T> {
  const req = op.build(adapter, target);
  const res = await ctx.transport.send(target.provider, req, { signal: ctx.signal });
  if (res.status >= 400) {
    const body = await readErrorBody(res.body);
    throw new UpstreamFailure(adapter.classifyError(res.status, body, res.headers));
  }
  let body: unknown;
  try {
    body = await res.body.json();
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    throw new UpstreamFailure(failure('server_error', `upstream sent an unreadable body: ${(err as Error).message}`, { status: res.status, phase: 'body' }));
  }
  try {
    return op.parse(adapter, body, target);
  } catch (err) {
    throw new UpstreamFailure(failure('server_error', `upstream response could not be translated: ${(err as Error).message}`, { status: res.status, phase: 'body' }));
  }
}

/**
 * Any error of an attempt as a classified failure. A GatewayError thrown while building means this
 * target cannot carry the request (e.g. an unsupported content type): another target may.
 */
export function toFailure(err: unknown): Failure {
  if (err instanceof UpstreamFailure) return err.failure;
  if (err instanceof GatewayError) {
    return { ...failure('bad_request', err.message, { disposition: 'fallback', phase: 'connect' }), local: { code: err.code, param: err.param } };
  }
  return failure('server_error', err instanceof Error ? err.message : String(err), { phase: 'connect' });
}
