import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../helpers/stack.js';

/** Embeddings are planned by the routing engine, like chat: compliance, classes and explainable exclusions apply. */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    providers: {
      'sb-openai': { sandbox: true, format: 'openai' },
      'sb-anthropic': { sandbox: true, format: 'anthropic' },
      'sb-gemini': { sandbox: true, format: 'gemini', compliance: ['hipaa'] },
    },
    models: {
      emb: { targets: ['sb-openai/text-embedding-3-small', 'sb-gemini/text-embedding-004'] },
      wrong: { targets: ['sb-anthropic/claude-haiku-4-5'] },
    },
  });
});
afterAll(() => stack.close());

async function embed(model: string, headers: Record<string, string> = {}) {
  const res = await request(`${stack.url}/v1/embeddings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model, input: 'hello' }),
  });
  return { status: res.statusCode, headers: res.headers, body: (await res.body.json()) as { error?: { code: string; message: string } } };
}

describe('embeddings through the routing engine', () => {
  it('take the first target of the route', async () => {
    const r = await embed('emb');
    expect(r.status).toBe(200);
    expect(r.headers['x-switchyard-provider']).toBe('sb-openai');
    expect(r.headers['x-switchyard-route']).toMatch(/^route=emb; class=default; strategy=priority; .*target=sb-openai\/text-embedding-3-small$/);
  });

  it('honour x-switchyard-data-class: only a compliant target serves', async () => {
    const r = await embed('emb', { 'x-switchyard-data-class': 'hipaa' });
    expect(r.status).toBe(200);
    expect(r.headers['x-switchyard-provider']).toBe('sb-gemini');
  });

  it('exclude wire formats without an embeddings endpoint, and say so', async () => {
    const r = await embed('wrong');
    expect(r.status).toBe(400);
    expect(r.body.error?.code).toBe('no_eligible_target');
    expect(r.body.error?.message).toContain('sb-anthropic/claude-haiku-4-5: capability (its wire format (anthropic) has no embeddings endpoint in Switchyard)');
  });
});
