import { describe, expect, it } from 'vitest';
import { DEFAULT_WINDOW, SlidingWindow } from './window.js';

describe('SlidingWindow', () => {
  it('defaults to 60 s in 10 buckets of 6 s', () => {
    const w = new SlidingWindow();
    expect(DEFAULT_WINDOW).toEqual({ windowMs: 60_000, buckets: 10 });
    expect([w.windowMs, w.buckets, w.bucketMs]).toEqual([60_000, 10, 6_000]);
  });

  it('counts successes and failures', () => {
    const w = new SlidingWindow();
    w.record(true, 1_000);
    w.record(false, 2_000);
    w.record(false, 13_000);
    w.record(true, 59_000);
    expect(w.counts(59_000)).toEqual({ total: 4, failures: 2 });
  });

  it('starts empty', () => {
    expect(new SlidingWindow().counts(123_456)).toEqual({ total: 0, failures: 0 });
  });

  it('expires a bucket exactly when the window has moved past it', () => {
    const w = new SlidingWindow(); // bucket 0 = [0, 6000), bucket 1 = [6000, 12000)
    w.record(false, 0);
    w.record(false, 5_999);
    w.record(true, 6_000);
    expect(w.counts(59_999)).toEqual({ total: 3, failures: 2 });
    // At 60 000 the window is buckets 1..10: bucket 0 has gone, whole, at this very millisecond.
    expect(w.counts(60_000)).toEqual({ total: 1, failures: 0 });
    expect(w.counts(65_999)).toEqual({ total: 1, failures: 0 });
    expect(w.counts(66_000)).toEqual({ total: 0, failures: 0 });
  });

  it('ages out one bucket at a time as time slides', () => {
    const w = new SlidingWindow({ windowMs: 1_000, buckets: 4 }); // 250 ms buckets
    w.record(false, 100); // bucket 0
    w.record(false, 300); // bucket 1
    w.record(true, 600); // bucket 2
    w.record(true, 900); // bucket 3
    expect(w.counts(999)).toEqual({ total: 4, failures: 2 });
    expect(w.counts(1_000)).toEqual({ total: 3, failures: 1 });
    expect(w.counts(1_250)).toEqual({ total: 2, failures: 0 });
    expect(w.counts(1_500)).toEqual({ total: 1, failures: 0 });
    expect(w.counts(1_750)).toEqual({ total: 0, failures: 0 });
  });

  it('reuses a slot without carrying over the counts of the bucket it held before', () => {
    const w = new SlidingWindow({ windowMs: 1_000, buckets: 4 });
    w.record(false, 0);
    w.record(false, 10);
    // 1000 maps to the same ring slot as 0 (bucket 4 vs bucket 0).
    w.record(true, 1_000);
    expect(w.counts(1_000)).toEqual({ total: 1, failures: 0 });
  });

  it('forgets everything after a long idle period', () => {
    const w = new SlidingWindow();
    for (let t = 0; t < 60_000; t += 1_000) w.record(false, t);
    expect(w.counts(59_999)).toEqual({ total: 60, failures: 60 });
    expect(w.counts(10_000_000)).toEqual({ total: 0, failures: 0 });
    w.record(true, 10_000_000);
    expect(w.counts(10_000_000)).toEqual({ total: 1, failures: 0 });
  });

  it('counts a burst of 100 000 records within one window exactly', () => {
    const w = new SlidingWindow({ windowMs: 1_000, buckets: 4 });
    for (let i = 0; i < 100_000; i++) w.record(i % 4 !== 0, i % 1_000);
    expect(w.counts(999)).toEqual({ total: 100_000, failures: 25_000 });
  });

  it('treats a clock that steps backwards as the newest time seen', () => {
    const w = new SlidingWindow({ windowMs: 1_000, buckets: 4 });
    w.record(false, 1_100); // bucket 4, same slot as bucket 0
    w.record(false, 50); // clock stepped back: counted in bucket 4, not written over it
    expect(w.counts(1_100)).toEqual({ total: 2, failures: 2 });
    // Asking with an old time neither resurrects nor hides anything.
    expect(w.counts(0)).toEqual({ total: 2, failures: 2 });
    expect(w.counts(2_000)).toEqual({ total: 0, failures: 0 });
  });

  it('reset() empties the window', () => {
    const w = new SlidingWindow();
    w.record(false, 1_000);
    w.reset();
    expect(w.counts(1_000)).toEqual({ total: 0, failures: 0 });
    w.record(true, 1_000);
    expect(w.counts(1_000)).toEqual({ total: 1, failures: 0 });
  });

  it('rejects options that would make bucket boundaries inexact or empty', () => {
    expect(() => new SlidingWindow({ windowMs: 1_000, buckets: 3 })).toThrow(RangeError);
    expect(() => new SlidingWindow({ buckets: 0 })).toThrow(RangeError);
    expect(() => new SlidingWindow({ buckets: 2.5 })).toThrow(RangeError);
    expect(() => new SlidingWindow({ windowMs: 0 })).toThrow(RangeError);
    expect(() => new SlidingWindow({ windowMs: 5, buckets: 10 })).toThrow(RangeError);
    expect(() => new SlidingWindow({ windowMs: 10, buckets: 10 })).not.toThrow();
  });
});
