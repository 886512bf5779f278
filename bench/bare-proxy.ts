/**
 * The floor for any Node.js gateway: a bare hop (node:http server, undici Pool client, no parsing,
 * no logic). bench/proxy-overhead.ts measures it beside Switchyard so the figures say how much of
 * the gap to the direct path is Node's and how much is Switchyard's.
 * bench/many-streams.ts can run it in Switchyard's place (STREAMS_GATEWAY=bare) as the reference
 * for what holding thousands of streams costs any Node process.
 * Run: node --import tsx bench/bare-proxy.ts PORT UPSTREAM_URL
 * Env: BARE_CONNECTIONS (upstream pool size, default 128 like Switchyard's default); with
 * SWITCHYARD_BENCH_ELD=1 it prints `eld p99_ms=<n> max_ms=<n>` every 5 s (the line Switchyard is to
 * print under the same variable; this is a reference implementation of that contract).
 * Self-contained (imports only undici and node: builtins): the benches run it transpiled.
 */
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Pool } from 'undici';

const port = Number(process.argv[2] ?? 0);

// Started by a bench with BENCH_PARENT_WATCH=1: exit when the bench goes away (its stdin pipe closes).
if (process.env.BENCH_PARENT_WATCH === '1') {
  process.stdin.once('close', () => process.exit(0));
  process.stdin.resume();
}

if (process.env.SWITCHYARD_BENCH_ELD === '1') {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  setInterval(() => {
    process.stdout.write(`eld p99_ms=${(h.percentile(99) / 1e6).toFixed(1)} max_ms=${(h.max / 1e6).toFixed(1)}\n`);
    h.reset();
  }, 5_000).unref();
}

const upstream = new Pool(process.argv[3] ?? 'http://127.0.0.1:8000', { connections: Number(process.env.BARE_CONNECTIONS ?? 128) });

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
