import { describe, expect, it } from 'vitest';
import { compile } from '../config/compile.js';
import type { Target } from '../config/types.js';
import { GatewayError } from '../core/errors.js';
import { failure, UpstreamFailure } from '../core/failure.js';
import { REDACTED, Redactor } from '../core/redact.js';
import { toUpstreamFailure } from '../transport/client.js';
import { type AttemptRecord, type FailureScope, failedAttempt, finalError, toFailure } from './attempts.js';

const KEY = 'sk-live-key-for-attempts-test-0001';
const config = compile(
  {
    providers: {
      acme: { format: 'openai', base_url: 'http://127.0.0.1:1/v1', api_key: '${ACME_KEY}' },
      other: { format: 'anthropic', base_url: 'http://127.0.0.1:2', api_key: '${OTHER_KEY}' },
    },
    models: { m: { targets: ['acme/gpt-x', 'other/claude-x'] } },
  },
  { env: { ACME_KEY: KEY, OTHER_KEY: 'other-key-0002' }, source: 'test' },
);
const [acme, other] = config.models.get('m')!.targets as [Target, Target];

function scope(): FailureScope & { lines: { event: string; fields: Record<string, unknown> }[] } {
  const lines: { event: string; fields: Record<string, unknown> }[] = [];
  return { redact: new Redactor([KEY, 'other-key-0002']), log: (event, fields) => lines.push({ event, fields }), lines };
}

const upstream = (reason: Parameters<typeof failure>[0], message: string, extra: Parameters<typeof failure>[2] = {}): UpstreamFailure =>
  new UpstreamFailure(failure(reason, message, extra));

describe('toFailure: what upstream text the client may see', () => {
  it('reports a refused key by provider, status and code only; the upstream text goes to the log', () => {
    const s = scope();
    const f = toFailure(upstream('auth', `Incorrect API key provided: Bearer ${KEY}`, { status: 401, upstreamCode: 'invalid_api_key' }), acme, s);
    expect(f.message).toBe("provider acme refused the gateway's credentials (HTTP 401, invalid_api_key)");
    expect(f).toMatchObject({ reason: 'auth', status: 401, target: 'acme/gpt-x' });
    expect(s.lines).toEqual([
      { event: 'upstream_failure', fields: { target: 'acme/gpt-x', reason: 'auth', status: 401, detail: `Incorrect API key provided: Bearer ${KEY}` } },
    ]);
  });

  it('leaves out a provider code that is free text rather than an identifier', () => {
    const f = toFailure(upstream('auth', 'denied', { status: 403, upstreamCode: `key ${KEY} is revoked` }), acme, scope());
    expect(f.message).toBe("provider acme refused the gateway's credentials (HTTP 403)");
    const inBand = toFailure(upstream('auth', 'denied', { upstreamCode: 'authentication_error', phase: 'stream' }), other, scope());
    expect(inBand.message).toBe("provider other refused the gateway's credentials (authentication_error)");
  });

  it('keeps other upstream messages, with configured secrets and credential-shaped text redacted', () => {
    const f = toFailure(upstream('rate_limited', `Rate limit for ${KEY}; headers {"x-api-key":"anything"}`, { status: 429 }), acme, scope());
    expect(f.message).toBe(`Rate limit for ${REDACTED}; headers {"x-api-key":"${REDACTED}"}`);
  });

  it('reports a socket error by what happened and its code; the address stays in the log', () => {
    const s = scope();
    const err = Object.assign(new Error('connect ECONNREFUSED 10.20.30.40:8443'), { code: 'ECONNREFUSED' });
    const f = toFailure(toUpstreamFailure(err, 'connect'), acme, s);
    expect(f.message).toBe('connection refused before any response (ECONNREFUSED)');
    expect(f.detail).toBeUndefined();
    expect(s.lines[0]?.fields.detail).toBe('ECONNREFUSED: connect ECONNREFUSED 10.20.30.40:8443 (before any response)');
  });

  it.each([
    ['ENOTFOUND', 'getaddrinfo ENOTFOUND llm-gpu-07.internal.example', 'DNS lookup failed before any response (ENOTFOUND)'],
    ['EAI_AGAIN', 'getaddrinfo EAI_AGAIN llm-gpu-07.internal.example', 'DNS lookup failed before any response (EAI_AGAIN)'],
    [
      'ERR_TLS_CERT_ALTNAME_INVALID',
      "Hostname/IP does not match certificate's altnames: Host: llm-gpu-07.internal.",
      'TLS handshake failed before any response (ERR_TLS_CERT_ALTNAME_INVALID)',
    ],
    ['', 'connect ENOENT /var/run/llm.sock', 'connection failed before any response'],
  ])('%s: no host, address or path reaches the client', (code, message, expected) => {
    const err = Object.assign(new Error(message), code ? { code } : {});
    const f = toFailure(toUpstreamFailure(err, 'connect'), acme, scope());
    expect(f.message).toBe(expected);
    expect(f.message).not.toMatch(/internal|\/var|10\./);
  });

  it('says where a connection died after the response started', () => {
    const err = Object.assign(new Error('other side closed - local: 127.0.0.1:5000, remote: 10.1.1.1:443'), { code: 'UND_ERR_SOCKET' });
    expect(toFailure(toUpstreamFailure(err, 'stream'), acme, scope()).message).toBe('connection closed by the upstream mid-stream (UND_ERR_SOCKET)');
  });

  it("makes an unexpected error inside an attempt the gateway's own (internal, fatal, never the provider's); its text goes to the log only", () => {
    const s = scope();
    const f = toFailure(new TypeError("Cannot read properties of undefined (reading 'path') at /srv/switchyard/dist/x.js"), acme, s);
    expect(f).toMatchObject({ reason: 'internal', disposition: 'fatal', phase: 'local', local: { code: 'internal_error', param: null } });
    expect(f.message).toBe('unexpected TypeError in the gateway; the log has it under the request id in x-switchyard-request-id');
    expect(f.detail).toBeUndefined();
    expect(s.lines[0]?.event).toBe('internal_error');
    expect(String(s.lines[0]?.fields.error)).toContain('/srv/switchyard');
  });

  it("passes the gateway's own refusal through unchanged", () => {
    const f = toFailure(new GatewayError('capability_unsupported', 'Anthropic returns one choice per request; n must be 1.', { param: 'n' }), other, scope());
    expect(f.message).toBe('Anthropic returns one choice per request; n must be 1.');
    expect(f.local).toEqual({ code: 'capability_unsupported', param: 'n' });
  });
});

describe('finalError', () => {
  it('names the target of the most relevant failure when several were tried', () => {
    const s = scope();
    const a = toFailure(upstream('server_error', 'boom', { status: 500 }), acme, s);
    const b = toFailure(upstream('rate_limited', 'slow down', { status: 429 }), other, s);
    const attempts: AttemptRecord[] = [failedAttempt(acme, a, 0, 1), failedAttempt(other, b, 1, 2)];
    const err = finalError([a, b], attempts);
    expect(err.message).toBe('All 2 attempts failed; most relevant: other/claude-x (HTTP 429): slow down');
    expect(err.code).toBe('rate_limited');
  });
});
