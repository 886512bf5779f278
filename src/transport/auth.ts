import type { ProviderAuth } from '../config/types.js';
import type { UpstreamRequest } from '../core/upstream.js';

// Loaded on first use: the AWS signing libraries cost ~10 MB of memory a gateway without Bedrock never needs.
let sigv4: Promise<typeof import('./sigv4.js')> | undefined;

type HeaderSet = Readonly<Record<string, string>>;

/** Headers with a static credential added, per adapter header set: built once, then shared (both are frozen). */
const keyed = new WeakMap<HeaderSet, HeaderSet>();

function withKey(headers: HeaderSet, name: string, value: string): HeaderSet {
  let out = keyed.get(headers);
  if (out === undefined || out[name] !== value) {
    out = Object.freeze(Object.assign({}, headers, { [name]: value }));
    keyed.set(headers, out);
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
      return withKey(req.headers, 'authorization', `Bearer ${auth.key}`);
    case 'header':
      return withKey(req.headers, auth.name, auth.key);
    case 'sigv4':
      sigv4 ??= import('./sigv4.js');
      return sigv4.then((m) => m.signSigV4(req, auth));
  }
}
