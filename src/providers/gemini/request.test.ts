import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../api/chat.js';
import { GatewayError } from '../../core/errors.js';
import { geminiAdapter } from './index.js';
import { buildGenerateContentBody } from './request.js';
import { geminiTarget } from './test-fixtures.js';
import { encodeToolCallId, UNSIGNED_SIGNATURE } from './tool-ids.js';

const req = (over: Partial<ChatRequest>): ChatRequest => ({ model: 'm', messages: [{ role: 'user', content: 'hi' }], ...over });

describe('buildChatRequest', () => {
  it('targets generateContent and the SSE stream endpoint without adding auth', () => {
    const target = geminiTarget('gemini-2.5-pro', { 'x-extra': '1' });
    const plain = geminiAdapter.buildChatRequest(req({}), target, false);
    expect(plain.method).toBe('POST');
    expect(plain.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:generateContent');
    expect(plain.headers).toEqual({ 'x-extra': '1', 'content-type': 'application/json' });
    const streamed = geminiAdapter.buildChatRequest(req({}), target, true);
    expect(streamed.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse');
    expect(JSON.parse(streamed.body)).toEqual({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
  });

  it('keeps a tuned model path and trims a trailing slash on the base URL', () => {
    const target = geminiTarget('tunedModels/my-tune');
    const t = { ...target, provider: { ...target.provider, baseUrl: 'http://127.0.0.1:9/' } };
    expect(geminiAdapter.buildChatRequest(req({}), t, false).url).toBe('http://127.0.0.1:9/v1beta/tunedModels/my-tune:generateContent');
  });
});

describe('buildGenerateContentBody: messages', () => {
  it('gathers system and developer messages into systemInstruction and maps roles', () => {
    const body = buildGenerateContentBody(
      req({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
          { role: 'user', content: 'Hello' },
          { role: 'assistant', content: 'Bonjour' },
          { role: 'user', content: 'Again' },
          { role: 'user', content: [{ type: 'text', text: 'please' }] },
        ],
      }),
    );
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }, { text: 'Answer in French.' }] });
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Hello' }] },
      { role: 'model', parts: [{ text: 'Bonjour' }] },
      { role: 'user', parts: [{ text: 'Again' }, { text: 'please' }] },
    ]);
  });

  it('sends data: URLs inline and http URLs as fileData with a guessed MIME type', () => {
    const body = buildGenerateContentBody(
      req({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Compare' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.webp?size=large' } },
              { type: 'image_url', image_url: { url: 'https://example.com/render/123' } },
            ],
          },
        ],
      }),
    );
    expect(body.contents[0]?.parts).toEqual([
      { text: 'Compare' },
      { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
      { fileData: { mimeType: 'image/webp', fileUri: 'https://example.com/cat.webp?size=large' } },
      { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/render/123' } },
    ]);
  });

  it('round-trips tool calls: functionCall args, then functionResponse named from the call id, merged into one turn', () => {
    const signed = encodeToolCallId('call_a', 'c2lnbmF0dXJl');
    const body = buildGenerateContentBody(
      req({
        messages: [
          { role: 'user', content: 'Weather in Paris and Oslo?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: signed, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
              { id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{"city":"Oslo"}' } },
            ],
          },
          { role: 'tool', tool_call_id: signed, content: '{"tempC":21}' },
          { role: 'tool', tool_call_id: 'call_b', content: '14:05' },
        ],
      }),
    );
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Paris and Oslo?' }] },
      {
        role: 'model',
        parts: [
          { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'c2lnbmF0dXJl' },
          { functionCall: { name: 'get_time', args: { city: 'Oslo' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { tempC: 21 } } },
          { functionResponse: { name: 'get_time', response: { content: '14:05' } } },
        ],
      },
    ]);
  });

  it('gives unsigned history the documented bypass signature on the first call of a turn only', () => {
    const body = buildGenerateContentBody(
      req({
        messages: [
          { role: 'user', content: 'go' },
          {
            role: 'assistant',
            content: 'Calling.',
            tool_calls: [
              { id: 'toolu_1', type: 'function', function: { name: 'a', arguments: '' } },
              { id: 'toolu_2', type: 'function', function: { name: 'b', arguments: '[1,2]' } },
            ],
          },
        ],
      }),
    );
    expect(body.contents[1]?.parts).toEqual([
      { text: 'Calling.' },
      { functionCall: { name: 'a', args: {} }, thoughtSignature: UNSIGNED_SIGNATURE },
      { functionCall: { name: 'b', args: { value: [1, 2] } } },
    ]);
  });

  it('rejects a tool result that answers no earlier call', () => {
    const call = () =>
      buildGenerateContentBody(
        req({
          messages: [
            { role: 'user', content: 'x' },
            { role: 'tool', tool_call_id: 'nope', content: 'r' },
          ],
        }),
      );
    expect(call).toThrow(GatewayError);
    try {
      call();
    } catch (err) {
      expect((err as GatewayError).param).toBe('messages[1].tool_call_id');
    }
  });
});

describe('buildGenerateContentBody: tools and generation config', () => {
  it('declares tools with a Gemini-compatible JSON schema', () => {
    const body = buildGenerateContentBody(
      req({
        tools: [
          {
            type: 'function',
            function: {
              name: 'lookup',
              description: 'Find a record',
              strict: true,
              parameters: {
                $schema: 'http://json-schema.org/draft-07/schema#',
                type: 'object',
                additionalProperties: false,
                properties: {
                  id: { type: 'string', pattern: '^[a-z]+$', minLength: 2 },
                  kind: { const: 'user' },
                  // a property literally named like a keyword must survive
                  default: { type: ['integer', 'null'], default: 3 },
                  owner: { $ref: '#/definitions/Person', description: 'dropped beside $ref' },
                  tags: { type: 'array', items: { type: 'string', examples: ['x'] } },
                },
                required: ['id'],
                definitions: { Person: { type: 'object', properties: { name: { type: 'string' } }, additionalProperties: false } },
              },
            },
          },
          { type: 'function', function: { name: 'ping' } },
        ],
        tool_choice: { type: 'function', function: { name: 'lookup' } },
      }),
    );
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: 'lookup',
            description: 'Find a record',
            parametersJsonSchema: {
              type: 'object',
              additionalProperties: false,
              properties: {
                id: { type: 'string' },
                kind: { enum: ['user'] },
                default: { type: ['integer', 'null'] },
                owner: { $ref: '#/$defs/Person' },
                tags: { type: 'array', items: { type: 'string' } },
              },
              required: ['id'],
              $defs: { Person: { type: 'object', properties: { name: { type: 'string' } }, additionalProperties: false } },
            },
          },
          { name: 'ping' },
        ],
      },
    ]);
    expect(body.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['lookup'] } });
  });

  it.each([
    ['auto', 'AUTO'],
    ['required', 'ANY'],
    ['none', 'NONE'],
  ] as const)('maps tool_choice %s to mode %s', (choice, mode) => {
    const body = buildGenerateContentBody(req({ tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: choice }));
    expect(body.toolConfig).toEqual({ functionCallingConfig: { mode } });
  });

  it('maps sampling parameters and json_schema output', () => {
    const body = buildGenerateContentBody(
      req({
        temperature: 0.2,
        top_p: 0.9,
        max_tokens: 50,
        max_completion_tokens: 100,
        stop: 'END',
        seed: 7,
        n: 2,
        response_format: {
          type: 'json_schema',
          json_schema: {
            name: 'answer',
            strict: true,
            schema: { type: 'object', properties: { a: { type: 'number' } }, additionalProperties: false, $schema: 'x' },
          },
        },
      }),
    );
    expect(body.generationConfig).toEqual({
      temperature: 0.2,
      topP: 0.9,
      maxOutputTokens: 100,
      stopSequences: ['END'],
      seed: 7,
      candidateCount: 2,
      responseMimeType: 'application/json',
      responseJsonSchema: { type: 'object', properties: { a: { type: 'number' } }, additionalProperties: false },
    });
  });

  it('maps json_object to a JSON MIME type and leaves generationConfig out when nothing is set', () => {
    expect(buildGenerateContentBody(req({ response_format: { type: 'json_object' } })).generationConfig).toEqual({
      responseMimeType: 'application/json',
    });
    expect(buildGenerateContentBody(req({})).generationConfig).toBeUndefined();
  });
});
