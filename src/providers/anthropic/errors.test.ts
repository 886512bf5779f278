import { describe, expect, it } from 'vitest';
import { anthropicAdapter, PREFILL_UNSUPPORTED } from './index.js';

const body = (type: string, message: string) => ({ type: 'error', error: { type, message }, request_id: 'req_011' });

describe('anthropic classifyError', () => {
  it.each([
    [529, 'overloaded_error', 'Overloaded', 'overloaded', 'retry'],
    [429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit', 'rate_limited', 'retry'],
    [401, 'authentication_error', 'invalid x-api-key', 'auth', 'fallback'],
    [403, 'permission_error', 'Your API key does not have permission', 'auth', 'fallback'],
    [404, 'not_found_error', 'model: claude-nope', 'not_found', 'fallback'],
    [500, 'api_error', 'Internal server error', 'server_error', 'retry'],
    [400, 'invalid_request_error', 'messages.0.content: field required', 'bad_request', 'fatal'],
    [413, 'request_too_large', 'Request exceeds the maximum allowed number of bytes.', 'context_length_exceeded', 'fallback'],
  ])('HTTP %i %s → %s', (status, type, message, reason, disposition) => {
    const f = anthropicAdapter.classifyError(status, body(type, message), {});
    expect(f).toMatchObject({ reason, disposition, status, upstreamCode: type, message, phase: 'headers' });
  });

  it('recognises a too-long prompt as context_length_exceeded', () => {
    const f = anthropicAdapter.classifyError(400, body('invalid_request_error', 'prompt is too long: 208310 tokens > 200000 maximum'), {});
    expect(f).toMatchObject({ reason: 'context_length_exceeded', disposition: 'fallback', upstreamCode: 'invalid_request_error' });
  });

  it('marks a rejected prefill as prefill_unsupported so another target can be tried', () => {
    const f = anthropicAdapter.classifyError(
      400,
      body('invalid_request_error', 'This model does not support assistant message prefill. The conversation must end with a user message.'),
      {},
    );
    expect(f).toMatchObject({ reason: 'bad_request', upstreamCode: PREFILL_UNSUPPORTED, disposition: 'fallback' });
  });

  it('reads retry-after on rate limits', () => {
    const f = anthropicAdapter.classifyError(429, body('rate_limit_error', 'slow down'), { 'retry-after': '7' });
    expect(f.retryAfterMs).toBe(7000);
  });

  it('classifies a non-JSON body by status alone', () => {
    const f = anthropicAdapter.classifyError(502, '<html>Bad Gateway</html>', {});
    expect(f).toMatchObject({ reason: 'server_error', disposition: 'retry', status: 502 });
    expect(f.upstreamCode).toBeUndefined();
  });
});
