import { UpstreamFailure } from '../core/failure.js';
import { applySharedRules } from '../providers/failure.js';
import type { ProviderAdapter } from '../providers/types.js';
import { readErrorBody, type UpstreamResponse } from '../transport/client.js';

/**
 * A non-2xx response as a classified failure: the adapter's classification, then the rules every
 * wire format shares.
 */
export async function responseFailure(adapter: ProviderAdapter, res: UpstreamResponse): Promise<UpstreamFailure> {
  const body = await readErrorBody(res);
  return new UpstreamFailure(applySharedRules(adapter.classifyError(res.status, body, res.headers)));
}
