/**
 * A small chat client for benches: one POST to the gateway, the whole body read, and a summary of
 * what the client got (status, complete stream or in-band error) that a scoreboard can print.
 */
import { type Dispatcher, request } from 'undici';

export type Message = { role: 'system' | 'user' | 'assistant'; content: string };

export interface ChatOptions {
  stream?: boolean;
  messages?: Message[];
  headers?: Record<string, string>;
  extra?: Record<string, unknown>;
  dispatcher?: Dispatcher;
  /** Hard bound on the whole exchange, ms. */
  timeoutMs?: number;
}

export interface ErrorInfo {
  code: string;
  message: string;
  attempts?: { target: string; outcome: string; status?: number }[];
}

export interface StreamSummary {
  events: number;
  /** Any delta carried text or tool-call content. */
  content: boolean;
  text: string;
  finishReason: string | null;
  usage: boolean;
  done: boolean;
  /** The in-band error event, when the stream ended with one. */
  error: ErrorInfo | null;
  /** data: lines that were not JSON (and not [DONE]). */
  unparseable: number;
}

export interface ChatResult {
  status: number;
  headers: Record<string, string>;
  text: string;
  ms: number;
  /** Present for non-2xx JSON bodies. */
  error: ErrorInfo | null;
  /** Present when the response was an event stream. */
  stream: StreamSummary | null;
  /** Present for a 200 JSON chat completion. */
  answer: { content: string; finishReason: string | null; model: string } | null;
  /** Transport-level failure seen by the client (reset, timeout), if any. */
  clientError: string | null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function errorInfo(v: unknown): ErrorInfo | null {
  if (!isRecord(v) || !isRecord(v.error)) return null;
  const e = v.error;
  const info: ErrorInfo = { code: typeof e.code === 'string' ? e.code : String(e.type ?? 'unknown'), message: typeof e.message === 'string' ? e.message : '' };
  if (Array.isArray(e.attempts)) {
    info.attempts = e.attempts.filter(isRecord).map((a) => ({
      target: String(a.target),
      outcome: String(a.outcome),
      ...(typeof a.status === 'number' ? { status: a.status } : {}),
    }));
  }
  return info;
}

export function summariseSse(text: string): StreamSummary {
  const s: StreamSummary = { events: 0, content: false, text: '', finishReason: null, usage: false, done: false, error: null, unparseable: 0 };
  for (const block of text.split(/\r?\n\r?\n/)) {
    for (const line of block.split(/\r?\n/)) {
      if (!line.startsWith('data:')) continue;
      const data = line.slice(5).trim();
      s.events++;
      if (data === '[DONE]') {
        s.done = true;
        continue;
      }
      let v: unknown;
      try {
        v = JSON.parse(data);
      } catch {
        s.unparseable++;
        continue;
      }
      const err = errorInfo(v);
      if (err) {
        s.error = err;
        continue;
      }
      if (!isRecord(v)) continue;
      if (isRecord(v.usage)) s.usage = true;
      const choices = Array.isArray(v.choices) ? v.choices : [];
      for (const c of choices) {
        if (!isRecord(c)) continue;
        if (typeof c.finish_reason === 'string') s.finishReason = c.finish_reason;
        const d = c.delta;
        if (isRecord(d)) {
          if (typeof d.content === 'string' && d.content.length > 0) {
            s.content = true;
            s.text += d.content;
          }
          if (Array.isArray(d.tool_calls) && d.tool_calls.length > 0) s.content = true;
        }
      }
    }
  }
  return s;
}

export async function chat(baseUrl: string, model: string, opts: ChatOptions = {}): Promise<ChatResult> {
  const t0 = performance.now();
  const messages = opts.messages ?? [{ role: 'user', content: 'hello' }];
  const body = JSON.stringify({ model, stream: opts.stream ?? false, messages, ...opts.extra });
  const result: ChatResult = { status: 0, headers: {}, text: '', ms: 0, error: null, stream: null, answer: null, clientError: null };
  try {
    const res = await request(`${baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...opts.headers },
      body,
      signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
      ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
    });
    result.status = res.statusCode;
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) result.headers[k] = Array.isArray(v) ? v.join(', ') : v;
    result.text = await res.body.text();
  } catch (err) {
    result.clientError = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
  result.ms = performance.now() - t0;
  if ((result.headers['content-type'] ?? '').startsWith('text/event-stream')) {
    result.stream = summariseSse(result.text);
  } else if (result.text) {
    let v: unknown;
    try {
      v = JSON.parse(result.text);
    } catch {
      v = undefined;
    }
    result.error = errorInfo(v);
    if (!result.error && isRecord(v) && Array.isArray(v.choices)) {
      const c = v.choices[0];
      const msg = isRecord(c) && isRecord(c.message) ? c.message : {};
      result.answer = {
        content: typeof msg.content === 'string' ? msg.content : '',
        finishReason: isRecord(c) && typeof c.finish_reason === 'string' ? c.finish_reason : null,
        model: typeof v.model === 'string' ? v.model : '',
      };
    }
  }
  return result;
}

/** What the client got, in a few words. */
export function describeResult(r: ChatResult): string {
  if (r.clientError) return `client error (${r.clientError.slice(0, 40)})`;
  if (r.stream) {
    const s = r.stream;
    if (s.error) return `${r.status} SSE${s.content ? ' content' : ''} + in-band ${s.error.code}`;
    if (s.finishReason && s.done) return `${r.status} SSE complete`;
    if (s.finishReason) return `${r.status} SSE finished, no [DONE]`;
    return `${r.status} SSE truncated`;
  }
  if (r.error) return `${r.status} ${r.error.code}`;
  if (r.answer) return `${r.status} answer (${r.answer.finishReason ?? 'no finish'})`;
  return String(r.status);
}

/** Attempts the gateway reports: the header on answers, the error's attempt list otherwise. */
export function gatewayAttempts(r: ChatResult): number | undefined {
  const h = r.headers['x-switchyard-attempts'];
  const inBand = r.stream?.error?.attempts?.length ?? r.error?.attempts?.length;
  // A stream that failed after content carries the header from when it opened; the in-band error
  // lists every attempt, the failed one included.
  if (inBand !== undefined) return inBand;
  return h !== undefined ? Number(h) : undefined;
}
