import type { ProviderAuth } from '../config/types.js';
import type { UpstreamRequest } from '../core/upstream.js';

// Loaded on first use: the AWS signing libraries cost ~10 MB of memory a gateway without Bedrock never needs.
let sigv4: Promise<typeof import('./sigv4.js')> | undefined;

/**
 * The request's headers with the provider's credentials added. Adapters build requests without
 * secrets; this is the one place a key is attached, so nothing upstream of it can leak one. Only
 * SigV4 signing is asynchronous; key-based auth stays synchronous on the hot path.
 */
export function authHeaders(req: UpstreamRequest, auth: ProviderAuth): Record<string, string> | Promise<Record<string, string>> {
  switch (auth.type) {
    case 'none':
      return req.headers;
    case 'bearer':
      req.headers.authorization = `Bearer ${auth.key}`;
      return req.headers;
    case 'header':
      req.headers[auth.name] = auth.key;
      return req.headers;
    case 'sigv4':
      sigv4 ??= import('./sigv4.js');
      return sigv4.then((m) => m.signSigV4(req, auth));
  }
}
