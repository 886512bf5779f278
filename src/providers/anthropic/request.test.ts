import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../api/chat.js';
import type { ModelInfo, ProviderConfig, Target } from '../../config/types.js';
import { GatewayError } from '../../core/errors.js';
import { anthropicAdapter, messagesUrl } from './index.js';

function target(over: { headers?: Record<string, string>; maxOutputTokens?: number; baseUrl?: string } = {}): Target {
  const model: ModelInfo = { id: 'claude-sonnet-4-5', capabilities: new Set(['chat', 'tools']), compliance: [] };
  if (over.maxOutputTokens !== undefined) model.maxOutputTokens = over.maxOutputTokens;
  const provider: ProviderConfig = {
    name: 'anthropic',
    format: 'anthropic',
    baseUrl: over.baseUrl ?? 'https://api.anthropic.com',
    auth: { type: 'header', name: 'x-api-key', key: 'sk-test' },
    headers: over.headers ?? {},
    timeouts: { connectMs: 1000, firstByteMs: 1000, idleMs: 1000, firstTokenMs: 1000 },
    compliance: [],
    models: new Map([[model.id, model]]),
    sandbox: false,
    maxConnections: 10,
    http2: false,
  };
  return { provider, model };
}

function build(req: Partial<ChatRequest>, stream = false, t: Target = target()): Record<string, unknown> {
  const up = anthropicAdapter.buildChatRequest({ model: 'm', messages: [], ...req }, t, stream);
  return JSON.parse(up.body) as Record<string, unknown>;
}

describe('anthropic buildChatRequest: envelope', () => {
  it('posts to /v1/messages with the version header and no auth header', () => {
    const up = anthropicAdapter.buildChatRequest({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }, target(), false);
    expect(up.method).toBe('POST');
    expect(up.url).toBe('https://api.anthropic.com/v1/messages');
    expect(up.headers).toEqual({ 'content-type': 'application/json', 'anthropic-version': '2023-06-01' });
    expect(JSON.parse(up.body)).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      messages: [{ role: 'user', content: 'hi' }],
    });
  });

  it('lets configured headers (lower-cased when the config is compiled) override anthropic-version', () => {
    const t = target({ headers: { 'anthropic-version': '2024-01-01', 'anthropic-beta': 'x' } });
    const up = anthropicAdapter.buildChatRequest({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }, t, false);
    expect(up.headers).toEqual({ 'content-type': 'application/json', 'anthropic-version': '2024-01-01', 'anthropic-beta': 'x' });
  });

  it('accepts base URLs with a trailing slash or /v1', () => {
    expect(messagesUrl('http://127.0.0.1:9000/')).toBe('http://127.0.0.1:9000/v1/messages');
    expect(messagesUrl('http://127.0.0.1:9000/v1')).toBe('http://127.0.0.1:9000/v1/messages');
  });

  it('picks max_tokens from max_completion_tokens, max_tokens, the model, then 4096', () => {
    const messages: ChatRequest['messages'] = [{ role: 'user', content: 'x' }];
    expect(build({ messages, max_completion_tokens: 10, max_tokens: 20 }).max_tokens).toBe(10);
    expect(build({ messages, max_tokens: 20 }).max_tokens).toBe(20);
    expect(build({ messages }, false, target({ maxOutputTokens: 64000 })).max_tokens).toBe(64000);
    expect(build({ messages }).max_tokens).toBe(4096);
  });

  it('maps sampling, stop, user and stream; drops what Anthropic lacks', () => {
    const body = build(
      {
        messages: [{ role: 'user', content: 'x' }],
        temperature: 1.6,
        top_p: 0.9,
        stop: 'END',
        user: 'user-42',
        seed: 7,
        presence_penalty: 0.5,
        fallbacks: ['a/b'],
      },
      true,
    );
    expect(body).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      messages: [{ role: 'user', content: 'x' }],
      temperature: 1,
      top_p: 0.9,
      stop_sequences: ['END'],
      metadata: { user_id: 'user-42' },
      stream: true,
    });
    expect(build({ messages: [{ role: 'user', content: 'x' }], stop: ['a', 'b'] }).stop_sequences).toEqual(['a', 'b']);
  });

  it('refuses n > 1 as a capability Anthropic lacks', () => {
    const err = (() => {
      try {
        build({ messages: [{ role: 'user', content: 'x' }], n: 2 });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe('capability_unsupported');
    expect((err as GatewayError).param).toBe('n');
  });
});

describe('anthropic buildChatRequest: messages', () => {
  it('hoists system and developer messages into system', () => {
    expect(
      build({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'hi' },
        ],
      }).system,
    ).toBe('Be brief.');
    const body = build({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Use French.' }] },
        { role: 'user', content: 'hi' },
      ],
    });
    expect(body.system).toEqual([
      { type: 'text', text: 'Be brief.' },
      { type: 'text', text: 'Use French.' },
    ]);
    expect(body.messages).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('merges consecutive same-role messages', () => {
    const body = build({
      messages: [
        { role: 'user', content: 'one' },
        { role: 'user', content: 'two' },
        { role: 'assistant', content: 'three' },
        { role: 'assistant', content: [{ type: 'text', text: 'four' }] },
        { role: 'user', content: 'five' },
      ],
    });
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'one' },
          { type: 'text', text: 'two' },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'three' },
          { type: 'text', text: 'four' },
        ],
      },
      { role: 'user', content: 'five' },
    ]);
  });

  it('translates data: and https image URLs', () => {
    const body = build({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in these?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'high' } },
          ],
        },
      ],
    });
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in these?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
        ],
      },
    ]);
  });

  it('rejects image media types Anthropic cannot read, naming the part', () => {
    try {
      build({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/bmp;base64,AAAA' } }] }] });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(GatewayError);
      expect((e as GatewayError).code).toBe('capability_unsupported');
      expect((e as GatewayError).param).toBe('messages[0].content[0].image_url.url');
    }
  });

  it('turns tool calls into tool_use and consecutive tool results into one user turn', () => {
    const body = build({
      messages: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [
            { id: 'toolu_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
            { id: 'toolu_2', type: 'function', function: { name: 'weather', arguments: '{"city":"Rome"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_1', content: '18C' },
        {
          role: 'tool',
          tool_call_id: 'toolu_2',
          content: [
            { type: 'text', text: '24C' },
            { type: 'text', text: ' sunny' },
          ],
        },
        { role: 'user', content: 'Thanks, which is warmer?' },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_2', name: 'weather', input: { city: 'Rome' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: '18C' },
          {
            type: 'tool_result',
            tool_use_id: 'toolu_2',
            content: [
              { type: 'text', text: '24C' },
              { type: 'text', text: ' sunny' },
            ],
          },
          { type: 'text', text: 'Thanks, which is warmer?' },
        ],
      },
    ]);
  });

  it('keeps unparseable tool arguments verbatim and treats empty ones as no arguments', () => {
    const body = build({
      messages: [
        { role: 'user', content: 'go' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'a', type: 'function', function: { name: 'f', arguments: '{"city": "Par' } },
            { id: 'b', type: 'function', function: { name: 'g', arguments: '' } },
            { id: 'c', type: 'function', function: { name: 'h', arguments: '[1,2]' } },
          ],
        },
      ],
    });
    const assistant = (body.messages as { content: { input: unknown }[] }[])[1];
    expect(assistant?.content.map((b) => b.input)).toEqual([{ _raw_arguments: '{"city": "Par' }, {}, { _raw_arguments: '[1,2]' }]);
  });

  it('sends a final assistant message as prefill with trailing whitespace trimmed', () => {
    const body = build({
      messages: [
        { role: 'user', content: 'Name a colour as JSON.' },
        { role: 'assistant', content: '{"colour": ' },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: 'Name a colour as JSON.' },
      { role: 'assistant', content: '{"colour":' },
    ]);
  });

  it('drops empty text and empty turns', () => {
    const body = build({
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: '' },
        {
          role: 'user',
          content: [
            { type: 'text', text: '' },
            { type: 'text', text: 'b' },
          ],
        },
      ],
    });
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
      },
    ]);
  });
});

describe('anthropic buildChatRequest: tools', () => {
  const weather = {
    type: 'function' as const,
    function: {
      name: 'weather',
      description: 'Current weather',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  };
  const messages: ChatRequest['messages'] = [{ role: 'user', content: 'hi' }];

  it('maps tools to name/description/input_schema', () => {
    const body = build({ messages, tools: [weather, { type: 'function', function: { name: 'now' } }] });
    expect(body.tools).toEqual([
      {
        name: 'weather',
        description: 'Current weather',
        input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
      { name: 'now', input_schema: { type: 'object', properties: {} } },
    ]);
    expect(body.tool_choice).toBeUndefined();
  });

  it.each([
    ['auto', { type: 'auto' }],
    ['required', { type: 'any' }],
    ['none', { type: 'none' }],
    [
      { type: 'function', function: { name: 'weather' } },
      { type: 'tool', name: 'weather' },
    ],
  ] as const)('maps tool_choice %j', (choice, expected) => {
    expect(build({ messages, tools: [weather], tool_choice: choice }).tool_choice).toEqual(expected);
  });

  it('maps parallel_tool_calls:false to disable_parallel_tool_use', () => {
    expect(build({ messages, tools: [weather], parallel_tool_calls: false }).tool_choice).toEqual({
      type: 'auto',
      disable_parallel_tool_use: true,
    });
    expect(build({ messages, tools: [weather], tool_choice: 'required', parallel_tool_calls: false }).tool_choice).toEqual({
      type: 'any',
      disable_parallel_tool_use: true,
    });
  });

  it('implements json_schema as a forced "json" tool', () => {
    const schema = { type: 'object', properties: { colour: { type: 'string' } }, required: ['colour'] };
    const body = build({ messages, response_format: { type: 'json_schema', json_schema: { name: 'colour', schema } } });
    expect(body.tools).toEqual([{ name: 'json', description: expect.any(String), input_schema: schema }]);
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'json', disable_parallel_tool_use: true });
  });

  it('implements json_object with an open object schema, wrapping non-object roots', () => {
    expect(build({ messages, response_format: { type: 'json_object' } }).tools).toEqual([
      { name: 'json', description: expect.any(String), input_schema: { type: 'object' } },
    ]);
    const list = { type: 'array', items: { type: 'string' } };
    const body = build({ messages, response_format: { type: 'json_schema', json_schema: { name: 'l', schema: list } } });
    expect((body.tools as { input_schema: unknown }[])[0]?.input_schema).toEqual({
      type: 'object',
      properties: { value: list },
      required: ['value'],
    });
  });

  it('with client tools and JSON mode, lets the model pick a tool or the JSON answer', () => {
    const body = build({ messages, tools: [weather], response_format: { type: 'json_object' } });
    expect((body.tools as { name: string }[]).map((t) => t.name)).toEqual(['weather', 'json']);
    expect(body.tool_choice).toEqual({ type: 'any' });
    const clash = build({
      messages,
      tools: [{ type: 'function', function: { name: 'json' } }],
      tool_choice: 'none',
      response_format: { type: 'json_object' },
    });
    expect((clash.tools as { name: string }[]).map((t) => t.name)).toEqual(['json', 'switchyard_json_response']);
    expect(clash.tool_choice).toEqual({ type: 'tool', name: 'switchyard_json_response', disable_parallel_tool_use: true });
  });
});
