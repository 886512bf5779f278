import type { AnthropicErrorBody, AnthropicErrorType } from '../../api/anthropic.js';
import type { ErrorCode, GatewayError } from '../../core/errors.js';
import type { AnthropicSSE } from './types.js';

/** Each Switchyard error code in Anthropic's vocabulary, so SDKs raise their matching error class. */
const TYPE_OF: Readonly<Record<ErrorCode, AnthropicErrorType>> = {
  invalid_json: 'invalid_request_error',
  invalid_request: 'invalid_request_error',
  body_too_large: 'request_too_large',
  request_timeout: 'timeout_error',
  model_not_found: 'not_found_error',
  route_not_found: 'not_found_error',
  method_not_allowed: 'invalid_request_error',
  capability_unsupported: 'invalid_request_error',
  no_eligible_target: 'invalid_request_error',
  context_length_exceeded: 'invalid_request_error',
  content_filtered: 'invalid_request_error',
  upstream_bad_request: 'invalid_request_error',
  rate_limited: 'rate_limit_error',
  upstream_overloaded: 'overloaded_error',
  upstream_error: 'api_error',
  upstream_auth: 'api_error',
  upstream_timeout: 'timeout_error',
  upstream_unreachable: 'api_error',
  stream_interrupted: 'api_error',
  client_closed: 'api_error',
  internal_error: 'api_error',
};

export function anthropicErrorType(code: ErrorCode): AnthropicErrorType {
  return TYPE_OF[code];
}

/**
 * A GatewayError as Anthropic's error JSON, sent with `err.status`. The parameter, when there is
 * one, is named in the message because Anthropic's error object has no `param` field.
 */
export function toAnthropicErrorBody(err: GatewayError): AnthropicErrorBody {
  const message = err.param && !err.message.startsWith(err.param) ? `${err.param}: ${err.message}` : err.message;
  return { type: 'error', error: { type: anthropicErrorType(err.code), message } };
}

/** The in-band `event: error` for a failure after the stream has started. */
export function errorEvent(err: GatewayError): AnthropicSSE {
  return { event: 'error', data: { ...toAnthropicErrorBody(err) } };
}

/** One event in SSE wire form. */
export function encodeAnthropicSSE(e: AnthropicSSE): string {
  return `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`;
}
