import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';

// The source, not the built dist/: the test sees the code it tests without a build first.
const root = fileURLToPath(new URL('../../', import.meta.url));
const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
/** `node --import tsx src/cli/main.ts ARGS`, resolving tsx from the repository. */
const cli = (args: string[]) => ['--import', 'tsx', main, ...args];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGTERM');
});

/** The environment with every provider credential removed: a newcomer's machine. */
function bareEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  return env;
}

function start(args: string[], env: NodeJS.ProcessEnv): Promise<{ out: () => string; url: string }> {
  const child = spawn(process.execPath, cli(args), { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not listening after 10 s:\n${out}`)), 10_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ out: () => out, url: m[1]! });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`exited ${code}:\n${out}`)));
  });
}

describe('switchyard CLI', () => {
  it('serve with no config and no credentials starts on sandbox providers and says so', async () => {
    const { out, url } = await start(['serve', '--port', '0'], bareEnv());
    expect(out()).toContain('SANDBOX MODE');
    const res = await request(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] }),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-switchyard-sandbox']).toBe('true');
    const body = (await res.body.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]?.message.content).toContain('Hello');
    const ready = await request(`${url}/readyz`);
    expect(await ready.body.json()).toMatchObject({ status: 'ready', sandbox: true });
  });

  it('serve configures itself from OPENAI_API_KEY when it is set', async () => {
    const { out } = await start(['serve', '--port', '0'], { ...bareEnv(), OPENAI_API_KEY: 'sk-test-not-real', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' });
    expect(out()).not.toContain('SANDBOX MODE');
    expect(out()).toMatch(/providers: .*openai \(openai\)/);
    expect(out()).not.toContain('sk-test-not-real');
  });

  it('sandbox serves the three wire formats and the attempts log', async () => {
    const { out, url } = await start(['sandbox', '--port', '0', '--quiet'], bareEnv());
    expect(out()).toContain(`${url}/anthropic`);
    const res = await request(`${url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'error-503', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(res.statusCode).toBe(503);
    await res.body.dump();
    const log = (await (await request(`${url}/_sandbox/attempts`)).body.json()) as { model: string; status: number }[];
    expect(log.map((a) => [a.model, a.status])).toEqual([['error-503', 503]]);
  });

  it('check accepts a valid example and rejects a bad file with paths', async () => {
    const run = (args: string[], env: NodeJS.ProcessEnv) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const c = spawn(process.execPath, cli(args), { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        c.stdout.on('data', (d: Buffer) => (out += d.toString()));
        c.stderr.on('data', (d: Buffer) => (out += d.toString()));
        c.on('exit', (code) => resolve({ code, out }));
      });
    const [ok, bad] = await Promise.all([
      run(['check', fileURLToPath(new URL('../../examples/sandbox.yaml', import.meta.url))], bareEnv()),
      run(['check', fileURLToPath(new URL('../fixtures/bad-config.yaml', import.meta.url))], bareEnv()),
    ]);
    expect(ok.code).toBe(0);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('providers.openai.base_ulr');
    expect(bad.out).toContain('base_url');
  });
});
