import type { ConverseRequest } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../api/chat.js';
import type { Target } from '../../config/types.js';
import { GatewayError } from '../../core/errors.js';
import { bedrockAdapter } from './index.js';
import { buildConverseBody } from './request.js';

/**
 * The SDK's model types with binary members as the base64 strings the REST JSON carries. Fixtures
 * typed with it make the compiler check every field name against the official model.
 */
type Wire<T> = T extends Uint8Array ? string : T extends readonly (infer U)[] ? Wire<U>[] : T extends object ? { [K in keyof T]: Wire<T[K]> } : T;
type ConverseWireBody = Wire<Omit<ConverseRequest, 'modelId'>>;

function target(modelId = 'anthropic.claude-3-5-sonnet-20240620-v1:0'): Target {
  return {
    provider: {
      name: 'aws',
      format: 'bedrock',
      baseUrl: 'https://bedrock-runtime.us-east-1.amazonaws.com',
      auth: { type: 'sigv4', accessKeyId: 'AKID', secretAccessKey: 'SECRET', region: 'us-east-1', service: 'bedrock' },
      headers: { 'x-extra': 'yes' },
      timeouts: { connectMs: 1000, firstByteMs: 1000, idleMs: 1000, firstTokenMs: 1000 },
      region: 'us-east-1',
      compliance: [],
      models: new Map(),
      sandbox: false,
      maxConnections: 4,
      http2: false,
    },
    model: { id: modelId, capabilities: new Set(['chat', 'tools', 'vision', 'streaming']), compliance: [] },
  };
}

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

const weather = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe('buildConverseBody', () => {
  it('translates a full conversation into the Converse shape', () => {
    const req: ChatRequest = {
      model: 'claude',
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this picture, and the weather?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
          ],
        },
        {
          role: 'assistant',
          content: '',
          tool_calls: [
            { id: 'tu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'tu_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'tu_1', content: '{"temp":21}' },
        { role: 'tool', tool_call_id: 'tu_2', content: 'cold' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
        { role: 'user', content: 'Thanks' },
      ],
      tools: [weather],
      tool_choice: 'auto',
      max_tokens: 300,
      temperature: 0.2,
      top_p: 0.9,
      stop: 'END',
      seed: 7,
      presence_penalty: 0.5,
    };
    const expected: ConverseWireBody = {
      system: [{ text: 'Be brief.' }, { text: 'Answer in French.' }],
      messages: [
        {
          role: 'user',
          content: [{ text: 'What is in this picture, and the weather?' }, { image: { format: 'png', source: { bytes: PNG } } }],
        },
        {
          role: 'assistant',
          content: [
            { toolUse: { toolUseId: 'tu_1', name: 'get_weather', input: { city: 'Paris' } } },
            { toolUse: { toolUseId: 'tu_2', name: 'get_weather', input: { city: 'Oslo' } } },
          ],
        },
        {
          role: 'user',
          content: [
            { toolResult: { toolUseId: 'tu_1', content: [{ json: { temp: 21 } }] } },
            { toolResult: { toolUseId: 'tu_2', content: [{ text: 'cold' }] } },
            { text: 'Thanks' },
          ],
        },
      ],
      inferenceConfig: { maxTokens: 300, temperature: 0.2, topP: 0.9, stopSequences: ['END'] },
      toolConfig: {
        tools: [{ toolSpec: { name: 'get_weather', description: 'Weather for a city', inputSchema: { json: weather.function.parameters } } }],
        toolChoice: { auto: {} },
      },
    };
    // Compile-time: our wire shape is assignable to the SDK's model.
    const body: ConverseWireBody = buildConverseBody(req);
    expect(body).toEqual(expected);
  });

  it('builds the URL, headers and JSON body of the upstream request', () => {
    const req: ChatRequest = { model: 'x', messages: [{ role: 'user', content: 'hi' }], max_completion_tokens: 10, max_tokens: 99 };
    const plain = bedrockAdapter.buildChatRequest(req, target(), false);
    expect(plain.method).toBe('POST');
    expect(plain.url).toBe('https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse');
    expect(plain.headers).toEqual({ 'content-type': 'application/json', accept: 'application/json', 'x-extra': 'yes' });
    expect(JSON.parse(plain.body)).toEqual({ messages: [{ role: 'user', content: [{ text: 'hi' }] }], inferenceConfig: { maxTokens: 10 } });
    const streamed = bedrockAdapter.buildChatRequest(req, target('arn:aws:bedrock:us-east-1:123:inference-profile/us.x'), true);
    expect(streamed.url).toBe(
      'https://bedrock-runtime.us-east-1.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123%3Ainference-profile%2Fus.x/converse-stream',
    );
    expect(streamed.headers.accept).toBe('application/vnd.amazon.eventstream');
    expect(bedrockAdapter.format).toBe('bedrock');
    expect(bedrockAdapter.framing).toBe('aws-eventstream');
    expect(bedrockAdapter.buildEmbeddingsRequest).toBeUndefined();
  });

  it('refuses remote image URLs and unsupported image types with the offending param', () => {
    const remote: ChatRequest = {
      model: 'x',
      messages: [
        { role: 'system', content: 's' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look' },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
          ],
        },
      ],
    };
    const err = catchError(() => buildConverseBody(remote));
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe('capability_unsupported');
    expect((err as GatewayError).param).toBe('messages[1].content[1].image_url');
    const bmp: ChatRequest = { model: 'x', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/bmp;base64,Qk0=' } }] }] };
    expect(catchError(() => buildConverseBody(bmp))).toMatchObject({ code: 'capability_unsupported', param: 'messages[0].content[0].image_url' });
    const jpg: ChatRequest = { model: 'x', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/JPG;base64,/9j/' } }] }] };
    expect(buildConverseBody(jpg).messages[0]?.content[0]).toEqual({ image: { format: 'jpeg', source: { bytes: '/9j/' } } });
  });

  it('rejects n > 1 and tool arguments that are not JSON', () => {
    expect(catchError(() => buildConverseBody({ model: 'x', messages: [{ role: 'user', content: 'a' }], n: 2 }))).toMatchObject({
      code: 'capability_unsupported',
      param: 'n',
    });
    const bad: ChatRequest = {
      model: 'x',
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{oops' } }] },
      ],
    };
    expect(catchError(() => buildConverseBody(bad))).toMatchObject({ code: 'invalid_request', param: 'messages[1].tool_calls[0].function.arguments' });
  });

  it('merges consecutive same-role turns', () => {
    const body = buildConverseBody({
      model: 'x',
      messages: [
        { role: 'user', content: 'a' },
        { role: 'user', content: 'b' },
        { role: 'assistant', content: 'c' },
        { role: 'assistant', content: [{ type: 'text', text: 'd' }] },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: [{ text: 'a' }, { text: 'b' }] },
      { role: 'assistant', content: [{ text: 'c' }, { text: 'd' }] },
    ]);
  });
});

describe('tool choice', () => {
  const base: ChatRequest = { model: 'x', messages: [{ role: 'user', content: 'hi' }], tools: [weather] };
  const spec = { toolSpec: { name: 'get_weather', description: 'Weather for a city', inputSchema: { json: weather.function.parameters } } };

  it('maps required → any, a named function → tool, unset → no toolChoice', () => {
    expect(buildConverseBody({ ...base, tool_choice: 'required' }).toolConfig).toEqual({ tools: [spec], toolChoice: { any: {} } });
    expect(buildConverseBody({ ...base, tool_choice: { type: 'function', function: { name: 'get_weather' } } }).toolConfig).toEqual({
      tools: [spec],
      toolChoice: { tool: { name: 'get_weather' } },
    });
    expect(buildConverseBody(base).toolConfig).toEqual({ tools: [spec] });
  });

  it('drops the tools for "none", unless the history needs a toolConfig', () => {
    expect(buildConverseBody({ ...base, tool_choice: 'none' }).toolConfig).toBeUndefined();
    const history: ChatRequest = {
      ...base,
      tool_choice: 'none',
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', tool_calls: [{ id: 't1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 't1', content: 'sunny' },
      ],
    };
    expect(buildConverseBody(history).toolConfig).toEqual({ tools: [spec] });
    const { tools: _tools, ...undeclared } = history;
    expect(buildConverseBody(undeclared).toolConfig).toEqual({
      tools: [{ toolSpec: { name: 'get_weather', description: 'A tool used earlier in this conversation.', inputSchema: { json: { type: 'object' } } } }],
    });
  });
});

describe('JSON mode', () => {
  const msgs: ChatRequest['messages'] = [{ role: 'user', content: 'give me json' }];

  it('forces the synthetic json tool for json_object', () => {
    const body = buildConverseBody({ model: 'x', messages: msgs, response_format: { type: 'json_object' } });
    expect(body.toolConfig?.toolChoice).toEqual({ tool: { name: 'json' } });
    expect(body.toolConfig?.tools).toHaveLength(1);
    expect(body.toolConfig?.tools[0]?.toolSpec.inputSchema).toEqual({ json: { type: 'object' } });
  });

  it('wraps a non-object json_schema and offers it beside client tools with toolChoice any', () => {
    const body = buildConverseBody({
      model: 'x',
      messages: msgs,
      tools: [weather],
      response_format: { type: 'json_schema', json_schema: { name: 'list', schema: { type: 'array', items: { type: 'string' } } } },
    });
    expect(body.toolConfig?.toolChoice).toEqual({ any: {} });
    expect(body.toolConfig?.tools.map((t) => t.toolSpec.name)).toEqual(['get_weather', 'json']);
    expect(body.toolConfig?.tools[1]?.toolSpec.inputSchema.json).toEqual({
      type: 'object',
      properties: { value: { type: 'array', items: { type: 'string' } } },
      required: ['value'],
    });
  });

  it('renames the synthetic tool when a client tool is already called "json"', () => {
    const body = buildConverseBody({
      model: 'x',
      messages: msgs,
      tools: [{ type: 'function', function: { name: 'json' } }],
      response_format: { type: 'json_object' },
    });
    expect(body.toolConfig?.tools.map((t) => t.toolSpec.name)).toEqual(['json', 'switchyard_json_response']);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

describe('content parts Converse cannot carry', () => {
  it('refuses audio and file parts with the part named', () => {
    const t = {
      provider: { name: 'b', format: 'bedrock', baseUrl: 'https://bedrock-runtime.us-east-1.amazonaws.com', headers: {} },
      model: { id: 'm' },
    } as unknown as Target;
    const req: ChatRequest = { model: 'x', messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: 'f1' } }] }] };
    let caught: unknown;
    try {
      bedrockAdapter.buildChatRequest(req, t, false);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    expect((caught as GatewayError).code).toBe('capability_unsupported');
    expect((caught as GatewayError).param).toBe('messages[0].content[0].type');
  });
});
