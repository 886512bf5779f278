import { describe, expect, it } from 'vitest';
import { errorName, streamFailure } from './errors.js';
import { bedrockAdapter } from './index.js';

const coral = (name: string) => ({ 'x-amzn-errortype': `${name}:http://internal.amazon.com/coral/com.amazon.bedrock/`, 'x-amzn-requestid': 'r-1' });

describe('classifyError', () => {
  it.each([
    [429, 'ThrottlingException', 'Too many requests, please wait before trying again.', 'rate_limited', 'retry'],
    [400, 'ServiceQuotaExceededException', 'Your request exceeds the service quota for your account.', 'rate_limited', 'fallback'],
    [503, 'ServiceUnavailableException', 'Service unavailable.', 'overloaded', 'retry'],
    [429, 'ModelNotReadyException', 'Model is not ready to serve inference requests.', 'overloaded', 'retry'],
    [500, 'InternalServerException', 'Internal server error', 'server_error', 'retry'],
    [408, 'ModelTimeoutException', 'Model has timed out in processing the request.', 'timeout', 'fallback'],
    [403, 'AccessDeniedException', 'You don\u2019t have access to the model with the specified model ID.', 'auth', 'fallback'],
    [403, 'UnrecognizedClientException', 'The security token included in the request is invalid.', 'auth', 'fallback'],
    [404, 'ResourceNotFoundException', 'Could not resolve the foundation model from the provided model identifier.', 'not_found', 'fallback'],
    [400, 'ValidationException', 'Input is too long for requested model.', 'context_length_exceeded', 'fallback'],
    [400, 'ValidationException', 'Malformed input request: #: extraneous key [max_tokens] is not permitted', 'bad_request', 'fatal'],
    [400, 'ValidationException', 'Too many input tokens. Max input tokens: 8192, request input token count: 9001', 'context_length_exceeded', 'fallback'],
    [400, 'ValidationException', "This model's maximum context length is 8192 tokens.", 'context_length_exceeded', 'fallback'],
    [
      400,
      'ValidationException',
      'The model returned the following errors: prompt is too long: 215000 tokens > 200000 maximum',
      'context_length_exceeded',
      'fallback',
    ],
    [400, 'ValidationException', 'A conversation must start with a user message.', 'bad_request', 'fatal'],
  ])('HTTP %i %s → %s', (status, name, message, reason, disposition) => {
    const f = bedrockAdapter.classifyError(status, { message }, coral(name));
    expect(f).toMatchObject({ reason, disposition, message, status, upstreamCode: name, phase: 'headers' });
  });

  it('lets the error name win over the status', () => {
    // Throttling has been seen with a 400 status behind some proxies.
    expect(bedrockAdapter.classifyError(400, { message: 'slow down' }, coral('ThrottlingException')).reason).toBe('rate_limited');
  });

  it('keeps Retry-After and falls back to the status for unnamed errors', () => {
    const f = bedrockAdapter.classifyError(503, '<html>bad gateway</html>', { 'retry-after': '2' });
    expect(f).toMatchObject({ reason: 'overloaded', status: 503, retryAfterMs: 2000 });
    expect(f.upstreamCode).toBeUndefined();
    expect(bedrockAdapter.classifyError(429, { message: 'x' }, { ...coral('ThrottlingException'), 'retry-after': '3' }).retryAfterMs).toBe(3000);
  });

  it('reads the name from __type when the header is missing', () => {
    expect(errorName({}, { __type: 'com.amazon.bedrock#ResourceNotFoundException', message: 'm' })).toBe('ResourceNotFoundException');
    expect(bedrockAdapter.classifyError(400, { __type: 'com.amazon.bedrock#ModelTimeoutException', message: 'm' }, {}).reason).toBe('timeout');
    expect(errorName({ 'x-amzn-errortype': ['AccessDeniedException:http://x/'] }, undefined)).toBe('AccessDeniedException');
  });

  it('keeps guardrail / content filter classifications of validation errors', () => {
    expect(bedrockAdapter.classifyError(400, { message: 'The request was blocked by content filtering policy' }, coral('ValidationException')).reason).toBe(
      'content_filtered',
    );
  });
});

describe('streamFailure', () => {
  it('classifies modelled exceptions by name and unmodelled errors as server errors', () => {
    expect(streamFailure('exception:modelStreamErrorException', '{"message":"The model stream failed","originalStatusCode":424}')).toEqual({
      reason: 'server_error',
      disposition: 'retry',
      message: 'The model stream failed',
      upstreamCode: 'modelStreamErrorException',
      phase: 'stream',
    });
    expect(streamFailure('exception:validationException', '{"message":"Input is too long"}').reason).toBe('context_length_exceeded');
    expect(streamFailure('error:InternalFailure', 'the service broke')).toEqual({
      reason: 'server_error',
      disposition: 'retry',
      message: 'the service broke',
      upstreamCode: 'InternalFailure',
      phase: 'stream',
    });
    expect(streamFailure('exception:brandNewException', 'plain text').message).toBe('plain text');
  });
});
