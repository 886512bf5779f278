import { describe, expect, it } from 'vitest';
import { CounterFamily, GaugeFamily, HistogramFamily } from './families.js';

describe('metric families in the Prometheus text format', () => {
  it('renders counters per label set, with label values escaped', () => {
    const c = new CounterFamily('x_total', 'Things.\nCounted \\ here.', ['a', 'b']);
    c.inc('one', 'two');
    c.inc('one', 'two');
    c.inc('q"uo\\te', 'new\nline');
    expect(c.render()).toBe(
      '# HELP x_total Things.\\nCounted \\\\ here.\n# TYPE x_total counter\n' + 'x_total{a="one",b="two"} 2\n' + 'x_total{a="q\\"uo\\\\te",b="new\\nline"} 1\n',
    );
  });

  it('keeps label sets apart however their values could be joined', () => {
    const c = new CounterFamily('y_total', 'h', ['a', 'b']);
    c.inc('a\u0001b', 'c');
    c.inc('a', 'b\u0001c');
    expect(
      c
        .render()
        .split('\n')
        .filter((l) => l.startsWith('y_total{')),
    ).toHaveLength(2);
  });

  it('renders histograms with cumulative buckets, +Inf, sum and count; a value on a bound falls in that bucket', () => {
    const h = new HistogramFamily('d_seconds', 'Durations.', ['route'], [0.1, 1]);
    h.observe(0.05, 'r');
    h.observe(0.1, 'r');
    h.observe(0.5, 'r');
    h.observe(7, 'r');
    expect(h.render()).toBe(
      '# HELP d_seconds Durations.\n# TYPE d_seconds histogram\n' +
        'd_seconds_bucket{route="r",le="0.1"} 2\n' +
        'd_seconds_bucket{route="r",le="1"} 3\n' +
        'd_seconds_bucket{route="r",le="+Inf"} 4\n' +
        'd_seconds_sum{route="r"} 7.65\n' +
        'd_seconds_count{route="r"} 4\n',
    );
  });

  it('renders one to four labels and gauges read at scrape time', () => {
    const one = new CounterFamily('one_total', 'h', ['a']);
    one.inc('x');
    const four = new CounterFamily('four_total', 'h', ['a', 'b', 'c', 'd']);
    four.inc('1', '2', '3', '4');
    four.inc('1', '2', '3', '5');
    expect(one.render()).toContain('one_total{a="x"} 1\n');
    expect(four.render()).toContain('four_total{a="1",b="2",c="3",d="4"} 1\nfour_total{a="1",b="2",c="3",d="5"} 1\n');
    let v = 1;
    const g = new GaugeFamily('g', 'h', ['t'], () => [[['x'], v]]);
    expect(g.render()).toContain('g{t="x"} 1\n');
    v = 2;
    expect(g.render()).toContain('g{t="x"} 2\n');
  });
});
