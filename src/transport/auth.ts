import type { ProviderAuth } from '../config/types.js';
import type { UpstreamRequest } from '../providers/types.js';

// Loaded on first use: the AWS signing libraries cost ~10 MB of memory a gateway without Bedrock never needs.
let sigv4: Promise<typeof import('./sigv4.js')> | undefined;

/**
 * Adds the provider's credentials to an upstream request. Adapters build requests without secrets;
 * this is the one place a key is attached, so nothing upstream of it can leak one.
 */
export async function withAuth(req: UpstreamRequest, auth: ProviderAuth): Promise<Record<string, string>> {
  switch (auth.type) {
    case 'none':
      return req.headers;
    case 'bearer':
      return { ...req.headers, authorization: `Bearer ${auth.key}` };
    case 'header':
      return { ...req.headers, [auth.name]: auth.key };
    case 'sigv4':
      sigv4 ??= import('./sigv4.js');
      return (await sigv4).signSigV4(req, auth);
  }
}

/** Synchronous path for the common case; `undefined` when signing (async) is required. */
export function withAuthSync(req: UpstreamRequest, auth: ProviderAuth): Record<string, string> | undefined {
  if (auth.type === 'sigv4') return undefined;
  if (auth.type === 'none') return req.headers;
  req.headers[auth.type === 'bearer' ? 'authorization' : auth.name] = auth.type === 'bearer' ? `Bearer ${auth.key}` : auth.key;
  return req.headers;
}
