import type { ProviderAuth } from '../config/types.js';
import type { UpstreamRequest } from '../core/upstream.js';

// Loaded on first use: the AWS signing libraries cost ~10 MB of memory a gateway without Bedrock never needs.
let sigv4: Promise<typeof import('./sigv4.js')> | undefined;

type HeaderSet = Readonly<Record<string, string>>;

/** Headers with a provider's static credential added, per adapter header set and credential: built once, then shared (both are frozen). */
const keyed = new WeakMap<HeaderSet, WeakMap<ProviderAuth, HeaderSet>>();

function withKey(headers: HeaderSet, auth: ProviderAuth & { type: 'bearer' | 'header' }): HeaderSet {
  let byAuth = keyed.get(headers);
  if (byAuth === undefined) {
    byAuth = new WeakMap();
    keyed.set(headers, byAuth);
  }
  let out = byAuth.get(auth);
  if (out === undefined) {
    const [name, value] = auth.type === 'bearer' ? ['authorization', `Bearer ${auth.key}`] : [auth.name, auth.key];
    out = Object.freeze(Object.assign({}, headers, { [name]: value }));
    byAuth.set(auth, out);
  }
  return out;
}

/**
 * The request's headers with the provider's credentials added. Adapters build requests without
 * secrets; this is the one place a key is attached, so nothing upstream of it can leak one. Only
 * SigV4 signing is asynchronous (and per request); key-based auth stays synchronous on the hot
 * path and allocates nothing after the first request.
 */
export function authHeaders(req: UpstreamRequest, auth: ProviderAuth): HeaderSet | Promise<HeaderSet> {
  switch (auth.type) {
    case 'none':
      return req.headers;
    case 'bearer':
    case 'header':
      return withKey(req.headers, auth);
    case 'sigv4':
      sigv4 ??= import('./sigv4.js');
      return sigv4.then((m) => m.signSigV4(req, auth));
  }
}
