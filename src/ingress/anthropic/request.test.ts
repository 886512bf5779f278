import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../core/errors.js';
import { messagesToChatRequest } from './request.js';

const minimal = { model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: 'Hello' }] };

function rejection(body: unknown): GatewayError {
  try {
    messagesToChatRequest(body);
  } catch (e) {
    if (e instanceof GatewayError) return e;
    throw e;
  }
  throw new Error('expected a GatewayError');
}

describe('messagesToChatRequest', () => {
  it('translates a minimal request', () => {
    expect(messagesToChatRequest(minimal)).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 1024,
      messages: [{ role: 'user', content: 'Hello' }],
    });
  });

  it('translates system, sampling, stop, metadata and stream; drops top_k', () => {
    const req = messagesToChatRequest({
      ...minimal,
      system: [{ type: 'text', text: 'Be terse.', cache_control: { type: 'ephemeral' } }],
      temperature: 0.2,
      top_p: 0.9,
      top_k: 40,
      stop_sequences: ['\n\nHuman:'],
      metadata: { user_id: 'u-1' },
      stream: true,
      thinking: { type: 'enabled', budget_tokens: 2048 },
    });
    expect(req).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 1024,
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'Hello' },
      ],
      temperature: 0.2,
      top_p: 0.9,
      stop: ['\n\nHuman:'],
      user: 'u-1',
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('translates images from base64 and url sources', () => {
    const req = messagesToChatRequest({
      ...minimal,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
            { type: 'text', text: 'Compare them.' },
          ],
        },
      ],
    });
    expect(req.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } },
          { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
          { type: 'text', text: 'Compare them.' },
        ],
      },
    ]);
  });

  it('translates a tool round trip: tool_use → tool_calls, tool_result → tool messages first', () => {
    const req = messagesToChatRequest({
      ...minimal,
      tools: [{ name: 'get_weather', description: 'Weather by city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      messages: [
        { role: 'user', content: 'Paris and Rome?' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Two calls.', signature: 'sig' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Rome' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Here you go.' },
            { type: 'tool_result', tool_use_id: 'toolu_1', content: '18C' },
            { type: 'tool_result', tool_use_id: 'toolu_2', content: [{ type: 'text', text: 'station offline' }], is_error: true },
          ],
        },
      ],
    });
    expect(req.tools).toEqual([
      {
        type: 'function',
        function: { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
      },
    ]);
    expect(req.tool_choice).toBe('required');
    expect(req.parallel_tool_calls).toBe(false);
    expect(req.messages).toEqual([
      { role: 'user', content: 'Paris and Rome?' },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'toolu_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: '18C' },
      { role: 'tool', tool_call_id: 'toolu_2', content: 'Error: station offline' },
      { role: 'user', content: 'Here you go.' },
    ]);
  });

  it('moves images out of a tool_result into the following user message', () => {
    const req = messagesToChatRequest({
      ...minimal,
      messages: [
        { role: 'user', content: 'shot?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'screenshot', input: {} }] },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 't1',
              content: [
                { type: 'text', text: 'captured' },
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } },
              ],
            },
          ],
        },
      ],
    });
    expect(req.messages.slice(1)).toEqual([
      { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'screenshot', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 't1', content: 'captured' },
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,iVBOR' } }] },
    ]);
  });

  it.each([
    [{ type: 'auto' }, 'auto'],
    [{ type: 'none' }, 'none'],
    [
      { type: 'tool', name: 'get_weather' },
      { type: 'function', function: { name: 'get_weather' } },
    ],
  ])('maps tool_choice %j', (choice, expected) => {
    expect(messagesToChatRequest({ ...minimal, tool_choice: choice }).tool_choice).toEqual(expected);
  });

  it('maps output_config.format to response_format json_schema', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    expect(messagesToChatRequest({ ...minimal, output_config: { format: { type: 'json_schema', schema } } }).response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'response', schema },
    });
  });

  it.each([
    [{ ...minimal, max_tokens: undefined }, 'max_tokens', /Field required/],
    [{ ...minimal, max_tokens: 0 }, 'max_tokens', /positive integer/],
    [{ ...minimal, model: 3 }, 'model', /non-empty string/],
    [{ ...minimal, messages: [] }, 'messages', /non-empty array/],
    [{ ...minimal, messages: [{ role: 'bot', content: 'x' }] }, 'messages[0].role', /allowed: "user", "assistant"/],
    [{ ...minimal, messages: [{ role: 'user', content: [{ type: 'video' }] }] }, 'messages[0].content[0].type', /allowed: text, image, tool_result/],
    [
      { ...minimal, messages: [{ role: 'assistant', content: [{ type: 'tool_result', tool_use_id: 'x' }] }] },
      'messages[0].content[0].type',
      /allowed: text, tool_use/,
    ],
    [
      { ...minimal, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'gcs' } }] }] },
      'messages[0].content[0].source.type',
      /base64" or "url"/,
    ],
    [{ ...minimal, temperature: 1.5 }, 'temperature', /between 0 and 1/],
    [{ ...minimal, tool_choice: { type: 'sometimes' } }, 'tool_choice.type', /allowed: auto, any, tool, none/],
    [{ ...minimal, tools: [{ name: 'f' }] }, 'tools[0].input_schema', /JSON Schema object/],
    [{ ...minimal, stop_sequences: 'END' }, 'stop_sequences', /array of strings/],
  ])('rejects an invalid request (%#) naming %s', (body, param, message) => {
    const err = rejection(body);
    expect(err.code).toBe('invalid_request');
    expect(err.param).toBe(param);
    expect(err.message).toMatch(message);
  });

  it('refuses server tools and documents as unsupported capabilities', () => {
    const tool = rejection({ ...minimal, tools: [{ type: 'web_search_20250305', name: 'web_search' }] });
    expect([tool.code, tool.param]).toEqual(['capability_unsupported', 'tools[0].type']);
    const doc = rejection({ ...minimal, messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'text', data: 'x' } }] }] });
    expect([doc.code, doc.param]).toEqual(['capability_unsupported', 'messages[0].content[0].type']);
  });

  it('rejects a body that is not an object', () => {
    expect(rejection('hello').code).toBe('invalid_request');
  });
});
