import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
// The Bedrock client defaults to HTTP/2, which signs `:authority`; HTTP/1.1 signs `host` as we do.
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SigV4Auth, signSigV4 } from './sigv4.js';

const AUTH: SigV4Auth = Object.freeze({
  type: 'sigv4',
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  region: 'us-east-1',
  service: 'bedrock',
});

// ---- An independent SigV4 computation, written from the specification with node:crypto only. ----

const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');
const hmac = (key: string | Buffer, s: string): Buffer => createHmac('sha256', key).update(s).digest();
const rfc3986 = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

interface Canonical {
  method: string;
  /** Path as it goes on the wire (already percent-encoded once). */
  rawPath: string;
  query: [string, string][];
  /** Lower-case header names → values, exactly the signed set. */
  headers: Record<string, string>;
  body: string;
}

function referenceSignature(c: Canonical, amzDate: string, secret: string, region: string, service: string): string {
  const canonicalUri = c.rawPath.split('/').map(rfc3986).join('/');
  const canonicalQuery = c.query
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .sort()
    .join('&');
  const names = Object.keys(c.headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${(c.headers[n] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalRequest = [c.method, canonicalUri, canonicalQuery, canonicalHeaders, names.join(';'), sha256Hex(c.body)].join('\n');
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request');
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

function parseAuthorization(value: string): { credential: string; signedHeaders: string[]; signature: string } {
  const m = /^AWS4-HMAC-SHA256 Credential=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(value);
  if (!m) throw new Error(`not a SigV4 authorization header: ${value}`);
  return { credential: m[1]!, signedHeaders: m[2]!.split(';'), signature: m[3]! };
}

describe('reference SigV4 computation', () => {
  it('reproduces the published AWS example (IAM ListUsers, 2015-08-30)', () => {
    // From the AWS General Reference "Signature Version 4 signing process" worked example.
    const sig = referenceSignature(
      {
        method: 'GET',
        rawPath: '/',
        query: [
          ['Action', 'ListUsers'],
          ['Version', '2010-05-08'],
        ],
        headers: {
          'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
          host: 'iam.amazonaws.com',
          'x-amz-date': '20150830T123600Z',
        },
        body: '',
      },
      '20150830T123600Z',
      AUTH.secretAccessKey,
      'us-east-1',
      'iam',
    );
    expect(sig).toBe('5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7');
  });
});

describe('signSigV4', () => {
  const now = new Date(Date.UTC(2025, 0, 2, 3, 4, 5));
  const req = {
    method: 'POST' as const,
    url: 'https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'X-Custom': '  a   b ' },
    body: '{"messages":[{"role":"user","content":[{"text":"héllo"}]}]}',
  };

  it('signs with the fixed date and matches an independent computation', async () => {
    const headers = await signSigV4(req, AUTH, now);
    expect(headers['x-amz-date']).toBe('20250102T030405Z');
    expect(headers['x-amz-content-sha256']).toBe(sha256Hex(req.body));
    expect(headers['content-type']).toBe('application/json');
    expect(headers.host).toBeUndefined();
    expect(headers['x-amz-security-token']).toBeUndefined();
    const auth = parseAuthorization(headers.authorization ?? '');
    expect(auth.credential).toBe('AKIDEXAMPLE/20250102/us-east-1/bedrock/aws4_request');
    expect(auth.signedHeaders).toEqual(['accept', 'content-type', 'host', 'x-amz-content-sha256', 'x-amz-date', 'x-custom']);
    const signed: Record<string, string> = { host: 'bedrock-runtime.us-east-1.amazonaws.com' };
    for (const name of auth.signedHeaders) if (name !== 'host') signed[name] = headers[name] ?? '';
    const expected = referenceSignature(
      { method: 'POST', rawPath: new URL(req.url).pathname, query: [], headers: signed, body: req.body },
      '20250102T030405Z',
      AUTH.secretAccessKey,
      AUTH.region,
      AUTH.service,
    );
    expect(auth.signature).toBe(expected);
  });

  it('signs the query string and a non-default port', async () => {
    const r = { ...req, method: 'GET' as const, url: 'http://127.0.0.1:8443/a%20b/c?z=1&a=x%2Fy&a=b', body: '' };
    const headers = await signSigV4(r, AUTH, now);
    const auth = parseAuthorization(headers.authorization ?? '');
    const signed: Record<string, string> = { host: '127.0.0.1:8443' };
    for (const name of auth.signedHeaders) if (name !== 'host') signed[name] = headers[name] ?? '';
    const expected = referenceSignature(
      {
        method: 'GET',
        rawPath: '/a%20b/c',
        query: [
          ['z', '1'],
          ['a', 'x/y'],
          ['a', 'b'],
        ],
        headers: signed,
        body: '',
      },
      '20250102T030405Z',
      AUTH.secretAccessKey,
      AUTH.region,
      AUTH.service,
    );
    expect(auth.signature).toBe(expected);
  });

  it('adds and signs the session token of temporary credentials', async () => {
    const temp: SigV4Auth = { ...AUTH, sessionToken: 'FQoGZXIvYXdzEXAMPLETOKEN' };
    const headers = await signSigV4(req, temp, now);
    expect(headers['x-amz-security-token']).toBe('FQoGZXIvYXdzEXAMPLETOKEN');
    expect(parseAuthorization(headers.authorization ?? '').signedHeaders).toContain('x-amz-security-token');
  });

  it('changes the signature when the body changes', async () => {
    const a = await signSigV4(req, AUTH, now);
    const b = await signSigV4({ ...req, body: req.body.replace('héllo', 'hello') }, AUTH, now);
    expect(a.authorization).not.toBe(b.authorization);
  });

  it('keeps secrets out of its errors', async () => {
    const bad: SigV4Auth = { ...AUTH, accessKeyId: '' };
    const err = await signSigV4(req, bad, now).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(String((err as Error).message)).not.toContain(AUTH.secretAccessKey);
    await expect(signSigV4({ ...req, url: '/relative' }, AUTH, now)).rejects.toThrow(/not absolute/);
  });
});

describe('signSigV4 against the official AWS SDK', () => {
  interface Captured {
    method: string;
    url: string;
    headers: IncomingHttpHeaders;
    body: string;
  }
  const captured: Captured[] = [];
  let server: Server;
  let port = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        captured.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(parts).toString('utf8') });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            output: { message: { role: 'assistant', content: [{ text: 'ok' }] } },
            stopReason: 'end_turn',
            usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
            metrics: { latencyMs: 1 },
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('produces byte-identical Authorization for the request the SDK sent', async () => {
    const client = new BedrockRuntimeClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: AUTH.accessKeyId, secretAccessKey: AUTH.secretAccessKey, sessionToken: 'SESSIONEXAMPLE' },
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler(),
    });
    try {
      await client.send(
        new ConverseCommand({
          modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
          messages: [{ role: 'user', content: [{ text: 'Hi there' }] }],
          inferenceConfig: { maxTokens: 16 },
        }),
      );
    } finally {
      client.destroy();
    }
    const sent = captured.at(-1);
    if (!sent) throw new Error('the SDK sent nothing');
    expect(sent.url).toBe('/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse');
    const sdkAuth = parseAuthorization(String(sent.headers.authorization));
    const amzDate = String(sent.headers['x-amz-date']);
    const when = new Date(
      Date.UTC(+amzDate.slice(0, 4), +amzDate.slice(4, 6) - 1, +amzDate.slice(6, 8), +amzDate.slice(9, 11), +amzDate.slice(11, 13), +amzDate.slice(13, 15)),
    );
    // Hand our signer the same signable headers the SDK chose to sign (its user-agent headers etc.).
    const headers: Record<string, string> = {};
    for (const name of sdkAuth.signedHeaders) {
      if (['host', 'x-amz-date', 'x-amz-security-token'].includes(name)) continue;
      headers[name] = String(sent.headers[name]);
    }
    const ours = await signSigV4(
      { method: 'POST', url: `http://127.0.0.1:${port}${sent.url}`, headers, body: sent.body },
      { ...AUTH, sessionToken: 'SESSIONEXAMPLE' },
      when,
    );
    expect(ours.authorization).toBe(sent.headers.authorization);

    // And the independent computation agrees with the SDK too.
    const signed: Record<string, string> = {};
    for (const name of sdkAuth.signedHeaders) signed[name] = String(sent.headers[name]);
    expect(
      referenceSignature(
        { method: 'POST', rawPath: sent.url, query: [], headers: signed, body: sent.body },
        amzDate,
        AUTH.secretAccessKey,
        'us-east-1',
        'bedrock',
      ),
    ).toBe(sdkAuth.signature);
  });
});
