import { describe, expect, it } from 'vitest';
import { geminiAdapter } from './index.js';

const err = (code: number, status: string, message: string, details: unknown[] = []) => ({ error: { code, message, status, details } });

describe('classifyError', () => {
  it('reads RetryInfo retryDelay for RESOURCE_EXHAUSTED when no header says', () => {
    const body = err(429, 'RESOURCE_EXHAUSTED', 'You exceeded your current quota.', [
      { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaMetric: 'generate_content_free_tier_requests' }] },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '13s' },
    ]);
    expect(geminiAdapter.classifyError(429, body, {})).toEqual({
      reason: 'rate_limited',
      disposition: 'retry',
      message: 'You exceeded your current quota.',
      status: 429,
      upstreamCode: 'RESOURCE_EXHAUSTED',
      retryAfterMs: 13_000,
      phase: 'headers',
    });
  });

  it('prefers a retry-after header over RetryInfo and handles fractional delays', () => {
    const body = [err(429, 'RESOURCE_EXHAUSTED', 'quota', [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '0.5s' }])];
    expect(geminiAdapter.classifyError(429, body, { 'retry-after': '2' }).retryAfterMs).toBe(2000);
    expect(geminiAdapter.classifyError(429, body, {}).retryAfterMs).toBe(500);
  });

  it.each([
    [503, 'UNAVAILABLE', 'overloaded', 'retry'],
    [504, 'DEADLINE_EXCEEDED', 'timeout', 'fallback'],
    [500, 'INTERNAL', 'server_error', 'retry'],
    [403, 'PERMISSION_DENIED', 'auth', 'fallback'],
    [401, 'UNAUTHENTICATED', 'auth', 'fallback'],
    [404, 'NOT_FOUND', 'not_found', 'fallback'],
    [400, 'INVALID_ARGUMENT', 'bad_request', 'fatal'],
    [400, 'FAILED_PRECONDITION', 'bad_request', 'fallback'],
  ])('HTTP %i %s → %s / %s', (status, rpc, reason, disposition) => {
    const f = geminiAdapter.classifyError(status, err(status, rpc, 'something went wrong'), {});
    expect([f.reason, f.disposition, f.upstreamCode]).toEqual([reason, disposition, rpc]);
  });

  it('lets the google.rpc status win over a generic HTTP status', () => {
    const f = geminiAdapter.classifyError(500, [err(500, 'UNAVAILABLE', 'try later')], {});
    expect(f.reason).toBe('overloaded');
  });

  it('spots token-limit and bad-key INVALID_ARGUMENT errors', () => {
    const tooLong = geminiAdapter.classifyError(
      400,
      err(400, 'INVALID_ARGUMENT', 'The input token count (1250000) exceeds the maximum number of tokens allowed (1048576).'),
      {},
    );
    expect([tooLong.reason, tooLong.disposition]).toEqual(['context_length_exceeded', 'fallback']);

    const badKey = geminiAdapter.classifyError(
      400,
      err(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
        { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' },
      ]),
      {},
    );
    expect([badKey.reason, badKey.disposition]).toEqual(['auth', 'fallback']);
  });

  it('falls back to status-only classification for non-JSON bodies', () => {
    const f = geminiAdapter.classifyError(502, '<html>Bad Gateway</html>', {});
    expect([f.reason, f.status, f.message]).toEqual(['server_error', 502, '<html>Bad Gateway</html>']);
  });
});
