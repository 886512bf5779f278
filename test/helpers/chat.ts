import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'undici';

export interface ChatReply {
  status: number;
  headers: IncomingHttpHeaders;
  /** The whole body: JSON, or the SSE text of a stream. */
  text: string;
  /** Wall time from sending to the end of the body. */
  ms: number;
}

/** One raw chat request to a gateway, with what came back and how long it took. */
export async function postChat(
  base: string,
  model: string,
  opts: { stream?: boolean; headers?: Record<string, string>; content?: string } = {},
): Promise<ChatReply> {
  const t0 = performance.now();
  const res = await request(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...opts.headers },
    body: JSON.stringify({ model, stream: opts.stream ?? false, messages: [{ role: 'user', content: opts.content ?? 'hello' }] }),
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, ms: performance.now() - t0 };
}
