import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Answer, chunk, type ScriptedUpstream, startScriptedUpstream } from '../helpers/scripted-upstream.js';
import { type Stack, startStack } from '../helpers/stack.js';

/**
 * Answers the sandbox does not produce, written out exactly by a scripted OpenAI-format upstream:
 * a deterministic 400, a stream that ends cleanly with no finish_reason, and a stream cut after
 * text and a started tool call.
 */

const TOOL_DELTA = { tool_calls: [{ index: 0, id: 'call_scripted_1', type: 'function', function: { name: 'lookup', arguments: '{"q":' } }] };

function answer(model: string): Answer {
  const [name] = model.split('@');
  switch (name) {
    case 'bad-request':
      return {
        status: 400,
        json: {
          error: { message: "Invalid value for 'temperature': must be at most 2.", type: 'invalid_request_error', param: 'temperature', code: 'invalid_value' },
        },
      };
    case 'no-finish':
      // Content, then a clean end of the body: no finish_reason, no [DONE].
      return {
        events: [chunk(model, { role: 'assistant', content: '' }), chunk(model, { content: 'The answer is' }), chunk(model, { content: ' forty' })],
        end: 'clean',
      };
    case 'text-then-tool':
      return { events: [chunk(model, { role: 'assistant', content: 'Let me look that up. ' }), chunk(model, TOOL_DELTA)], end: 'cut' };
    case 'text-only-cut':
      return { events: [chunk(model, { role: 'assistant', content: 'Let me look that up. ' }), chunk(model, { content: 'It is' })], end: 'cut' };
    default:
      return {
        events: [chunk(model, { role: 'assistant', content: `${name} answered` }), chunk(model, {}, 'stop'), '[DONE]'],
        end: 'clean',
      };
  }
}

let upstream: ScriptedUpstream;
let stack: Stack;

beforeAll(async () => {
  upstream = await startScriptedUpstream((model, body) => {
    const a = answer(model);
    // A JSON request gets the same content as one chat.completion.
    if (body.stream !== true && 'events' in a && a.end === 'clean' && model.startsWith('ok')) {
      return { status: 200, json: completion(model) };
    }
    return a;
  });
  const provider = (models: Record<string, unknown> = {}) => ({ format: 'openai', base_url: `${upstream.url}/v1`, auth: 'none', models });
  stack = await startStack({
    providers: {
      first: provider(),
      // Declares prefill, so it is eligible to continue a stream cut after text.
      second: provider({ 'ok-cont': { capabilities: ['chat', 'streaming', 'tools', 'prefill'] } }),
    },
    models: {
      'fatal-400': { targets: ['first/bad-request@json', 'second/ok@json'] },
      'fatal-400-stream': { targets: ['first/bad-request@stream', 'second/ok@stream'] },
      truncated: { targets: ['first/no-finish'] },
      'tool-cut': { targets: ['first/text-then-tool', 'second/ok-cont'] },
      'text-cut': { targets: ['first/text-only-cut', 'second/ok-cont'] },
    },
  });
});
afterAll(async () => {
  await stack?.close();
  await upstream?.close();
});

function completion(model: string): unknown {
  return {
    id: 'chatcmpl-scripted',
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: `${model} answered` }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
  };
}

const requestsFor = (model: string) => upstream.requests.filter((r) => r.model === model);

async function chat(model: string, stream: boolean) {
  const res = await request(`${stack.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'what is the answer?' }] }),
  });
  return { status: res.statusCode, text: await res.body.text() };
}

/** The data payloads of an SSE body, [DONE] included as a string. */
function events(text: string): { done: boolean; chunks: Record<string, unknown>[] } {
  const data = text
    .trim()
    .split('\n\n')
    .map((e) => e.replace(/^data: /, ''));
  return { done: data.includes('[DONE]'), chunks: data.filter((d) => d !== '[DONE]').map((d) => JSON.parse(d) as Record<string, unknown>) };
}

describe('a deterministic 400 stops the walk', () => {
  it('the second target receives no request and the client gets the 400 (JSON)', async () => {
    const r = await chat('fatal-400', false);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).error.message).toContain("Invalid value for 'temperature'");
    expect(requestsFor('bad-request@json')).toHaveLength(1);
    expect(requestsFor('ok@json')).toHaveLength(0);
  });

  it('the second target receives no request and the client gets the 400 (stream)', async () => {
    const r = await chat('fatal-400-stream', true);
    expect(r.status).toBe(400);
    expect(r.text).not.toContain('data:');
    expect(requestsFor('bad-request@stream')).toHaveLength(1);
    expect(requestsFor('ok@stream')).toHaveLength(0);
  });
});

describe('a stream that ends cleanly after content but without a finish_reason', () => {
  it('is reported as interrupted in-band, never finished with [DONE]', async () => {
    const r = await chat('truncated', true);
    expect(r.status).toBe(200); // content had reached the client before the end
    const { done, chunks } = events(r.text);
    expect(done).toBe(false);
    const text = chunks.map((c) => (c.choices as { delta?: { content?: string } }[] | undefined)?.[0]?.delta?.content ?? '').join('');
    expect(text).toBe('The answer is forty');
    expect(chunks.some((c) => (c.choices as { finish_reason: string | null }[] | undefined)?.[0]?.finish_reason)).toBe(false);
    expect((chunks.at(-1)?.error as { code?: string } | undefined)?.code).toBe('stream_interrupted');
    expect(stack.logs.some((l) => l.event === 'stream_missing_terminal_event' && l.fields.target === 'first/no-finish')).toBe(false);
  });
});

describe('a stream cut after a tool call started', () => {
  it('is not continued on another target: the client gets an error and only the tool call it was sent', async () => {
    const before = requestsFor('ok-cont').length;
    const r = await chat('tool-cut', true);
    const { done, chunks } = events(r.text);
    expect(done).toBe(false);
    expect((chunks.at(-1)?.error as { code?: string } | undefined)?.code).toBe('stream_interrupted');
    const calls = chunks.flatMap((c) => (c.choices as { delta?: { tool_calls?: { id?: string }[] } }[] | undefined)?.[0]?.delta?.tool_calls ?? []);
    expect(calls.map((c) => c.id)).toEqual(['call_scripted_1']);
    expect(requestsFor('ok-cont').slice(before)).toHaveLength(0);
  });

  it('while the same cut after text alone is continued there (the setup can continue)', async () => {
    const before = requestsFor('ok-cont').length;
    const r = await chat('text-cut', true);
    const { done } = events(r.text);
    expect(done).toBe(true);
    expect(r.text).toContain('ok-cont answered');
    const continued = requestsFor('ok-cont').slice(before);
    expect(continued).toHaveLength(1);
    const messages = continued[0]!.body.messages as { role: string; content: unknown }[];
    expect(messages.at(-1)).toMatchObject({ role: 'assistant', content: 'Let me look that up. It is' });
  });
});
