import { describe, expect, it } from 'vitest';
import { compile } from '../config/compile.js';
import { configuredSecrets, redactorFor } from '../config/secrets.js';
import { REDACTED, Redactor, redactingLogger } from './redact.js';

const OPENAI = 'sk-proj-Xq7ZuT0aLk93hHc2bWm4';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';

describe('Redactor patterns (no configured secrets)', () => {
  const r = new Redactor();

  it.each([
    ['Incorrect API key provided: sk-abcdefghijklmnop1234.', `Incorrect API key provided: ${REDACTED}.`],
    ['key sk-ant-api03-AbCdEf_gh-IjKlMnOp rejected', `key ${REDACTED} rejected`],
    ['https://x/v1beta/models/m:generateContent?key=AIzaSyA1234567890abcdefghijklmnopqrs', `https://x/v1beta/models/m:generateContent?key=${REDACTED}`],
    ['The security token for AKIAIOSFODNN7EXAMPLE is invalid', `The security token for ${REDACTED} is invalid`],
    ['temporary ASIAIOSFODNN7EXAMPLE expired', `temporary ${REDACTED} expired`],
    ['got Bearer abc.def-ghi_jkl~mno', `got Bearer ${REDACTED}`],
    [
      'Authorization: AWS4-HMAC-SHA256 Credential=AKIDX/20250101/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=9f1c0a',
      `Authorization: ${REDACTED}, SignedHeaders=host;x-amz-date, Signature=${REDACTED}`,
    ],
    ['?X-Amz-Credential=AKIDX%2F2025&X-Amz-Signature=deadbeef&x=1', `?X-Amz-Credential=${REDACTED}&X-Amz-Signature=${REDACTED}&x=1`],
  ])('%s', (input, expected) => {
    expect(r.text(input)).toBe(expected);
  });

  it('replaces the value of every credential header, however the headers were printed', () => {
    const headers = { authorization: 'Basic dXNlcjpwYXNz', 'x-api-key': 'k1', 'api-key': 'k2', 'x-goog-api-key': 'k3', 'x-amz-security-token': 'k4' };
    const asJson = JSON.stringify(headers);
    const out = r.text(`received ${asJson}`);
    for (const v of Object.values(headers)) expect(out).not.toContain(v);
    expect(out).toContain(`"x-api-key":"${REDACTED}"`);
    // Quoted once more (a JSON document inside a JSON string), as a Node inspect dump, as raw HTTP.
    expect(r.text(JSON.stringify(asJson))).not.toMatch(/dXNlcjpwYXNz|k[1-4]\\/);
    expect(r.text("{ 'x-api-key': 'short1', host: 'h' }")).toBe(`{ 'x-api-key': '${REDACTED}', host: 'h' }`);
    expect(r.text('Authorization: Bearer tok3n\r\nHost: h')).toBe(`Authorization: ${REDACTED}\r\nHost: h`);
    expect(r.text('X-Goog-Api-Key=zz&alt=sse')).toBe(`X-Goog-Api-Key=${REDACTED}&alt=sse`);
  });

  it('leaves ordinary error text alone', () => {
    for (const text of [
      'Rate limit reached for gpt-4o in organization org-123 on tokens per min (TPM): Limit 30000',
      'The model `desk-top-model` does not exist',
      'invalid x-api-key',
      'Missing bearer token',
      'Your API key does not have permission to use the specified resource.',
      'prompt is too long: 210000 tokens > 200000 maximum',
    ]) {
      expect(r.text(text)).toBe(text);
    }
  });
});

describe('Redactor with configured secrets', () => {
  it('replaces a secret wherever it appears, in every spelling an upstream may echo', () => {
    const r = new Redactor([AWS_SECRET, OPENAI]);
    const json = JSON.stringify(AWS_SECRET).slice(1, -1);
    const slashEscaped = json.replaceAll('/', '\\/');
    for (const text of [
      `secret=${AWS_SECRET}`,
      `{"echo":"${slashEscaped}"}`,
      `q=${encodeURIComponent(AWS_SECRET)}`,
      // An upstream that escapes '/' in JSON, quoted inside another JSON document.
      JSON.stringify(JSON.stringify({ k: AWS_SECRET }).replaceAll('/', '\\/')),
      `glued${OPENAI}glued`,
    ]) {
      const out = r.text(text);
      expect(out).toContain(REDACTED);
      expect(out).not.toContain('wJalrXUtnFEMI');
      expect(out).not.toContain('Xq7ZuT0aLk93');
    }
  });

  it('redacts a secret with JSON-special characters in its escaped spellings', () => {
    const secret = 'pa"ss\\word/with+quote';
    const r = new Redactor([secret]);
    const once = JSON.stringify({ k: secret });
    const twice = JSON.stringify(once);
    for (const text of [once, twice, once.replaceAll('/', '\\/')]) expect(r.text(text)).not.toMatch(/ss\\*word/);
  });

  it('matches a short secret (4 to 7 characters) only as a whole token', () => {
    const r = new Redactor(['k3y9z']);
    expect(r.text('key k3y9z refused')).toBe(`key ${REDACTED} refused`);
    expect(r.text('"k3y9z"')).toBe(`"${REDACTED}"`);
    // Inside a longer token it is ordinary text, not the key.
    expect(r.text('request k3y9zq and xk3y9z')).toBe('request k3y9zq and xk3y9z');
  });

  it('ignores a secret under 4 characters (no shredding of every message) but the patterns still catch it when labelled', () => {
    const r = new Redactor(['ab1']);
    expect(r.text('tab1 and ab1 and cab')).toBe('tab1 and ab1 and cab');
    expect(r.text('x-api-key: ab1')).toBe(`x-api-key: ${REDACTED}`);
  });

  it('ignores empty secrets', () => {
    expect(new Redactor(['', '   ']).text('nothing to hide')).toBe('nothing to hide');
  });
});

describe('configuredSecrets', () => {
  const config = compile(
    {
      providers: {
        oa: { format: 'openai', base_url: 'http://127.0.0.1:1/v1', api_key: '${OA_KEY}', headers: { 'OpenAI-Organization': 'org-visible' } },
        az: { format: 'azure', base_url: 'http://127.0.0.1:1', api_key: '${AZ_KEY}' },
        br: {
          format: 'bedrock',
          base_url: 'http://127.0.0.1:1',
          aws_access_key_id: '${AWS_ID}',
          aws_secret_access_key: '${AWS_SECRET}',
          aws_session_token: '${AWS_TOKEN}',
        },
        custom: { format: 'openai', base_url: 'http://127.0.0.1:1/v1', auth: 'none', headers: { 'X-Upstream-Token': 'Token ${CUSTOM_TOKEN}' } },
        sb: { sandbox: true, format: 'openai' },
      },
      models: {},
    },
    {
      env: { OA_KEY: OPENAI, AZ_KEY: 'azure-key-0001', AWS_ID: 'AKIDCONFIGURED', AWS_SECRET, AWS_TOKEN: 'session-token-0001', CUSTOM_TOKEN: 'custom-0001' },
      source: 'test',
      sandboxUrl: 'http://127.0.0.1:2',
    },
  );

  it('collects keys, SigV4 credentials and credential-named static headers, not other headers or the sandbox placeholder', () => {
    const secrets = configuredSecrets(config);
    expect(secrets).toEqual(
      expect.arrayContaining([OPENAI, 'azure-key-0001', 'AKIDCONFIGURED', AWS_SECRET, 'session-token-0001', 'Token custom-0001', 'custom-0001']),
    );
    expect(secrets).not.toContain('org-visible');
    expect(secrets).not.toContain('sandbox');
  });

  it('builds a redactor that knows them', () => {
    const r = redactorFor(config);
    expect(r.text('token session-token-0001 for AKIDCONFIGURED, custom-0001')).toBe(`token ${REDACTED} for ${REDACTED}, ${REDACTED}`);
  });
});

describe('log fields', () => {
  const r = new Redactor(['configured-secret-1']);

  it('redacts every string, nested ones and error stacks included, without changing the input', () => {
    const input = {
      request_id: 'r1',
      n: 3,
      ok: false,
      detail: 'upstream said configured-secret-1',
      nested: { list: ['x-api-key: abc', { deeper: { still: { deeper: { yet: 'configured-secret-1' } } } }] },
      error: new Error('Bearer configured-secret-1 refused'),
    };
    const out = r.fields(input);
    const text = JSON.stringify(out);
    expect(text).not.toContain('configured-secret-1');
    expect(text).not.toContain('abc');
    expect(out.request_id).toBe('r1');
    expect(out.n).toBe(3);
    expect(input.detail).toBe('upstream said configured-secret-1');
  });

  it('redactingLogger passes redacted fields to the sink', () => {
    const lines: unknown[] = [];
    const log = redactingLogger((level: string, event: string, fields: Record<string, unknown>) => lines.push({ level, event, fields }), r);
    log('warn', 'upstream_failure', { detail: 'configured-secret-1' });
    expect(lines).toEqual([{ level: 'warn', event: 'upstream_failure', fields: { detail: REDACTED } }]);
  });
});
