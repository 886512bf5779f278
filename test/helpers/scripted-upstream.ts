import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An OpenAI-format upstream on 127.0.0.1 whose answers a test writes out exactly, for the shapes
 * the sandbox does not produce: a 400, a stream that ends cleanly without a finish_reason, text
 * followed by a tool call and then a cut. Configure it as `{ format: 'openai', base_url: url + '/v1', auth: 'none' }`.
 */

/** What the upstream answers: an HTTP status with a JSON body, or 200 SSE events and how the body ends. */
export type Answer = { status: number; json: unknown } | { events: unknown[]; end: 'clean' | 'cut' };

export interface ScriptedUpstream {
  url: string;
  /** Every chat request received, in order: the model and the parsed body. */
  requests: { model: string; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

export async function startScriptedUpstream(script: (model: string, body: Record<string, unknown>) => Answer): Promise<ScriptedUpstream> {
  const requests: ScriptedUpstream['requests'] = [];
  const server = createServer((req, res) => {
    void readJson(req).then((body) => {
      const model = typeof body.model === 'string' ? body.model : '';
      requests.push({ model, body });
      const answer = script(model, body);
      if ('json' in answer) {
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.json));
        return;
      }
      void stream(res, answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function stream(res: ServerResponse, answer: { events: unknown[]; end: 'clean' | 'cut' }): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const event of answer.events) {
    const line = typeof event === 'string' ? event : JSON.stringify(event);
    // Flushed one by one, so a cut never swallows the events before it.
    await new Promise<void>((resolve) => res.write(`data: ${line}\n\n`, () => resolve()));
  }
  if (answer.end === 'clean') res.end();
  else res.socket?.destroy();
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
      } catch {
        resolve({});
      }
    });
  });
}

/** One OpenAI chat.completion.chunk with a single choice. */
export function chunk(model: string, delta: Record<string, unknown>, finish: string | null = null): unknown {
  return { id: 'chatcmpl-scripted', object: 'chat.completion.chunk', created: 1_700_000_000, model, choices: [{ index: 0, delta, finish_reason: finish }] };
}
