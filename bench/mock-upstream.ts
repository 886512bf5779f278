/**
 * A fast OpenAI-format upstream for overhead benchmarks: fixed answers, no parsing beyond what
 * routing needs, so the measured cost is the gateway's. Run: node --import tsx bench/mock-upstream.ts PORT
 */
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 0);

// Started by a bench with BENCH_PARENT_WATCH=1: exit when the bench goes away (its stdin pipe closes).
if (process.env.BENCH_PARENT_WATCH === '1') {
  process.stdin.once('close', () => process.exit(0));
  process.stdin.resume();
}

const completion = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1700000000,
  model: 'gpt-bench',
  choices: [{ index: 0, message: { role: 'assistant', content: 'The quick brown fox jumps over the lazy dog.' }, finish_reason: 'stop', logprobs: null }],
  usage: { prompt_tokens: 12, completion_tokens: 10, total_tokens: 22 },
});

const words = 'The quick brown fox jumps over the lazy dog .'.split(' ');
const chunk = (delta: object, finish: string | null): string =>
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-bench', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const stream =
  chunk({ role: 'assistant', content: '' }, null) +
  words.map((w) => chunk({ content: `${w} ` }, null)).join('') +
  chunk({}, 'stop') +
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-bench', choices: [], usage: { prompt_tokens: 12, completion_tokens: 10, total_tokens: 22 } })}\n\n` +
  'data: [DONE]\n\n';

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const parts: Buffer[] = [];
  req.on('data', (c: Buffer) => parts.push(c));
  req.on('end', () => {
    const body = Buffer.concat(parts).toString();
    if (body.includes('"stream":true')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(stream);
    } else {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(completion) });
      res.end(completion);
    }
  });
});
server.listen(port, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`${typeof addr === 'object' && addr ? addr.port : port}\n`);
});
