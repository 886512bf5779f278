import { describe, expect, it } from 'vitest';
import type { ChatResponse } from '../../api/chat.js';
import { GatewayError } from '../../core/errors.js';
import { errorEvent, toAnthropicErrorBody } from './errors.js';
import { chatResponseToMessage } from './response.js';

const res = (over: Partial<ChatResponse['choices'][number]>, usage?: ChatResponse['usage']): ChatResponse => ({
  id: 'msg_gw_1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-2024-08-06',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hi.' }, finish_reason: 'stop', logprobs: null, ...over }],
  ...(usage ? { usage } : {}),
});

describe('chatResponseToMessage', () => {
  it('builds a text message with Anthropic usage (cached input split out)', () => {
    const msg = chatResponseToMessage(
      res({}, { prompt_tokens: 120, completion_tokens: 8, total_tokens: 128, prompt_tokens_details: { cached_tokens: 100 } }),
      'smart',
    );
    expect(msg).toEqual({
      id: 'msg_gw_1',
      type: 'message',
      role: 'assistant',
      content: [{ type: 'text', text: 'Hi.' }],
      model: 'smart',
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 20, output_tokens: 8, cache_read_input_tokens: 100 },
    });
  });

  it('turns tool_calls into tool_use blocks with parsed input', () => {
    const msg = chatResponseToMessage(
      res({
        message: {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_b', type: 'function', function: { name: 'now', arguments: '' } },
          ],
        },
        finish_reason: 'tool_calls',
      }),
      'smart',
    );
    expect(msg.content).toEqual([
      { type: 'tool_use', id: 'call_a', name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'call_b', name: 'now', input: {} },
    ]);
    expect(msg.stop_reason).toBe('tool_use');
    expect(msg.usage).toEqual({ input_tokens: 0, output_tokens: 0 });
  });

  it.each([
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['tool_calls', 'tool_use'],
    ['content_filter', 'refusal'],
    [null, 'end_turn'],
  ] as const)('maps finish_reason %s to %s', (finish, stop) => {
    expect(chatResponseToMessage(res({ finish_reason: finish }), 'm').stop_reason).toBe(stop);
  });
});

describe('Anthropic error shapes', () => {
  it.each([
    ['invalid_request', 'invalid_request_error'],
    ['model_not_found', 'not_found_error'],
    ['rate_limited', 'rate_limit_error'],
    ['upstream_overloaded', 'overloaded_error'],
    ['upstream_timeout', 'timeout_error'],
    ['body_too_large', 'request_too_large'],
    ['upstream_error', 'api_error'],
    ['internal_error', 'api_error'],
  ] as const)('%s → %s', (code, type) => {
    expect(toAnthropicErrorBody(new GatewayError(code, 'boom')).error.type).toBe(type);
  });

  it('names the parameter in the message', () => {
    expect(toAnthropicErrorBody(new GatewayError('invalid_request', 'Field required.', { param: 'max_tokens' }))).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'max_tokens: Field required.' },
    });
  });

  it('wraps the body in an error event for streams', () => {
    expect(errorEvent(new GatewayError('upstream_overloaded', 'All providers are overloaded.'))).toEqual({
      event: 'error',
      data: { type: 'error', error: { type: 'overloaded_error', message: 'All providers are overloaded.' } },
    });
  });
});
