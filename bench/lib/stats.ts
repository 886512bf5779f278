/** Small statistics and number formats shared by the load benches. */

/** The median; for an even count, the mean of the two middle values. */
export function median(xs: readonly number[]): number {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The q-quantile of ascending values (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * Several samples of one figure as text: with two samples both values as a range ("7.3–9.5"), as
 * the median otherwise. fmt formats one number; unit goes after (once).
 */
export function spread(xs: readonly number[], fmt: (x: number) => string, unit = ''): string {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return '—';
  if (s.length === 2) {
    const [a, b] = [fmt(s[0]!), fmt(s[1]!)];
    return a === b ? `${a}${unit}` : `${a}–${b}${unit}`;
  }
  return `${fmt(median(s))}${unit}`;
}

/** Requests per second: 950, 9.5k. */
export function rpsText(xs: readonly number[]): string {
  const s = xs.filter((x) => !Number.isNaN(x));
  if (s.length > 0 && s.every((x) => x >= 1000)) return spread(s, (x) => (x / 1000).toFixed(1), 'k');
  return spread(s, (x) => x.toFixed(0));
}

/** Milliseconds with precision that suits their size. */
export function msText(x: number): string {
  if (Number.isNaN(x)) return '—';
  return x < 1 ? x.toFixed(3) : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0);
}

export function passFail(ok: boolean | undefined): string {
  return ok === undefined ? 'n/a' : ok ? 'PASS' : 'FAIL';
}
