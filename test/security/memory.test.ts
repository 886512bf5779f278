import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNDECLARED_DEFAULTS } from '../../src/config/defaults.js';

const fixture = fileURLToPath(new URL('./fixtures/flood-gateway.ts', import.meta.url));
const NAMES = 100_000;
const MB = 1024 * 1024;

let child: ChildProcess;
let pool: Pool;

beforeAll(async () => {
  child = fork(fixture, [], { execArgv: ['--expose-gc', '--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`gateway exited ${code}`)));
  });
  pool = new Pool(`http://127.0.0.1:${port}`, { connections: 16 });
}, 60_000);

afterAll(async () => {
  await pool?.close();
  child?.kill();
});

function memory(): Promise<NodeJS.MemoryUsage> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as NodeJS.MemoryUsage));
    child.send('memory');
  });
}

async function post(path: string, model: string): Promise<number> {
  const res = await pool.request({
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
  await res.body.dump();
  return res.statusCode;
}

/** `count` requests, 32 at a time; returns how many were not 200. */
async function flood(count: number, request: (i: number) => Promise<number>): Promise<number> {
  let next = 0;
  let bad = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) if ((await request(i)) !== 200) bad++;
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  return bad;
}

describe('state for client-named targets is bounded', () => {
  it(`${NAMES.toLocaleString('en')} invented provider/model names grow RSS by at most 20 MB and keep /admin/targets bounded`, async () => {
    // Warm up on the declared model only, so the baseline has JIT code and sockets but no invented target.
    expect(await flood(20_000, (i) => post(i % 2 ? '/v1/chat/completions' : '/v1/route/explain', 'known'))).toBe(0);
    const before = await memory();

    // Half are planned only (explain), half are sent to the upstream.
    expect(await flood(NAMES, (i) => post(i % 2 ? '/v1/chat/completions' : '/v1/route/explain', `up/invented-${i}`))).toBe(0);
    const after = await memory();

    const res = await pool.request({ method: 'GET', path: '/admin/targets' });
    const text = await res.body.text();
    const listed = (JSON.parse(text) as { targets: { target: string }[] }).targets.map((t) => t.target);
    // The declared target, and the most recently used invented ones up to the cap.
    expect(listed).toContain('up/known-model');
    expect(listed.length).toBe(1 + UNDECLARED_DEFAULTS.max);
    expect(listed).toContain(`up/invented-${NAMES - 1}`);
    expect(listed).not.toContain('up/invented-1');
    // Explain planned 50,000 names and created state for none of them.
    expect(listed.filter((t) => Number(t.slice('up/invented-'.length)) % 2 === 0)).toEqual([]);

    const growth = (after.rss - before.rss) / MB;
    console.log(
      `RSS ${(before.rss / MB).toFixed(1)} → ${(after.rss / MB).toFixed(1)} MB (+${growth.toFixed(1)}), heap ${(before.heapUsed / MB).toFixed(1)} → ${(after.heapUsed / MB).toFixed(1)} MB, /admin/targets ${listed.length} entries, ${(text.length / 1024).toFixed(0)} KB`,
    );
    expect(growth).toBeLessThanOrEqual(20);
  }, 180_000);
});
