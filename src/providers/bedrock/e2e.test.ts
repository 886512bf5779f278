import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ContentBlock, ImageFormat } from '@aws-sdk/client-bedrock-runtime';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatChunk, ChatRequest } from '../../api/chat.js';
import type { ProviderAuth, Target } from '../../config/types.js';
import type { UpstreamRequest } from '../../core/upstream.js';
import { EventStreamDecoder } from '../../transport/eventstream.js';
import { signSigV4 } from '../../transport/sigv4.js';
import type { DecodeContext, StreamItem } from '../types.js';
import { bedrockAdapter } from './index.js';

/**
 * Adapter + SigV4 + event-stream framing against a fake Bedrock on 127.0.0.1 that checks every
 * request's signature the way AWS does (recomputed from what arrived on the socket) and answers
 * ConverseStream with binary event-stream frames written in uneven pieces.
 */

const AUTH = Object.freeze({
  type: 'sigv4',
  accessKeyId: 'AKIDFAKEBEDROCK',
  secretAccessKey: 'fake/Secret+Key/For/Tests0000000000000000',
  region: 'us-west-2',
  service: 'bedrock',
}) satisfies Extract<ProviderAuth, { type: 'sigv4' }>;

const MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';

// ---- the fake service's own SigV4 verification, from the specification, with node:crypto ----

const sha256Hex = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');
const hmac = (key: string | Buffer, s: string): Buffer => createHmac('sha256', key).update(s).digest();
const rfc3986 = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function verifySigV4(req: IncomingMessage, body: Buffer): string | undefined {
  const auth = req.headers.authorization ?? '';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return 'malformed authorization header';
  const [, keyId, day, region, service, signedList, signature] = m as unknown as [string, string, string, string, string, string, string];
  if (keyId !== AUTH.accessKeyId) return 'unknown access key';
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  if (!amzDate.startsWith(day)) return 'credential scope date does not match x-amz-date';
  if (req.headers['x-amz-content-sha256'] !== sha256Hex(body)) return 'payload hash mismatch';
  const signed = signedList.split(';');
  for (const required of ['host', 'x-amz-date', 'content-type']) if (!signed.includes(required)) return `${required} is not signed`;
  const [rawPath = '/', rawQuery = ''] = (req.url ?? '/').split('?');
  const canonicalUri = rawPath.split('/').map(rfc3986).join('/');
  const canonicalQuery = rawQuery
    .split('&')
    .filter(Boolean)
    .map((kv) =>
      kv
        .split('=')
        .map((p) => rfc3986(decodeURIComponent(p)))
        .join('='),
    )
    .sort()
    .join('&');
  const canonicalHeaders = signed
    .map(
      (n) =>
        `${n}:${String(req.headers[n] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const canonicalRequest = [req.method, canonicalUri, canonicalQuery, canonicalHeaders, signedList, sha256Hex(body)].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, `${day}/${region}/${service}/aws4_request`, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${AUTH.secretAccessKey}`, day), region), service), 'aws4_request');
  const expected = createHmac('sha256', key).update(stringToSign).digest('hex');
  return expected === signature ? undefined : 'The request signature we calculated does not match the signature you provided.';
}

// ---- the fake Bedrock ----

const codec = new EventStreamCodec(
  (b) => new TextDecoder().decode(b),
  (s) => new TextEncoder().encode(s),
);
const frame = (type: string, payload: object): Uint8Array =>
  codec.encode({
    headers: {
      ':message-type': { type: 'string', value: 'event' },
      ':event-type': { type: 'string', value: type },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: new TextEncoder().encode(JSON.stringify(payload)),
  });

const STREAM = Buffer.concat([
  frame('messageStart', { p: 'abc', role: 'assistant' }),
  frame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Checking the ' }, p: 'abcdefghijklmnop' }),
  frame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'weather in Zürich.' }, p: 'ab' }),
  frame('contentBlockStop', { contentBlockIndex: 0, p: 'abcdefg' }),
  frame('contentBlockStart', { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tooluse_Zx9', name: 'get_weather' } }, p: 'a' }),
  frame('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '{"city": "Z' } }, p: 'abcd' }),
  frame('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: 'ürich"}' } }, p: 'abcdef' }),
  frame('contentBlockStop', { contentBlockIndex: 1, p: 'ab' }),
  frame('messageStop', { stopReason: 'tool_use', p: 'abcdefghij' }),
  frame('metadata', { usage: { inputTokens: 310, outputTokens: 48, totalTokens: 358 }, metrics: { latencyMs: 911 }, p: 'abc' }),
]);

interface Seen {
  path: string;
  verdict: string | undefined;
  body: unknown;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

async function writeInPieces(res: ServerResponse, bytes: Buffer): Promise<void> {
  const sizes = [5, 61, 3, 140, 17, 1, 90];
  let at = 0;
  for (let i = 0; at < bytes.byteLength && i < 10_000; i++) {
    const size = sizes[i % sizes.length] ?? 1;
    res.write(bytes.subarray(at, at + size));
    at += size;
    await new Promise((r) => setImmediate(r));
  }
  res.end();
}

describe('Bedrock adapter end to end (SigV4 + event-stream) against a fake service', () => {
  const seen: Seen[] = [];
  let server: Server;
  let target: Target;

  beforeAll(async () => {
    server = createServer((req, res) => {
      void (async () => {
        const raw = await readBody(req);
        const verdict = verifySigV4(req, raw);
        seen.push({ path: req.url ?? '', verdict, body: JSON.parse(raw.toString('utf8')) as unknown });
        if (verdict) {
          res.writeHead(403, {
            'content-type': 'application/json',
            'x-amzn-errortype': 'InvalidSignatureException:http://internal.amazon.com/coral/com.amazon.coral.service/',
          });
          res.end(JSON.stringify({ message: verdict }));
          return;
        }
        if (req.url?.endsWith('/converse-stream')) {
          res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': 'fake-1' });
          await writeInPieces(res, STREAM);
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            output: { message: { role: 'assistant', content: [{ text: 'Grüezi!' }] } },
            stopReason: 'end_turn',
            usage: { inputTokens: 9, outputTokens: 3, totalTokens: 12 },
            metrics: { latencyMs: 50 },
          }),
        );
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    target = {
      provider: {
        name: 'bedrock-fake',
        format: 'bedrock',
        baseUrl: `http://127.0.0.1:${port}`,
        auth: AUTH,
        headers: {},
        timeouts: { connectMs: 2000, firstByteMs: 5000, idleMs: 5000, firstTokenMs: 5000 },
        region: AUTH.region,
        compliance: [],
        models: new Map(),
        sandbox: false,
        maxConnections: 2,
        http2: false,
      },
      model: { id: MODEL, capabilities: new Set(['chat', 'tools', 'streaming']), compliance: [] },
    };
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const chat: ChatRequest = {
    model: 'haiku',
    messages: [
      { role: 'system', content: 'You are a weather bot.' },
      { role: 'user', content: 'Weather in Zürich?' },
    ],
    tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    max_tokens: 200,
  };
  const ctx = (): DecodeContext => ({ request: chat, target, requestId: 'req_e2e', created: 1_700_000_002 });

  /** `tamper`: change the body after signing; `rehash`: and fix up the payload hash header too. */
  async function send(up: UpstreamRequest, tamper: 'none' | 'body' | 'rehash' = 'none') {
    const headers = await signSigV4(up, AUTH);
    const body = tamper === 'none' ? up.body : up.body.replace('Zürich', 'Zurich');
    if (tamper === 'rehash') headers['x-amz-content-sha256'] = sha256Hex(body);
    return request(up.url, { method: up.method, headers, body });
  }

  it('streams a signed ConverseStream answer into OpenAI chunks', async () => {
    const up = bedrockAdapter.buildChatRequest(chat, target, true);
    const res = await send(up);
    expect(res.statusCode).toBe(200);
    expect(seen.at(-1)).toMatchObject({ path: '/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse-stream', verdict: undefined });
    expect(seen.at(-1)?.body).toMatchObject({ system: [{ text: 'You are a weather bot.' }], inferenceConfig: { maxTokens: 200 } });

    const framing = new EventStreamDecoder();
    const decoder = bedrockAdapter.streamDecoder(ctx());
    const items: StreamItem[] = [];
    for await (const piece of res.body) {
      for (const ev of framing.push(piece as Uint8Array)) items.push(...decoder.decode(ev));
    }
    framing.end();
    items.push(...decoder.end());

    const chunks: ChatChunk[] = items.flatMap((i) => (i.kind === 'chunk' ? [i.chunk] : []));
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Checking the weather in Zürich.');
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls[0]).toEqual({ index: 0, id: 'tooluse_Zx9', type: 'function', function: { name: 'get_weather', arguments: '' } });
    expect(calls.map((c) => c.function?.arguments ?? '').join('')).toBe('{"city": "Zürich"}');
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe('tool_calls');
    expect(chunks.at(-1)).toEqual({
      id: 'req_e2e',
      object: 'chat.completion.chunk',
      created: 1_700_000_002,
      model: MODEL,
      choices: [],
      usage: { prompt_tokens: 310, completion_tokens: 48, total_tokens: 358 },
    });
    expect(items.at(-1)).toEqual({ kind: 'done' });
    expect(items.filter((i) => i.kind === 'error' || i.kind === 'malformed')).toEqual([]);
  });

  it('answers a signed non-stream Converse call', async () => {
    const res = await send(bedrockAdapter.buildChatRequest(chat, target, false));
    expect(res.statusCode).toBe(200);
    expect(seen.at(-1)?.verdict).toBeUndefined();
    const parsed = bedrockAdapter.parseChatResponse(await res.body.json(), ctx());
    expect(parsed.choices[0]?.message.content).toBe('Grüezi!');
    expect(parsed.usage).toEqual({ prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 });
  });

  it('carries text, an image part and tools to Converse in its own shapes (image bytes base64, format from the MIME type)', async () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    const withImage: ChatRequest = {
      ...chat,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this picture?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } },
          ],
        },
      ],
    };
    const res = await send(bedrockAdapter.buildChatRequest(withImage, target, false));
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    expect(seen.at(-1)?.verdict).toBeUndefined();
    // The AWS SDK's shapes; on the JSON wire the image bytes travel base64-encoded.
    const format: ImageFormat = 'png';
    const text: ContentBlock.TextMember = { text: 'What is in this picture?' };
    expect(seen.at(-1)?.body).toMatchObject({
      messages: [{ role: 'user', content: [text, { image: { format, source: { bytes: png } } }] }],
      toolConfig: { tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } } } } } }] },
    });
  });

  it('is refused when the body no longer matches its signature', async () => {
    const res = await send(bedrockAdapter.buildChatRequest(chat, target, false), 'body');
    expect(res.statusCode).toBe(403);
    expect(seen.at(-1)?.verdict).toBe('payload hash mismatch');
    const f = bedrockAdapter.classifyError(res.statusCode, await res.body.json(), res.headers);
    expect(f).toMatchObject({ reason: 'auth', disposition: 'fallback', upstreamCode: 'InvalidSignatureException', message: 'payload hash mismatch' });
  });

  it('is refused when the payload hash is forged to match a changed body', async () => {
    const res = await send(bedrockAdapter.buildChatRequest(chat, target, false), 'rehash');
    expect(res.statusCode).toBe(403);
    await res.body.dump();
    expect(seen.at(-1)?.verdict).toMatch(/signature we calculated does not match/);
  });
});
