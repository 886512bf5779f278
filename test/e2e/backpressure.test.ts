import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/config/compile.js';
import { createGateway, type Gateway } from '../../src/http/server.js';

const CHUNKS = 15_000;
const PIECE = 'x'.repeat(4096); // ~60 MB in all: far more than every socket buffer on the way
let sent = 0; // bytes the upstream managed to hand to its socket
let upstream: Server;
let gateway: Gateway;
let url: string;

/** An OpenAI-format upstream that honours backpressure itself and counts what it got out. */
beforeAll(async () => {
  upstream = createServer(async (req, res) => {
    for await (const _ of req) {
      /* read the request */
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const chunk = (delta: object, finish: string | null) =>
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'big', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    for (let i = 0; i < CHUNKS && !res.destroyed; i++) {
      const text = chunk({ content: PIECE }, null);
      sent += text.length;
      if (!res.write(text)) await once(res, 'drain');
    }
    res.end(`${chunk({}, 'stop')}data: [DONE]\n\n`);
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  const port = (upstream.address() as AddressInfo).port;
  const config = compile(
    { providers: { up: { format: 'openai', base_url: `http://127.0.0.1:${port}/v1`, auth: 'none' } }, models: { big: { targets: ['up/big'] } } },
    { env: {}, source: 'test' },
  );
  gateway = createGateway(config);
  url = `http://127.0.0.1:${(await gateway.listen(0, '127.0.0.1')).port}`;
});
afterAll(async () => {
  await gateway.close(1000);
  upstream.closeAllConnections();
  upstream.close();
});

describe('streaming backpressure', () => {
  it('a client that stops reading stops the upstream; nothing buffers the whole stream; the answer completes on resume', async () => {
    const res = await request(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'big', stream: true, messages: [{ role: 'user', content: 'a lot, please' }] }),
      highWaterMark: 16 * 1024,
    });
    const body = res.body;
    // Take one piece and pause in the same tick, so nothing flows past unread.
    const first = await new Promise<Buffer>((resolve) =>
      body.once('data', (b: Buffer) => {
        body.pause();
        resolve(b);
      }),
    );
    expect(first.toString()).toContain('data: ');
    // Let every buffer on the way fill (kernel buffers grow for a while on a busy machine): wait
    // for the upstream's count to stop moving for 500 ms, then check it stays put.
    const deadline = Date.now() + 10_000;
    let atPause = -1;
    while (sent !== atPause && Date.now() < deadline) {
      atPause = sent;
      await new Promise((r) => setTimeout(r, 500));
    }
    await new Promise((r) => setTimeout(r, 500));
    const total = CHUNKS * (PIECE.length + 150);
    expect(sent).toBe(atPause); // the upstream is waiting: no progress while the client waits
    expect(sent).toBeLessThan(total / 2);

    body.resume();
    let text = first.toString();
    for await (const part of body) text += part.toString();
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(text.split(PIECE).length - 1).toBe(CHUNKS);
  });
});
