import { describe, expect, it } from 'vitest';
import type { ChatChunk, ChunkDelta, FinishReason, Usage } from '../../api/chat.js';
import { ChunksToAnthropicEvents } from './events.js';

const chunk = (delta: ChunkDelta, finish: FinishReason | null = null): ChatChunk => ({
  id: 'chatcmpl-9',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'gpt-4o',
  choices: [{ index: 0, delta, finish_reason: finish }],
});
const usageChunk = (usage: Usage): ChatChunk => ({ id: 'chatcmpl-9', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [], usage });

describe('ChunksToAnthropicEvents', () => {
  it('produces the Anthropic event sequence for text then two tool calls', () => {
    const t = new ChunksToAnthropicEvents('smart');
    const events = [
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'Checking ' }),
      chunk({ content: 'both.' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_A', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_B', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } }] }),
      chunk({}, 'tool_calls'),
      usageChunk({ prompt_tokens: 130, completion_tokens: 40, total_tokens: 170, prompt_tokens_details: { cached_tokens: 100 } }),
    ].flatMap((c) => t.push(c));
    events.push(...t.finish());
    expect(t.finish()).toEqual([]);

    expect(events).toEqual([
      {
        event: 'message_start',
        data: {
          type: 'message_start',
          message: {
            id: 'chatcmpl-9',
            type: 'message',
            role: 'assistant',
            model: 'smart',
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: 0, output_tokens: 0 },
          },
        },
      },
      { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } },
      { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Checking ' } } },
      { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'both.' } } },
      { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
      {
        event: 'content_block_start',
        data: { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'call_A', name: 'get_weather', input: {} } },
      },
      { event: 'content_block_delta', data: { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"city":' } } },
      { event: 'content_block_delta', data: { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '"Paris"}' } } },
      { event: 'content_block_stop', data: { type: 'content_block_stop', index: 1 } },
      {
        event: 'content_block_start',
        data: { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'call_B', name: 'get_weather', input: {} } },
      },
      { event: 'content_block_delta', data: { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"city":"Rome"}' } } },
      { event: 'content_block_stop', data: { type: 'content_block_stop', index: 2 } },
      {
        event: 'message_delta',
        data: {
          type: 'message_delta',
          delta: { stop_reason: 'tool_use', stop_sequence: null },
          usage: { input_tokens: 30, output_tokens: 40, cache_read_input_tokens: 100 },
        },
      },
      { event: 'message_stop', data: { type: 'message_stop' } },
    ]);
  });

  it('ends a stream that produced nothing with a valid, empty message', () => {
    const t = new ChunksToAnthropicEvents('smart', { messageId: 'msg_fixed', inputTokens: 12 });
    const events = t.finish();
    expect(events.map((e) => e.event)).toEqual(['message_start', 'message_delta', 'message_stop']);
    expect(events[0]?.data).toMatchObject({ message: { id: 'msg_fixed', usage: { input_tokens: 12, output_tokens: 0 } } });
    expect(events[1]?.data).toEqual({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 0 } });
  });

  it('opens a new text block when text follows a tool call, and maps length to max_tokens', () => {
    const t = new ChunksToAnthropicEvents('m');
    const events = [chunk({ tool_calls: [{ index: 0, id: 'c', function: { name: 'f', arguments: '{}' } }] }), chunk({ content: 'after' }, 'length')].flatMap(
      (c) => t.push(c),
    );
    events.push(...t.finish());
    expect(events.map((e) => `${e.event}${'index' in e.data ? `#${String(e.data.index)}` : ''}`)).toEqual([
      'message_start',
      'content_block_start#0',
      'content_block_delta#0',
      'content_block_stop#0',
      'content_block_start#1',
      'content_block_delta#1',
      'content_block_stop#1',
      'message_delta',
      'message_stop',
    ]);
    expect(events.at(-2)?.data).toMatchObject({ delta: { stop_reason: 'max_tokens' } });
  });
});
