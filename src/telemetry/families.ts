/**
 * Counters and histograms for the request path, rendered in the Prometheus text format.
 *
 * prom-client (which renders the process metrics beside these) hashes a label set and walks its
 * own structures on every observation; on a gateway that observes five or six times per request
 * that was several microseconds of each one. Here a series is found by a lookup per label value
 * (no string is built) and an observation is a few additions; the text is built only on a scrape.
 */

type Node = Map<string, Node | Series>;

interface Series {
  readonly values: readonly string[];
  value: number;
  /** Histograms: observations per bucket (not cumulative), then the sum. */
  counts?: Float64Array;
  sum?: number;
}

abstract class Family {
  private readonly root: Node = new Map();
  protected readonly all: Series[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}

  /** The series of these label values (in labelNames order), created on first use; no array or string is built to find it. */
  protected find(a: string, b?: string, c?: string, d?: string): Series {
    const n = this.labelNames.length;
    let node = this.root;
    if (n > 1) node = child(node, a);
    if (n > 2) node = child(node, b as string);
    if (n > 3) node = child(node, c as string);
    const last = (n === 1 ? a : n === 2 ? b : n === 3 ? c : d) as string;
    let s = node.get(last) as Series | undefined;
    if (s === undefined) {
      s = this.create([a, b, c, d].slice(0, n) as string[]);
      node.set(last, s);
      this.all.push(s);
    }
    return s;
  }

  protected abstract create(values: string[]): Series;
  abstract render(): string;

  protected header(type: string): string {
    return `# HELP ${this.name} ${this.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${this.name} ${type}\n`;
  }

  protected labels(values: readonly string[], extra = ''): string {
    const parts = values.map((v, i) => `${this.labelNames[i]}="${escapeLabel(v)}"`);
    if (extra) parts.push(extra);
    return parts.length > 0 ? `{${parts.join(',')}}` : '';
  }
}

export class CounterFamily extends Family {
  inc(a: string, b?: string, c?: string, d?: string): void {
    this.find(a, b, c, d).value++;
  }

  protected create(values: string[]): Series {
    return { values, value: 0 };
  }

  render(): string {
    let out = this.header('counter');
    for (const s of this.all) out += `${this.name}${this.labels(s.values)} ${number(s.value)}\n`;
    return out;
  }
}

export class HistogramFamily extends Family {
  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    private readonly buckets: readonly number[],
  ) {
    super(name, help, labelNames);
  }

  observe(v: number, a: string, b?: string, c?: string): void {
    const s = this.find(a, b, c);
    const buckets = this.buckets;
    let i = 0;
    while (i < buckets.length && v > (buckets[i] as number)) i++;
    (s.counts as Float64Array)[i]!++;
    s.sum = (s.sum as number) + v;
    s.value++;
  }

  protected create(values: string[]): Series {
    // One slot per bucket and one for +Inf.
    return { values, value: 0, counts: new Float64Array(this.buckets.length + 1), sum: 0 };
  }

  render(): string {
    let out = this.header('histogram');
    for (const s of this.all) {
      let cumulative = 0;
      const counts = s.counts as Float64Array;
      for (let i = 0; i <= this.buckets.length; i++) {
        cumulative += counts[i] as number;
        const le = i < this.buckets.length ? number(this.buckets[i] as number) : '+Inf';
        out += `${this.name}_bucket${this.labels(s.values, `le="${le}"`)} ${number(cumulative)}\n`;
      }
      out += `${this.name}_sum${this.labels(s.values)} ${number(s.sum as number)}\n`;
      out += `${this.name}_count${this.labels(s.values)} ${number(s.value)}\n`;
    }
    return out;
  }
}

/** A gauge whose series are computed on each scrape. */
export class GaugeFamily extends Family {
  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    private readonly read: () => Iterable<readonly [readonly string[], number]>,
  ) {
    super(name, help, labelNames);
  }

  protected create(values: string[]): Series {
    return { values, value: 0 };
  }

  render(): string {
    let out = this.header('gauge');
    for (const [values, v] of this.read()) out += `${this.name}${this.labels(values)} ${number(v)}\n`;
    return out;
  }
}

function child(node: Node, key: string): Node {
  let next = node.get(key) as Node | undefined;
  if (next === undefined) {
    next = new Map();
    node.set(key, next);
  }
  return next;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function number(v: number): string {
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}
