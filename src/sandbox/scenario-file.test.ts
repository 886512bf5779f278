import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadScenarioFile, type SandboxServer, startSandbox } from './index.js';
import { chatCall, type RawResult, rawRequest } from './raw-client.js';
import { compileModel } from './scenario-file.js';

const dir = mkdtempSync(join(tmpdir(), 'sandbox-scenarios-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

let sb: SandboxServer | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

function call(model: string, stream = false): Promise<RawResult> {
  if (!sb) throw new Error('sandbox not started');
  const c = chatCall(sb.url, 'openai', model, { stream });
  return rawRequest(c.url, { body: c.body, headers: c.headers });
}

describe('loadScenarioFile', () => {
  it('reads YAML with distributions, overrides and a base scenario', () => {
    const path = file(
      'good.yaml',
      `seed: 7
models:
  flaky:
    error_rate: 0.5
    error_status: 503
    retry_after_s: 0.25
    first_token_ms: { distribution: lognormal, median_ms: 20, sigma: 0.5 }
    token_ms: 2
  short-cut:
    base: cut-after-5
    cut_after: 1
`,
    );
    const parsed = loadScenarioFile(path);
    expect(parsed.seed).toBe(7);
    const flaky = compileModel('flaky', parsed.models.flaky ?? {});
    expect(flaky).toMatchObject({
      scenario: 'flaky',
      errorRate: 0.5,
      errorStatus: 503,
      retryAfterS: 0.25,
      firstTokenMs: { distribution: 'lognormal', median_ms: 20, sigma: 0.5 },
      tokenMs: { distribution: 'fixed', ms: 2 },
    });
    expect(compileModel('short-cut', parsed.models['short-cut'] ?? {})).toMatchObject({ cutAfter: 1, scenario: 'short-cut' });
  });

  it('reads JSON too', () => {
    const path = file('good.json', JSON.stringify({ models: { x: { base: 'rate-limit' } } }));
    expect(loadScenarioFile(path).models.x).toEqual({ base: 'rate-limit' });
  });

  it('names the path and the offending field in validation errors', () => {
    const path = file('bad.yaml', 'models:\n  m:\n    error_rate: 2\n    colour: blue\n');
    expect(() => loadScenarioFile(path)).toThrow(path);
    expect(() => loadScenarioFile(path)).toThrow(/models\.m\.error_rate/);
    expect(() => loadScenarioFile(path)).toThrow(/colour/);
    const badBase = file('bad-base.yaml', 'models:\n  m:\n    base: explode\n');
    expect(() => loadScenarioFile(badBase)).toThrow(/models\.m\.base: not a built-in scenario/);
  });

  it('names the path for unreadable and unparseable files', () => {
    const missing = join(dir, 'missing.yaml');
    expect(() => loadScenarioFile(missing)).toThrow(`Cannot read sandbox scenario file ${missing}: ENOENT`);
    const broken = file('broken.yaml', 'models: {a: [1, 2\n');
    expect(() => loadScenarioFile(broken)).toThrow(`Cannot parse sandbox scenario file ${broken}`);
  });
});

describe('scenario files drive the sandbox', () => {
  it('replays seeded error rates identically and differently for another seed', async () => {
    const scenarios = loadScenarioFile(file('rate.yaml', 'models:\n  coin:\n    error_rate: 0.5\n    error_status: 429\n'));
    const run = async (seed: number): Promise<number[]> => {
      sb = await startSandbox({ scenarios, seed });
      const statuses: number[] = [];
      for (let i = 0; i < 16; i++) statuses.push((await call('coin')).status ?? 0);
      await sb.close();
      sb = undefined;
      return statuses;
    };
    const a = await run(1);
    expect(await run(1)).toEqual(a);
    expect(a).toContain(429);
    expect(a).toContain(200);
    expect(await run(2)).not.toEqual(a);
  });

  it('applies an outage window measured from the first request', async () => {
    const scenarios = loadScenarioFile(file('outage.yaml', 'models:\n  down:\n    outage: { start_after_ms: 0, duration_ms: 150 }\n'));
    sb = await startSandbox({ scenarios });
    expect((await call('down')).status).toBe(503);
    await new Promise((r) => setTimeout(r, 200));
    expect((await call('down')).status).toBe(200);
  });

  it('file entries override built-ins, apply to tagged ids, and fixed replies and token counts work', async () => {
    const scenarios = loadScenarioFile(
      file(
        'mix.yaml',
        'models:\n  ok:\n    reply: "fixed answer here"\n  long:\n    tokens: 12\n  retry:\n    fail_first: 2\n    error_status: 429\n    retry_after_s: 0.5\n',
      ),
    );
    sb = await startSandbox({ scenarios });
    const ok = await call('ok@x');
    expect(JSON.parse(ok.body)).toMatchObject({ choices: [{ message: { content: 'fixed answer here' } }] });
    const long = JSON.parse((await call('long')).body) as { usage: { completion_tokens: number }; choices: { message: { content: string } }[] };
    expect(long.usage.completion_tokens).toBe(12);
    expect(long.choices[0]?.message.content.split(' ')).toHaveLength(12);
    const first = await call('retry');
    expect(first.status).toBe(429);
    expect(first.headers['retry-after']).toBe('1');
    expect(first.headers['retry-after-ms']).toBe('500');
    expect((await call('retry')).status).toBe(429);
    expect((await call('retry')).status).toBe(200);
    expect(sb.attempts().map((a) => a.scenario)).toEqual(['ok', 'long', 'retry', 'retry', 'retry']);
  });

  it('rejects an invalid programmatic scenario object', async () => {
    await expect(startSandbox({ scenarios: { models: { m: { error_rate: -1 } } } })).rejects.toThrow(/options\.scenarios.*models\.m\.error_rate/);
  });
});
