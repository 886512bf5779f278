import type { AnthropicTextBlock, AnthropicToolUseBlock } from '../../api/anthropic.js';
import { toolInput } from '../../api/anthropic.js';
import type { ChatResponse, FinishReason, Usage } from '../../api/chat.js';
import type { AnthropicMessage, AnthropicResponseUsage, AnthropicStopReason } from './types.js';

export function stopReasonOf(finish: FinishReason | null | undefined): AnthropicStopReason {
  switch (finish) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

/**
 * OpenAI usage → Anthropic usage. Anthropic's input_tokens counts only uncached input, with cache
 * reads and writes reported beside it, so the cached parts are taken out of prompt_tokens.
 */
export function anthropicUsage(usage: Usage | null | undefined): AnthropicResponseUsage {
  if (!usage) return { input_tokens: 0, output_tokens: 0 };
  const cacheRead = usage.prompt_tokens_details?.cached_tokens;
  const cacheWrite = usage.prompt_tokens_details?.cache_write_tokens;
  const out: AnthropicResponseUsage = {
    input_tokens: Math.max(0, usage.prompt_tokens - (cacheRead ?? 0) - (cacheWrite ?? 0)),
    output_tokens: usage.completion_tokens,
  };
  if (cacheWrite !== undefined) out.cache_creation_input_tokens = cacheWrite;
  if (cacheRead !== undefined) out.cache_read_input_tokens = cacheRead;
  return out;
}

/**
 * The canonical response → an Anthropic Message. `model` echoes what the client asked for, as
 * the client's own routing name is what it knows. Only the first choice exists in Anthropic's
 * shape. Tool arguments that are not a JSON object keep their text under `_raw_arguments`.
 */
export function chatResponseToMessage(res: ChatResponse, requestedModel: string): AnthropicMessage {
  const choice = res.choices[0];
  const content: Array<AnthropicTextBlock | AnthropicToolUseBlock> = [];
  const text = choice?.message.content ?? choice?.message.refusal ?? '';
  if (text !== '') content.push({ type: 'text', text });
  for (const call of choice?.message.tool_calls ?? []) {
    content.push({ type: 'tool_use', id: call.id, name: call.function.name, input: toolInput(call.function.arguments) });
  }
  return {
    id: res.id,
    type: 'message',
    role: 'assistant',
    content,
    model: requestedModel,
    stop_reason: stopReasonOf(choice?.finish_reason),
    stop_sequence: null,
    usage: anthropicUsage(res.usage),
  };
}
