/**
 * The compiled config is shared by every request for the life of the process; freezing it turns an
 * accidental write on the request path into an immediate TypeError instead of cross-request state.
 * Object.freeze does not stop Map.set/Set.add, so those are replaced on the instance.
 */

function refuse(): never {
  throw new TypeError('the compiled configuration is read-only');
}

export function frozenMap<K, V>(entries: Iterable<readonly [K, V]>): ReadonlyMap<K, V> {
  const map = new Map<K, V>(entries);
  Object.defineProperties(map, { set: { value: refuse }, delete: { value: refuse }, clear: { value: refuse } });
  return Object.freeze(map);
}

export function frozenSet<T>(values: Iterable<T>): ReadonlySet<T> {
  const set = new Set<T>(values);
  Object.defineProperties(set, { add: { value: refuse }, delete: { value: refuse }, clear: { value: refuse } });
  return Object.freeze(set);
}
