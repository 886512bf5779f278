import { request } from 'node:http';
import type { SandboxFormat } from './types.js';

/**
 * A plain node:http client for exercising faults an SDK would hide: it keeps every byte that
 * arrived before a cut, a stall or a reset. Used by the sandbox's tests and handy in users' drills.
 */
export interface RawResult {
  status: number | null;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** True when the body ended cleanly. */
  complete: boolean;
  /** Set when the connection failed (reset, premature close) or the timeout fired. */
  error: string | null;
  /** Milliseconds from sending to the first body byte, null if none arrived. */
  firstByteMs: number | null;
}

export function rawRequest(
  url: string,
  opts: { method?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<RawResult> {
  return new Promise((resolve) => {
    const started = Date.now();
    const result: RawResult = { status: null, headers: {}, body: '', complete: false, error: null, firstByteMs: null };
    let settled = false;
    const finish = (error: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error && !result.error) result.error = error;
      req.destroy();
      resolve(result);
    };
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = request(url, {
      method: opts.method ?? (payload === undefined ? 'GET' : 'POST'),
      headers: { 'content-type': 'application/json', ...opts.headers },
    });
    const timer = setTimeout(() => finish('timeout'), opts.timeoutMs ?? 5_000);
    req.on('error', (err) => finish(err.message));
    req.on('response', (res) => {
      result.status = res.statusCode ?? null;
      result.headers = res.headers;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        result.firstByteMs ??= Date.now() - started;
        result.body += chunk;
      });
      res.on('end', () => {
        result.complete = true;
        finish(null);
      });
      res.on('error', (err) => finish(err.message));
      res.on('close', () => finish(res.complete ? null : 'closed before end'));
    });
    req.end(payload);
  });
}

/** The request a format expects for a one-line user prompt. */
export function chatCall(
  base: string,
  format: SandboxFormat,
  model: string,
  opts: { stream?: boolean; messages?: 'prefill'; extra?: Record<string, unknown> } = {},
): { url: string; body: unknown; headers: Record<string, string> } {
  const stream = opts.stream ?? false;
  const prefill = opts.messages === 'prefill';
  switch (format) {
    case 'openai':
      return {
        url: `${base}/openai/v1/chat/completions`,
        headers: { authorization: 'Bearer x' },
        body: {
          model,
          stream,
          messages: prefill
            ? [
                { role: 'user', content: 'hello world' },
                { role: 'assistant', content: 'Sure' },
              ]
            : [{ role: 'user', content: 'hello world' }],
          ...opts.extra,
        },
      };
    case 'anthropic':
      return {
        url: `${base}/anthropic/v1/messages`,
        headers: { 'x-api-key': 'x', 'anthropic-version': '2023-06-01' },
        body: {
          model,
          stream,
          max_tokens: 100,
          messages: prefill
            ? [
                { role: 'user', content: 'hello world' },
                { role: 'assistant', content: 'Sure' },
              ]
            : [{ role: 'user', content: 'hello world' }],
          ...opts.extra,
        },
      };
    case 'gemini':
      return {
        url: `${base}/gemini/v1beta/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
        headers: { 'x-goog-api-key': 'x' },
        body: {
          contents: prefill
            ? [
                { role: 'user', parts: [{ text: 'hello world' }] },
                { role: 'model', parts: [{ text: 'Sure' }] },
              ]
            : [{ role: 'user', parts: [{ text: 'hello world' }] }],
          ...opts.extra,
        },
      };
  }
}

/** `data:` payloads of an SSE body, in order. */
export function sseData(body: string): string[] {
  return body
    .split(/\r?\n\r?\n/)
    .flatMap((event) => event.split(/\r?\n/).filter((line) => line.startsWith('data:')))
    .map((line) => line.slice(5).trim());
}

/** `event:` names of an SSE body, in order. */
export function sseEvents(body: string): string[] {
  return body
    .split(/\r?\n/)
    .filter((line) => line.startsWith('event:'))
    .map((line) => line.slice(6).trim());
}
