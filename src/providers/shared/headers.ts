import type { ProviderConfig } from '../../config/types.js';

type HeaderSet = Readonly<Record<string, string>>;

const built = new WeakMap<ProviderConfig, Map<HeaderSet, HeaderSet>>();

/**
 * The headers of a request to `provider`: the wire format's `base` with the provider's configured
 * headers on top (configured headers win; their names are lower-cased at compile time). Built once
 * per provider and base and frozen, so the hot path allocates nothing; transport adds credentials
 * to a copy, never to this object.
 */
export function requestHeaders(provider: ProviderConfig, base: HeaderSet): HeaderSet {
  let byBase = built.get(provider);
  if (!byBase) {
    byBase = new Map();
    built.set(provider, byBase);
  }
  let headers = byBase.get(base);
  if (!headers) {
    headers = Object.freeze(Object.assign({}, base, provider.headers));
    byBase.set(base, headers);
  }
  return headers;
}
