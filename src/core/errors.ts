/**
 * The one list of error codes Switchyard returns. Every error leaves as OpenAI-shaped JSON:
 * {"error":{"message","type","param","code"}}. Codes are stable: clients may branch on them.
 */
export const ERROR_CODES = {
  invalid_json: { status: 400, type: 'invalid_request_error' },
  invalid_request: { status: 400, type: 'invalid_request_error' },
  body_too_large: { status: 413, type: 'invalid_request_error' },
  request_timeout: { status: 408, type: 'invalid_request_error' },
  model_not_found: { status: 404, type: 'invalid_request_error' },
  route_not_found: { status: 404, type: 'invalid_request_error' },
  method_not_allowed: { status: 405, type: 'invalid_request_error' },
  capability_unsupported: { status: 400, type: 'invalid_request_error' },
  no_eligible_target: { status: 400, type: 'invalid_request_error' },
  context_length_exceeded: { status: 400, type: 'invalid_request_error' },
  content_filtered: { status: 400, type: 'invalid_request_error' },
  upstream_bad_request: { status: 400, type: 'invalid_request_error' },
  rate_limited: { status: 429, type: 'rate_limit_error' },
  upstream_overloaded: { status: 503, type: 'api_error' },
  upstream_error: { status: 502, type: 'api_error' },
  upstream_auth: { status: 502, type: 'api_error' },
  upstream_timeout: { status: 504, type: 'api_error' },
  upstream_unreachable: { status: 502, type: 'api_error' },
  stream_interrupted: { status: 502, type: 'api_error' },
  client_closed: { status: 499, type: 'api_error' },
  internal_error: { status: 500, type: 'api_error' },
} as const satisfies Record<string, { status: number; type: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: ErrorCode; attempts?: unknown[] };
}

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly type: string;
  readonly param: string | null;
  /** Extra response headers, e.g. retry-after on 429. */
  readonly headers: Record<string, string>;
  /** Every upstream attempt that led here, when the error ends a failover walk. */
  readonly attempts: unknown[] | undefined;

  constructor(code: ErrorCode, message: string, opts: { param?: string | null; status?: number; headers?: Record<string, string>; attempts?: unknown[] } = {}) {
    super(message);
    this.name = 'GatewayError';
    this.code = code;
    this.status = opts.status ?? ERROR_CODES[code].status;
    this.type = ERROR_CODES[code].type;
    this.param = opts.param ?? null;
    this.headers = opts.headers ?? {};
    this.attempts = opts.attempts;
  }

  toJSON(): ErrorBody {
    const error: ErrorBody['error'] = { message: this.message, type: this.type, param: this.param, code: this.code };
    if (this.attempts) error.attempts = this.attempts;
    return { error };
  }
}

export const invalid = (param: string, message: string): GatewayError => new GatewayError('invalid_request', message, { param });
