import { createHash, createHmac, type Hmac, type Hash as NodeHash } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { ProviderAuth } from '../config/types.js';
import type { UpstreamRequest } from '../core/upstream.js';

export type SigV4Auth = Extract<ProviderAuth, { type: 'sigv4' }>;

type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytesOf(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * SHA-256 / HMAC-SHA-256 on node:crypto in the shape the signer expects (a Hash constructor whose
 * optional argument is the HMAC key). Native hashing is an order of magnitude faster than the
 * pure-JS implementation on large prompt bodies, and the signer hashes every body once.
 */
class NodeSha256 {
  private readonly secret: string | Uint8Array | undefined;
  private inner: NodeHash | Hmac;

  constructor(secret?: SourceData) {
    this.secret = secret === undefined ? undefined : bytesOf(secret);
    this.inner = this.fresh();
  }

  private fresh(): NodeHash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }

  update(data: SourceData): void {
    this.inner.update(bytesOf(data));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.inner.digest()));
  }

  reset(): void {
    this.inner = this.fresh();
  }
}

/**
 * One signer per credential set. It caches derived signing keys per day, so reusing it saves four
 * HMACs per request. Keyed weakly by the (frozen, long-lived) auth object from the compiled config,
 * so no secret is ever used as a map key and a config reload drops the old signers.
 */
const signers = new WeakMap<SigV4Auth, SignatureV4>();

function signerFor(auth: SigV4Auth): SignatureV4 {
  let signer = signers.get(auth);
  if (!signer) {
    signer = new SignatureV4({
      service: auth.service,
      region: auth.region,
      credentials: {
        accessKeyId: auth.accessKeyId,
        secretAccessKey: auth.secretAccessKey,
        ...(auth.sessionToken ? { sessionToken: auth.sessionToken } : {}),
      },
      sha256: NodeSha256,
      // Non-S3 services sign the already-encoded path encoded once more (e.g. `%3A` → `%253A`).
      uriEscapePath: true,
    });
    signers.set(auth, signer);
  }
  return signer;
}

function queryOf(url: URL): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = Object.create(null);
  for (const [key, value] of url.searchParams) {
    const prev = query[key];
    if (prev === undefined) query[key] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else query[key] = [prev, value];
  }
  return query;
}

/**
 * AWS Signature Version 4 for one upstream request. Returns every header to send: the request's
 * own headers plus authorization, x-amz-date, x-amz-content-sha256 and, with temporary credentials,
 * x-amz-security-token. `host` is signed but not returned: the HTTP client derives it from the URL,
 * exactly as it was signed (`url.host`, default port omitted).
 */
export async function signSigV4(req: UpstreamRequest, auth: SigV4Auth, now: Date = new Date()): Promise<Record<string, string>> {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    throw new Error('cannot sign upstream request: the URL is not absolute');
  }
  if (!auth.accessKeyId || !auth.secretAccessKey) {
    throw new Error(`cannot sign upstream request for ${auth.service} in ${auth.region}: credentials are missing`);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    const lower = name.toLowerCase();
    if (lower !== 'host' && lower !== 'authorization') headers[lower] = value;
  }
  headers.host = url.host;
  let signed: { headers: Record<string, string> };
  try {
    signed = await signerFor(auth).sign(
      {
        method: req.method,
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: url.pathname,
        query: queryOf(url),
        headers,
        body: req.method === 'GET' ? undefined : req.body,
      },
      { signingDate: now },
    );
  } catch (err) {
    // The signer's messages name fields, never values, but say only what kind of thing failed.
    const what = err instanceof Error && /credential/i.test(err.message) ? 'invalid credentials' : 'signing failed';
    throw new Error(`cannot sign upstream request for ${auth.service} in ${auth.region}: ${what}`);
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) if (name !== 'host') out[name] = value;
  return out;
}
