/**
 * A slow OpenAI-format upstream for the many-streams bench (bench/many-streams.ts): every stream
 * request gets a role chunk at once, then one content chunk per second for STREAM_SECONDS (default
 * 60), a finish chunk (finish_reason stop), a usage chunk and `data: [DONE]`: a valid Chat
 * Completions stream for the official SDK. Non-stream requests get a fixed completion at once.
 * GET /_stats answers how many streams are open now, the most open at once, and how many started,
 * completed and were cut by the client, so the bench can see what reached the upstream.
 *
 * Holds thousands of open responses: no request or header timeout beyond Node's defaults for
 * headers, no connection cap, a deep listen backlog (bounded by net.core.somaxconn); the bench
 * starts it with its open-file limit raised to the hard limit, in its own process.
 *
 * Run: STREAM_SECONDS=60 node --import tsx bench/slow-upstream.ts PORT   (prints the port)
 * Self-contained (imports only node: builtins): the bench runs it transpiled to plain JavaScript.
 */
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 0);
const SECONDS = Math.max(1, Number(process.env.STREAM_SECONDS ?? 60));

// Started by a bench with BENCH_PARENT_WATCH=1: exit when the bench goes away (its stdin pipe closes).
if (process.env.BENCH_PARENT_WATCH === '1') {
  process.stdin.once('close', () => process.exit(0));
  process.stdin.resume();
}

const stats = { open: 0, peakOpen: 0, started: 0, completed: 0, cutByClient: 0, nonStream: 0 };
const created = Math.floor(Date.now() / 1000);

const completion = JSON.stringify({
  id: 'chatcmpl-slow',
  object: 'chat.completion',
  created,
  model: 'gpt-bench',
  choices: [{ index: 0, message: { role: 'assistant', content: 'A slow answer.' }, finish_reason: 'stop', logprobs: null }],
  usage: { prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 },
});

function chunk(id: string, delta: object, finish: string | null): string {
  return `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: 'gpt-bench', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
}

function tail(id: string): string {
  const usage = { prompt_tokens: 12, completion_tokens: SECONDS, total_tokens: 12 + SECONDS };
  return (
    chunk(id, {}, 'stop') +
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: 'gpt-bench', choices: [], usage })}\n\n` +
    'data: [DONE]\n\n'
  );
}

const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0, noDelay: true }, (req, res) => {
  if (req.method === 'GET' && req.url === '/_stats') {
    const body = JSON.stringify(stats);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  const parts: Buffer[] = [];
  req.on('data', (c: Buffer) => parts.push(c));
  req.on('end', () => {
    const body = Buffer.concat(parts).toString();
    if (!/"stream"\s*:\s*true/.test(body)) {
      stats.nonStream++;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(completion) });
      res.end(completion);
      return;
    }
    const id = `chatcmpl-slow-${++stats.started}`;
    stats.open++;
    if (stats.open > stats.peakOpen) stats.peakOpen = stats.open;
    let sent = 0;
    let finished = false;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(chunk(id, { role: 'assistant', content: '' }, null));
    const timer = setInterval(() => {
      sent++;
      res.write(chunk(id, { content: `word${sent} ` }, null));
      if (sent >= SECONDS) {
        clearInterval(timer);
        finished = true;
        stats.open--;
        stats.completed++;
        res.end(tail(id));
      }
    }, 1000);
    res.on('close', () => {
      if (finished) return;
      clearInterval(timer);
      finished = true;
      stats.open--;
      stats.cutByClient++;
    });
  });
});
server.listen({ port, host: '127.0.0.1', backlog: 65_535 }, () => {
  const addr = server.address();
  process.stdout.write(`${typeof addr === 'object' && addr ? addr.port : port}\n`);
});
