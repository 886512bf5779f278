import { describe, expect, it } from 'vitest';
import { AttemptLog } from './state.js';

const attempt = {
  time: '2026-01-01T00:00:00.000Z',
  format: 'openai' as const,
  endpoint: 'chat' as const,
  model: 'ok',
  path: '/openai/v1/chat/completions',
  stream: false,
  scenario: 'ok',
  outcome: 'ok' as const,
  status: 200,
  clientClosed: false,
};

describe('AttemptLog request bodies', () => {
  it('records the parsed body of an attempt; an attempt without one has null', () => {
    const log = new AttemptLog();
    const a = log.add(attempt);
    log.add(attempt);
    log.keepRequest(a, { model: 'ok', messages: [] }, 30);
    expect(log.all().map((x) => x.request)).toEqual([{ model: 'ok', messages: [] }, null]);
  });

  it('keeps the bodies within their byte cap by dropping the oldest first', () => {
    const log = new AttemptLog(100);
    const entries = [1, 2, 3].map((n) => {
      const e = log.add(attempt);
      log.keepRequest(e, { n }, 40);
      return e;
    });
    expect(entries.map((e) => e.request)).toEqual([null, { n: 2 }, { n: 3 }]);
    // A body over the whole cap is never kept, and evicts nothing.
    const big = log.add(attempt);
    log.keepRequest(big, { n: 4 }, 101);
    expect(log.all().map((x) => x.request)).toEqual([null, { n: 2 }, { n: 3 }, null]);
  });

  it('clear() forgets the bodies and their bytes', () => {
    const log = new AttemptLog(100);
    log.keepRequest(log.add(attempt), { n: 1 }, 90);
    log.clear();
    const e = log.add(attempt);
    log.keepRequest(e, { n: 2 }, 90);
    expect(e.request).toEqual({ n: 2 });
  });
});
