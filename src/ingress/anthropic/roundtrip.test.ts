import { describe, expect, it } from 'vitest';
import type { ModelInfo, ProviderConfig, Target } from '../../config/types.js';
import { anthropicAdapter } from '../../providers/anthropic/index.js';
import { messagesToChatRequest } from './request.js';

/** Anthropic request → canonical (ingress) → Anthropic request (egress) keeps what both sides can express. */
describe('Anthropic request round trip through the canonical form', () => {
  const model: ModelInfo = { id: 'claude-sonnet-4-5', capabilities: new Set(['chat']), compliance: [] };
  const provider = { name: 'anthropic', format: 'anthropic', baseUrl: 'http://127.0.0.1:1', headers: {} } as unknown as ProviderConfig;
  const target: Target = { provider, model };

  it('reproduces system, turns, images, tools, tool results and options', () => {
    const original = {
      model: 'claude-sonnet-4-5',
      max_tokens: 512,
      system: 'You are terse.',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is the weather where this photo was taken?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/webp', data: 'UklGRg==' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Looks like Paris.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: '18C, clear' },
            { type: 'text', text: 'And tomorrow?' },
          ],
        },
      ],
      tools: [{ name: 'get_weather', description: 'Weather by city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      tool_choice: { type: 'tool', name: 'get_weather', disable_parallel_tool_use: true },
      stop_sequences: ['END'],
      temperature: 0.3,
      metadata: { user_id: 'u-9' },
      stream: true,
    };
    const up = anthropicAdapter.buildChatRequest(messagesToChatRequest(original), target, true);
    expect(JSON.parse(up.body)).toEqual(original);
  });
});
