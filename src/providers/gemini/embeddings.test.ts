import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../core/errors.js';
import { geminiAdapter } from './index.js';
import { geminiTarget } from './test-fixtures.js';

const target = geminiTarget('text-embedding-004');
const build = geminiAdapter.buildEmbeddingsRequest;
const parse = geminiAdapter.parseEmbeddingsResponse;
if (!build || !parse) throw new Error('gemini adapter must support embeddings');

describe('gemini embeddings', () => {
  it('builds one batchEmbedContents request per input string', () => {
    const req = build({ model: 'emb', input: ['alpha', 'beta'], dimensions: 256 }, target);
    expect(req.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/text-embedding-004:batchEmbedContents');
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body)).toEqual({
      requests: [
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'alpha' }] }, outputDimensionality: 256 },
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'beta' }] }, outputDimensionality: 256 },
      ],
    });
    expect(JSON.parse(build({ model: 'emb', input: 'solo' }, target).body)).toEqual({
      requests: [{ model: 'models/text-embedding-004', content: { parts: [{ text: 'solo' }] } }],
    });
  });

  it('refuses token-array input', () => {
    for (const input of [[1, 2, 3], [[1, 2]]]) {
      let caught: unknown;
      try {
        build({ model: 'emb', input }, target);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(GatewayError);
      expect((caught as GatewayError).code).toBe('invalid_request');
      expect((caught as GatewayError).param).toBe('input');
    }
  });

  it('parses embeddings into the OpenAI list shape with zero usage when none is reported', () => {
    const body = { embeddings: [{ values: [0.1, -0.2, 0.3] }, { values: [1, 0, -1] }] };
    expect(parse(body, { model: 'emb', input: ['a', 'b'] }, target)).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: [0.1, -0.2, 0.3] },
        { object: 'embedding', index: 1, embedding: [1, 0, -1] },
      ],
      model: 'text-embedding-004',
      usage: { prompt_tokens: 0, total_tokens: 0 },
    });
  });

  it('encodes base64 as little-endian float32 when asked', () => {
    const res = parse({ embeddings: [{ values: [1.5, -2] }] }, { model: 'emb', input: 'a', encoding_format: 'base64' }, target);
    const encoded = res.data[0]?.embedding;
    expect(typeof encoded).toBe('string');
    const bytes = Buffer.from(encoded as string, 'base64');
    expect([bytes.readFloatLE(0), bytes.readFloatLE(4)]).toEqual([1.5, -2]);
  });
});
