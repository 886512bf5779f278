import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/config/compile.js';
import { createGateway, type Gateway } from '../../src/http/server.js';
import { type EchoUpstream, FORMATS, type Format, type Mode, STATUSES, startEchoUpstream } from './echo-upstream.js';

/**
 * Issue 8, items 1 and 6: the gateway's own credentials never reach a client, a log line, a metric
 * or an admin route, even from an upstream that quotes every request header back in its errors
 * (JSON error bodies and in-band stream errors, every wire format), and client errors carry no
 * internal addresses.
 *
 * Each canary has a random hex part; any 12 consecutive characters of it found anywhere count as a
 * leak, so a half-redacted key is caught too.
 */

const hex = (): string => randomBytes(12).toString('hex');
const marks = { openai: hex(), anthropic: hex(), gemini: hex(), azure: hex(), header: hex(), awsId: hex(), awsSecret: hex(), awsToken: hex() };
const env = {
  OPENAI_KEY: `sk-canary${marks.openai}`,
  ANTHROPIC_KEY: `sk-ant-canary${marks.anthropic}`,
  GEMINI_KEY: `AIzaCanary${marks.gemini}`,
  // Shaped like no known key: only the configured-secret list can catch it.
  AZURE_KEY: `azcanary${marks.azure}`,
  HEADER_SECRET: `hdrcanary${marks.header}`,
  AWS_ID: `AKIA${marks.awsId.toUpperCase()}`,
  AWS_SECRET: `canary/Secret+${marks.awsSecret}`,
  AWS_TOKEN: `canarySession${marks.awsToken}`,
};

/** Every 12-character window of every canary's random part, and of every SigV4 signature the upstream saw. */
function forbidden(echo: EchoUpstream): string[] {
  const secrets = Object.values(marks);
  for (const { headers } of echo.seen) {
    const sig = /Signature=([0-9a-f]+)/.exec(String(headers.authorization ?? ''))?.[1];
    if (sig) secrets.push(sig);
  }
  const windows = new Set<string>();
  for (const s of secrets) for (let i = 0; i + 12 <= s.length; i++) windows.add(s.slice(i, i + 12).toLowerCase());
  return [...windows];
}

function leaks(text: string, echo: EchoUpstream): string[] {
  const lower = text.toLowerCase();
  return forbidden(echo).filter((w) => lower.includes(w));
}

const MODES: readonly Mode[] = [...STATUSES, 'early', 'late'];

function providerConfig(echo: string, format: Format, mode: Mode): Record<string, unknown> {
  const base = `${echo}/${mode}/${format}`;
  switch (format) {
    case 'openai':
      // A static header named like a credential is a secret too.
      return { format, base_url: `${base}/v1`, api_key: '${OPENAI_KEY}', headers: { 'x-canary-token': '${HEADER_SECRET}' } };
    case 'azure':
      return { format, base_url: base, api_key: '${AZURE_KEY}' };
    case 'anthropic':
      return { format, base_url: base, api_key: '${ANTHROPIC_KEY}' };
    case 'gemini':
      return { format, base_url: base, api_key: '${GEMINI_KEY}' };
    case 'bedrock':
      return {
        format,
        base_url: base,
        region: 'us-east-1',
        aws_access_key_id: '${AWS_ID}',
        aws_secret_access_key: '${AWS_SECRET}',
        aws_session_token: '${AWS_TOKEN}',
      };
  }
}

function gatewayFor(echo: EchoUpstream, resilience: Record<string, unknown>, logs: string[]): Gateway {
  const providers: Record<string, unknown> = {};
  for (const format of FORMATS) for (const mode of MODES) providers[`${format}-${mode}`] = providerConfig(echo.url, format, mode);
  const config = compile({ providers, models: {}, resilience }, { env, source: 'test' });
  return createGateway(config, (level, event, fields) => logs.push(JSON.stringify({ level, event, ...fields })), { processMetrics: false });
}

type Endpoint = 'chat' | 'chat-stream' | 'messages' | 'messages-stream' | 'embeddings';

interface Reply {
  status: number;
  /** Status, headers and body, as the client received them. */
  raw: string;
  json: { error?: { code?: string; type?: string; message?: string } } | undefined;
}

async function call(base: string, endpoint: Endpoint, model: string): Promise<Reply> {
  const stream = endpoint.endsWith('-stream');
  const messages = [{ role: 'user', content: 'hello' }];
  const [path, body] =
    endpoint === 'embeddings'
      ? ['/v1/embeddings', { model, input: 'hello' }]
      : endpoint.startsWith('messages')
        ? ['/v1/messages', { model, max_tokens: 16, messages, stream }]
        : ['/v1/chat/completions', { model, messages, stream }];
  const res = await request(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.body.text();
  let json: Reply['json'];
  try {
    json = JSON.parse(text) as Reply['json'];
  } catch {
    json = undefined; // a stream
  }
  return { status: res.statusCode, raw: `${res.statusCode}\n${JSON.stringify(res.headers)}\n${text}`, json };
}

const CODE: Record<(typeof STATUSES)[number], string> = { 401: 'upstream_auth', 403: 'upstream_auth', 429: 'rate_limited', 500: 'upstream_error' };

/** Every endpoint × wire format × upstream answer the test sends. */
function cases(): [Endpoint, Format, Mode][] {
  const out: [Endpoint, Format, Mode][] = [];
  for (const format of FORMATS) {
    for (const status of STATUSES) {
      for (const endpoint of ['chat', 'chat-stream', 'messages', 'messages-stream'] as const) out.push([endpoint, format, status]);
      if (format === 'openai' || format === 'azure' || format === 'gemini') out.push(['embeddings', format, status]);
    }
    for (const mode of ['early', 'late'] as const) for (const endpoint of ['chat-stream', 'messages-stream'] as const) out.push([endpoint, format, mode]);
  }
  return out;
}

let echo: EchoUpstream;
let gateway: Gateway;
let base: string;
const logs: string[] = [];

beforeAll(async () => {
  echo = await startEchoUpstream();
  // One retry per target, so retried failures are recorded too; breakers stay closed so every
  // request reaches the upstream.
  gateway = gatewayFor(
    echo,
    { max_retries_per_target: 1, backoff: { base_ms: 1, max_ms: 2 }, breaker: { consecutive_failures: 1000, min_requests: 1000 } },
    logs,
  );
  const addr = await gateway.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${addr.port}`;
});
afterAll(async () => {
  await gateway?.close();
  await echo?.close();
});

describe('an upstream that echoes the gateway’s credentials in its errors', () => {
  /**
   * Every case's request is made here, before any test of this block runs, so the checks over all
   * of them (what was sent, logged and shown) hold whatever order the tests run in.
   */
  const replies = new Map<string, { reply: Reply; asked: boolean }>();
  const key = (endpoint: Endpoint, format: Format, mode: Mode) => `${endpoint} ${format} ${mode}`;
  beforeAll(async () => {
    for (const [endpoint, format, mode] of cases()) {
      const before = echo.seen.length;
      const reply = await call(base, endpoint, `${format}-${mode}/model-x`);
      replies.set(key(endpoint, format, mode), { reply, asked: echo.seen.length > before });
    }
  });

  it.each(cases())('%s via %s, upstream %s: no canary in the response', (endpoint, format, mode) => {
    const provider = `${format}-${mode}`;
    const { reply, asked } = replies.get(key(endpoint, format, mode))!;
    // The upstream was asked, with the credentials, and answered with them.
    expect(asked).toBe(true);
    expect(leaks(reply.raw, echo)).toEqual([]);

    if (mode === 'late') {
      // Content was streamed: the failure arrives in-band.
      expect(reply.status).toBe(200);
      expect(reply.raw).toMatch(endpoint === 'messages-stream' ? /event: error/ : /"code":"stream_interrupted"/);
      return;
    }
    expect(reply.status).toBeGreaterThanOrEqual(400);
    const error = reply.json?.error;
    expect(error?.message).toBeTruthy();
    if (mode === 401 || mode === 403) {
      expect(error?.message).toContain(`provider ${provider} refused the gateway's credentials (HTTP ${mode}`);
    }
    if (typeof mode === 'number' && !endpoint.startsWith('messages')) expect(error?.code).toBe(CODE[mode]);
  });

  it('sent every canary upstream, so the checks in this block had something to find', () => {
    const sent = JSON.stringify(echo.seen.map((s) => s.headers)).toLowerCase();
    for (const mark of [marks.openai, marks.anthropic, marks.gemini, marks.azure, marks.header, marks.awsId, marks.awsToken]) expect(sent).toContain(mark);
    expect(sent).toMatch(/signature=[0-9a-f]{64}/);
  });

  it('logged the upstream failures, with no canary in any log line', () => {
    expect(logs.some((l) => l.includes('"event":"upstream_failure"'))).toBe(true);
    const leaked = logs.filter((l) => leaks(l, echo).length > 0);
    expect(leaked).toEqual([]);
  });

  it('shows no canary on /metrics or /admin/targets', async () => {
    for (const path of ['/metrics', '/admin/targets']) {
      const res = await request(`${base}${path}`);
      const text = await res.body.text();
      expect(res.statusCode).toBe(200);
      expect(leaks(`${JSON.stringify(res.headers)}\n${text}`, echo)).toEqual([]);
    }
  });
});

describe('health probes of a failing upstream', () => {
  it('log no canary', async () => {
    const probeLogs: string[] = [];
    const g = gatewayFor(
      echo,
      { max_retries_per_target: 0, breaker: { consecutive_failures: 1, cooldown_ms: 60_000 }, health: { enabled: true, interval_ms: 20 } },
      probeLogs,
    );
    const addr = await g.listen(0, '127.0.0.1');
    try {
      for (const format of ['openai', 'bedrock'] as const) await call(`http://127.0.0.1:${addr.port}`, 'chat', `${format}-500/model-x`);
      const deadline = Date.now() + 5000;
      while (probeLogs.filter((l) => l.includes('"event":"health_probe"')).length < 2 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(probeLogs.filter((l) => l.includes('"event":"health_probe"')).length).toBeGreaterThanOrEqual(2);
      expect(probeLogs.filter((l) => leaks(l, echo).length > 0)).toEqual([]);
    } finally {
      await g.close();
    }
  });
});

describe('an unreachable upstream', () => {
  it('is reported to the client by target and code, with the address only in the log', async () => {
    const unreachLogs: string[] = [];
    const config = compile(
      {
        providers: { gone: { format: 'openai', base_url: 'http://127.0.0.1:9/v1', auth: 'none' } },
        models: {},
        resilience: { max_retries_per_target: 0 },
      },
      { env: {}, source: 'test' },
    );
    const g = createGateway(config, (level, event, fields) => unreachLogs.push(JSON.stringify({ level, event, ...fields })), { processMetrics: false });
    const addr = await g.listen(0, '127.0.0.1');
    try {
      const reply = await call(`http://127.0.0.1:${addr.port}`, 'chat', 'gone/gpt-4o');
      expect(reply.status).toBe(502);
      expect(reply.json?.error).toMatchObject({
        code: 'upstream_unreachable',
        message: 'gone/gpt-4o failed (connection): connection refused before any response (ECONNREFUSED)',
      });
      expect(reply.raw).not.toContain('127.0.0.1:9');
      const logged = unreachLogs.find((l) => l.includes('"event":"upstream_failure"')) ?? '';
      expect(logged).toContain('127.0.0.1:9');
      expect(logged).toMatch(/"request_id":"[0-9a-f-]{36}"/);
    } finally {
      await g.close();
    }
  });
});
