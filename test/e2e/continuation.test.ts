import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    providers: {
      'sb-openai': { sandbox: true, format: 'openai' },
      // Declaring `prefill` is what makes a target eligible to continue a cut answer.
      'sb-anthropic': {
        sandbox: true,
        format: 'anthropic',
        models: {
          'claude-cont': { capabilities: ['chat', 'streaming', 'tools', 'prefill'] },
          'reject-prefill@k2': { capabilities: ['chat', 'streaming', 'prefill'] },
        },
      },
    },
    models: {
      continued: { targets: ['sb-openai/cut-after-5@k1', 'sb-anthropic/claude-cont'] },
      refused: { targets: ['sb-openai/cut-after-5@k2', 'sb-anthropic/reject-prefill@k2'] },
      tools: { targets: ['sb-openai/cut-after-2@k3', 'sb-anthropic/claude-cont'] },
    },
  });
});
afterAll(() => stack.close());

async function stream(model: string, body: Record<string, unknown> = {}) {
  const res = await request(`${stack.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'tell me a long story please' }], ...body }),
  });
  const text = await res.body.text();
  const events = text
    .trim()
    .split('\n\n')
    .map((e) => e.replace(/^data: /, ''));
  const chunks = events
    .filter((e) => e !== '[DONE]')
    .map(
      (e) =>
        JSON.parse(e) as {
          id?: string;
          error?: { code: string; message: string };
          choices?: { delta: { role?: string; content?: string }; finish_reason: string | null }[];
        },
    );
  return { text, chunks, done: events.at(-1) === '[DONE]' };
}

describe('a stream cut after content', () => {
  it('continues on a fallback that declares prefill support, stitched into one answer', async () => {
    const r = await stream('continued');
    expect(r.done).toBe(true);
    const content = r.chunks.map((c) => c.choices?.[0]?.delta.content ?? '').join('');
    expect(content).toContain('Sandbox (openai/cut-after-5@k1)'); // the part sent before the cut
    expect(content).toContain('Sandbox (anthropic/claude-cont)'); // the continuation
    expect(new Set(r.chunks.map((c) => c.id)).size).toBe(1); // one answer, one id
    expect(r.chunks.filter((c) => c.choices?.[0]?.delta.role !== undefined)).toHaveLength(1); // one role
    expect(r.chunks.at(-1)?.choices?.[0]?.finish_reason).toBe('stop');
    expect(stack.logs.some((l) => l.event === 'stream_continued' && l.fields.to === 'sb-anthropic/claude-cont')).toBe(true);
  });

  it('a fallback that refuses the continuation does not mask the real failure', async () => {
    const r = await stream('refused');
    expect(r.done).toBe(false);
    const last = r.chunks.at(-1)!;
    expect(last.error?.code).toBe('stream_interrupted');
    expect(last.error?.message).toContain('sb-openai/cut-after-5@k2 failed after content was sent');
    expect(stack.logs.some((l) => l.event === 'stream_continuation_failed' && l.fields.to === 'sb-anthropic/reject-prefill@k2')).toBe(true);
  });

  it('is never continued after a tool call started', async () => {
    const tool = { type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } } };
    const before = stack.sandbox.attempts().filter((a) => a.model === 'claude-cont').length;
    const r = await stream('tools', { tools: [tool] });
    expect(r.done).toBe(false);
    expect(r.chunks.at(-1)?.error?.code).toBe('stream_interrupted');
    expect(stack.sandbox.attempts().filter((a) => a.model === 'claude-cont').length).toBe(before);
  });
});
