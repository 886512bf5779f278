import { describe, expect, it } from 'vitest';
import { closest, didYouMean, editDistance } from './suggest.js';

describe('editDistance', () => {
  it.each([
    ['port', 'port', 0],
    ['prot', 'port', 1],
    ['hots', 'host', 1],
    ['base_ur', 'base_url', 1],
    ['apikey', 'api_key', 1],
    ['', 'abc', 3],
    ['timeout', 'timeouts', 1],
    ['kitten', 'sitting', 3],
  ])('%s → %s = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });
});

describe('closest', () => {
  const keys = ['host', 'port', 'max_body_bytes', 'request_timeout_ms'];
  it('suggests within distance 2 and nothing beyond', () => {
    expect(closest('prot', keys)).toBe('port');
    expect(closest('max_body_byte', keys)).toBe('max_body_bytes');
    expect(closest('listen', keys)).toBeUndefined();
  });
  it('is case-insensitive and silent on an exact match', () => {
    expect(closest('PORT', keys)).toBe('port');
    expect(didYouMean('port', keys)).toBe('');
    expect(didYouMean('prot', keys)).toBe(' (did you mean "port"?)');
  });
});
