import { describe, expect, it, vi } from 'vitest';
import { InFlightLimiter } from './limiter.js';

const never = (): (() => void) => () => {};

describe('InFlightLimiter', () => {
  it('admits up to the cap, queues FIFO, hands a released slot to the longest waiter', async () => {
    const l = new InFlightLimiter({ maxInFlight: 2, queueSize: 2, queueTimeoutMs: 10_000 });
    expect(await l.acquire(never)).toBe(true);
    expect(await l.acquire(never)).toBe(true);
    const order: string[] = [];
    const a = l.acquire(never).then((ok) => order.push(`a:${ok}`));
    const b = l.acquire(never).then((ok) => order.push(`b:${ok}`));
    expect(await l.acquire(never)).toBe(false); // queue full: turned away at once
    expect(l.waiting).toBe(2);
    l.release();
    await a;
    l.release();
    await b;
    expect(order).toEqual(['a:true', 'b:true']);
    expect(l.active).toBe(2); // the slots were handed over, not freed
    l.release();
    l.release();
    expect(l.active).toBe(0);
  });

  it('a waiter gives up at the queue timeout, and when its request goes away', async () => {
    vi.useFakeTimers();
    try {
      const l = new InFlightLimiter({ maxInFlight: 1, queueSize: 5, queueTimeoutMs: 500 });
      expect(l.tryAcquire()).toBe(true);
      expect(l.tryAcquire()).toBe(false);
      const timedOut = l.acquire(never);
      let abort = (): void => {};
      const aborted = l.acquire((fn) => {
        abort = fn;
        return () => {};
      });
      abort();
      expect(await aborted).toBe(false);
      await vi.advanceTimersByTimeAsync(499);
      expect(l.waiting).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(await timedOut).toBe(false);
      expect(l.waiting).toBe(0);
      l.release();
      expect(l.active).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
