import { describe, expect, it } from 'vitest';
import { buildReply, fragmentJson, tokenize } from './reply.js';
import { createRng, fixed, sampleDelay } from './rng.js';
import { builtInBehaviour, DEFAULT_BEHAVIOUR, scenarioNameOf } from './scenarios.js';
import { sampleFromSchema, sampleObjectFromSchema } from './schema-sample.js';
import type { Dialogue } from './types.js';

const dialogue = (patch: Partial<Dialogue> = {}): Dialogue => ({
  format: 'openai',
  model: 'ok',
  stream: false,
  lastUserText: 'hello',
  last: 'user',
  toolResults: [],
  tools: [],
  toolsAllowed: true,
  forcedTools: [],
  parallelTools: true,
  json: null,
  promptWords: 1,
  maxTokens: null,
  includeUsage: false,
  ...patch,
});

describe('schema sampling', () => {
  it('fills required properties by type, follows $ref, anyOf, enum, const and bounds', () => {
    const schema = {
      type: 'object',
      $defs: { addr: { type: 'object', properties: { zip: { type: 'string', format: 'uuid' } }, required: ['zip'] } },
      properties: {
        a: { type: 'string' },
        n: { type: 'number', minimum: 3 },
        i: { type: 'integer', maximum: 0 },
        b: { type: 'boolean' },
        e: { enum: ['x', 'y'] },
        c: { const: 42 },
        u: { anyOf: [{ type: 'null' }, { type: 'integer' }] },
        addr: { $ref: '#/$defs/addr' },
        list: { type: 'array', items: { type: 'string' }, minItems: 2 },
        skipped: { type: 'string' },
      },
      required: ['a', 'n', 'i', 'b', 'e', 'c', 'u', 'addr', 'list'],
    };
    expect(sampleObjectFromSchema(schema)).toEqual({
      a: 'sample a',
      n: 3,
      i: 0,
      b: true,
      e: 'x',
      c: 42,
      u: 1,
      addr: { zip: '00000000-0000-4000-8000-000000000000' },
      list: ['sample list', 'sample list'],
    });
  });

  it('accepts Gemini upper-case types and survives recursive refs', () => {
    expect(sampleFromSchema({ type: 'OBJECT', properties: { k: { type: 'INTEGER' } } })).toEqual({ k: 1 });
    const recursive = { $defs: { node: { type: 'object', properties: { next: { $ref: '#/$defs/node' } }, required: ['next'] } }, $ref: '#/$defs/node' };
    expect(JSON.stringify(sampleFromSchema(recursive)).length).toBeLessThan(200);
    expect(sampleObjectFromSchema(undefined)).toEqual({});
  });
});

describe('reply generation', () => {
  it('tokenizes into words that join back to the text', () => {
    expect(tokenize('a bb  ccc')).toEqual(['a ', 'bb  ', 'ccc']);
    expect(fragmentJson('{"city":"x"}')).toEqual(['{"ci', 'ty":', '"x"}']);
  });

  it('pads replies past the fault point so the fault lands mid-stream', () => {
    const reply = buildReply(dialogue(), builtInBehaviour('cut-after-10') ?? DEFAULT_BEHAVIOUR, 'call_');
    expect(reply.kind === 'text' ? reply.tokens.length : 0).toBe(13);
    expect(reply.kind === 'text' ? reply.tokens.join('') : '').toBe('Sandbox (openai/ok) reply to: hello and then some more words follow here and');
  });

  it('makes at most one call without parallel tools and none after a tool result', () => {
    const tools = [
      { name: 'a', parameters: {} },
      { name: 'b', parameters: {} },
      { name: 'c', parameters: {} },
    ];
    const par = buildReply(dialogue({ tools }), DEFAULT_BEHAVIOUR, 'call_');
    expect(par.kind === 'tools' ? par.calls.map((c) => [c.id, c.name]) : []).toEqual([
      ['call_0', 'a'],
      ['call_1', 'b'],
    ]);
    const single = buildReply(dialogue({ tools, parallelTools: false }), DEFAULT_BEHAVIOUR, 'call_');
    expect(single.kind === 'tools' ? single.calls.length : 0).toBe(1);
    const after = buildReply(dialogue({ tools, last: 'tool', toolResults: ['42'] }), DEFAULT_BEHAVIOUR, 'call_');
    expect(after).toMatchObject({ kind: 'text', finish: 'stop' });
    expect(after.kind === 'text' ? after.tokens.join('') : '').toBe('Sandbox (openai/ok) received tool result: 42');
  });
});

describe('scenario names and randomness', () => {
  it('strips the @tag and parses cut-after-N / stall-after-N', () => {
    expect(scenarioNameOf('error-503@run-7')).toBe('error-503');
    expect(builtInBehaviour('cut-after-12')?.cutAfter).toBe(12);
    expect(builtInBehaviour('stall-after-4')?.stallAfter).toBe(4);
    expect(builtInBehaviour('gpt-4o')).toBeNull();
  });

  it('samples delays reproducibly and within bounds', () => {
    const draw = (seed: number): number[] => {
      const rng = createRng(seed);
      return Array.from({ length: 20 }, () => sampleDelay({ distribution: 'uniform', min_ms: 10, max_ms: 20 }, rng));
    };
    expect(draw(5)).toEqual(draw(5));
    expect(draw(5).every((ms) => ms >= 10 && ms <= 20)).toBe(true);
    const rng = createRng(1);
    expect(sampleDelay(fixed(7), rng)).toBe(7);
    expect(sampleDelay({ distribution: 'normal', mean_ms: 0, stddev_ms: 100 }, rng)).toBeGreaterThanOrEqual(0);
    const logn = Array.from({ length: 200 }, () => sampleDelay({ distribution: 'lognormal', median_ms: 50, sigma: 0.3 }, rng)).sort((a, b) => a - b);
    expect(logn[100]).toBeGreaterThan(35);
    expect(logn[100]).toBeLessThan(70);
  });
});
