import { ApiError, BlockedReason, FinishReason, FunctionCallingConfigMode, GoogleGenAI, Type } from '@google/genai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxServer, startSandbox } from './index.js';

let sb: SandboxServer;
let ai: GoogleGenAI;

beforeAll(async () => {
  sb = await startSandbox();
  ai = new GoogleGenAI({ apiKey: 'x', httpOptions: { baseUrl: `${sb.url}/gemini` } });
});
afterAll(() => sb.close());

const declarations = [
  {
    name: 'book_flight',
    parameters: {
      type: Type.OBJECT,
      properties: { from: { type: Type.STRING }, seats: { type: Type.INTEGER }, class: { type: Type.STRING, enum: ['economy', 'business'] } },
      required: ['from', 'seats', 'class'],
    },
  },
  { name: 'cancel', parametersJsonSchema: { type: 'object', properties: { ref: { type: 'string' } }, required: ['ref'] } },
];

describe('sandbox speaks Gemini to the official SDK', () => {
  it('answers generateContent with text, finishReason and usageMetadata', async () => {
    const res = await ai.models.generateContent({
      model: 'ok@g1',
      contents: 'Summarise the news today',
      config: { systemInstruction: 'be short' },
    });
    expect(res.text).toBe('Sandbox (gemini/ok@g1) reply to: Summarise the news today');
    expect(res.candidates?.[0]?.finishReason).toBe(FinishReason.STOP);
    expect(res.modelVersion).toBe('ok@g1');
    expect(res.usageMetadata).toMatchObject({ promptTokenCount: 6, candidatesTokenCount: 8, totalTokenCount: 14 });
    expect(sb.attempts().at(-1)).toMatchObject({ format: 'gemini', path: '/gemini/v1beta/models/ok@g1:generateContent', model: 'ok@g1' });
  });

  it('streams with alt=sse, one token per event and finishReason only on the last', async () => {
    const stream = await ai.models.generateContentStream({ model: 'ok', contents: 'stream please' });
    const texts: string[] = [];
    const finishes: (string | undefined)[] = [];
    let usage: unknown;
    for await (const chunk of stream) {
      texts.push(chunk.text ?? '');
      finishes.push(chunk.candidates?.[0]?.finishReason);
      usage = chunk.usageMetadata;
    }
    expect(texts.join('')).toBe('Sandbox (gemini/ok) reply to: stream please');
    expect(texts).toHaveLength(6);
    expect(finishes.slice(0, -1).every((f) => f === undefined)).toBe(true);
    expect(finishes.at(-1)).toBe(FinishReason.STOP);
    expect(usage).toMatchObject({ promptTokenCount: 2, candidatesTokenCount: 6, totalTokenCount: 8 });
    expect(sb.attempts().at(-1)?.path).toBe('/gemini/v1beta/models/ok:streamGenerateContent?alt=sse');
  });

  it('answers declared functions with functionCall parts built from the schemas', async () => {
    const res = await ai.models.generateContent({
      model: 'ok',
      contents: 'book me a flight',
      config: { tools: [{ functionDeclarations: declarations }] },
    });
    expect(res.functionCalls).toEqual([
      { name: 'book_flight', args: { from: 'sample from', seats: 1, class: 'economy' } },
      { name: 'cancel', args: { ref: 'sample ref' } },
    ]);
    const stream = await ai.models.generateContentStream({
      model: 'ok',
      contents: 'book me a flight',
      config: {
        tools: [{ functionDeclarations: declarations }],
        toolConfig: { functionCallingConfig: { mode: FunctionCallingConfigMode.ANY, allowedFunctionNames: ['cancel'] } },
      },
    });
    const names: string[] = [];
    for await (const chunk of stream) for (const call of chunk.functionCalls ?? []) names.push(call.name ?? '');
    expect(names).toEqual(['cancel']);
  });

  it('replies with the functionResponse content when the last turn is one', async () => {
    const res = await ai.models.generateContent({
      model: 'ok',
      contents: [
        { role: 'user', parts: [{ text: 'book it' }] },
        { role: 'model', parts: [{ functionCall: { name: 'book_flight', args: {} } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'book_flight', response: { ref: 'ABC123' } } }] },
      ],
      config: { tools: [{ functionDeclarations: declarations }] },
    });
    expect(res.functionCalls).toBeUndefined();
    expect(res.text).toBe('Sandbox (gemini/ok) received tool result: {"ref":"ABC123"}');
  });

  it('returns JSON for responseMimeType and responseSchema', async () => {
    const plain = await ai.models.generateContent({ model: 'ok', contents: 'json', config: { responseMimeType: 'application/json' } });
    expect(JSON.parse(plain.text ?? '')).toEqual({ answer: 'Sandbox (gemini/ok) reply to: json' });
    const typed = await ai.models.generateContent({
      model: 'ok',
      contents: 'json',
      config: {
        responseMimeType: 'application/json',
        responseSchema: {
          type: Type.OBJECT,
          properties: { ok: { type: Type.BOOLEAN }, items: { type: Type.ARRAY, items: { type: Type.NUMBER } } },
          required: ['ok', 'items'],
        },
      },
    });
    expect(JSON.parse(typed.text ?? '')).toEqual({ ok: true, items: [1.5] });
  });

  it('embeds with batchEmbedContents, honouring outputDimensionality', async () => {
    const res = await ai.models.embedContent({ model: 'embed', contents: ['one', 'two'], config: { outputDimensionality: 4 } });
    expect(res.embeddings).toHaveLength(2);
    expect(res.embeddings?.[0]?.values).toHaveLength(4);
    expect(res.embeddings?.[0]?.values).not.toEqual(res.embeddings?.[1]?.values);
    expect(sb.attempts().at(-1)?.path).toBe('/gemini/v1beta/models/embed:batchEmbedContents');
  });

  it('blocks content-filter prompts with promptFeedback and no candidates', async () => {
    const res = await ai.models.generateContent({ model: 'content-filter', contents: 'bad' });
    expect(res.candidates).toBeUndefined();
    expect(res.promptFeedback?.blockReason).toBe(BlockedReason.SAFETY);
  });

  it('surfaces errors in Gemini shape as ApiError', async () => {
    const err: unknown = await ai.models.generateContent({ model: 'context-length', contents: 'hello' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    if (err instanceof ApiError) {
      expect(err.status).toBe(400);
      const body: unknown = JSON.parse(err.message);
      expect(body).toEqual({
        error: { code: 400, status: 'INVALID_ARGUMENT', message: 'The input token count (1048577) exceeds the maximum number of tokens allowed (1048576).' },
      });
    }
    const limited: unknown = await ai.models.generateContentStream({ model: 'rate-limit-once@g', contents: 'x' }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(ApiError);
    if (limited instanceof ApiError) {
      expect(limited.status).toBe(429);
      expect(limited.message).toContain('RESOURCE_EXHAUSTED');
      expect(limited.message).toContain('"retryDelay":"1s"');
    }
  });
});
