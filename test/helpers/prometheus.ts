/** One sample's value from Prometheus text; the labels must match exactly (order-free). Undefined when absent. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1]!, x[2]!] as const).sort(([a], [b]) => a.localeCompare(b));
    if (got.length === want.length && got.every(([k, v], i) => want[i]![0] === k && want[i]![1] === v)) return Number(m[3]);
  }
  return undefined;
}
