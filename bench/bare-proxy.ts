/**
 * The floor for any Node.js gateway: a bare hop (node:http server, undici Pool client, no parsing,
 * no logic). bench/proxy-overhead.ts measures it beside Switchyard so the figures say how much of
 * the gap to the direct path is Node's and how much is Switchyard's.
 * Run: node --import tsx bench/bare-proxy.ts PORT UPSTREAM_URL
 */
import { createServer } from 'node:http';
import { Pool } from 'undici';

const port = Number(process.argv[2] ?? 0);

// Started by a bench with BENCH_PARENT_WATCH=1: exit when the bench goes away (its stdin pipe closes).
if (process.env.BENCH_PARENT_WATCH === '1') {
  process.stdin.once('close', () => process.exit(0));
  process.stdin.resume();
}
const upstream = new Pool(process.argv[3] ?? 'http://127.0.0.1:8000', { connections: 128 });

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const parts: Buffer[] = [];
  req.on('data', (c: Buffer) => parts.push(c));
  req.on('end', () => {
    upstream
      .request({ path: req.url ?? '/', method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.concat(parts) })
      .then(async (up) => {
        res.writeHead(up.statusCode, { 'content-type': String(up.headers['content-type'] ?? 'application/json') });
        for await (const chunk of up.body) res.write(chunk);
        res.end();
      })
      .catch(() => {
        res.writeHead(502);
        res.end();
      });
  });
});
server.listen(port, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`${typeof addr === 'object' && addr ? addr.port : port}\n`);
});
