import { describe, expect, it } from 'vitest';
import { tokenCount, usageWithCache } from './usage.js';

describe('usageWithCache', () => {
  it('adds cache reads and writes back into prompt_tokens', () => {
    expect(usageWithCache(10, 5, 100, 30)).toEqual({
      prompt_tokens: 140,
      completion_tokens: 5,
      total_tokens: 145,
      prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 30 },
    });
  });

  it('reports details only for the counters the provider reported', () => {
    expect(usageWithCache(10, 5, undefined, undefined)).toEqual({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
    expect(usageWithCache(10, 5, undefined, 3).prompt_tokens_details).toEqual({ cached_tokens: 0, cache_write_tokens: 3 });
  });

  it('counts missing or odd counters as 0', () => {
    expect([tokenCount(undefined), tokenCount(null), tokenCount('3'), tokenCount(Number.NaN), tokenCount(7)]).toEqual([0, 0, 0, 0, 7]);
  });
});
