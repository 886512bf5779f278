import type { ChatResponse, FinishReason, ToolCall, Usage } from '../../api/chat.js';
import { failure, UpstreamFailure } from '../../core/failure.js';
import { isRecord } from '../../core/json.js';
import { finishAfterJsonTool, isJsonToolCall, jsonToolPlan, jsonToolText } from '../shared/json-tool.js';
import { tokenCount, usageWithCache } from '../shared/usage.js';
import type { DecodeContext } from '../types.js';

export function finishReasonOf(stopReason: unknown): FinishReason | null {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
    case 'pause_turn':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    case null:
    case undefined:
      return null;
    default:
      // A stop reason newer than this adapter: the turn did end.
      return 'stop';
  }
}

/**
 * Anthropic's input_tokens excludes cached input (see usageWithCache). Caching is reported when
 * either cache counter is present; a cache write is shown only when something was written.
 */
export function usageFromAnthropic(u: Record<string, unknown>): Usage {
  const cacheReported = u.cache_read_input_tokens != null || u.cache_creation_input_tokens != null;
  const cacheWrite = tokenCount(u.cache_creation_input_tokens);
  return usageWithCache(
    tokenCount(u.input_tokens),
    tokenCount(u.output_tokens),
    cacheReported ? tokenCount(u.cache_read_input_tokens) : undefined,
    cacheWrite > 0 ? cacheWrite : undefined,
  );
}

function malformed(message: string): UpstreamFailure {
  return new UpstreamFailure(failure('server_error', `Malformed Anthropic response: ${message}`, { phase: 'body' }));
}

/** Anthropic Message → OpenAI chat.completion. Thinking blocks are not part of the answer text. */
export function parseMessagesResponse(body: unknown, ctx: DecodeContext): ChatResponse {
  if (!isRecord(body)) throw malformed('body is not a JSON object');
  if (!Array.isArray(body.content)) throw malformed('`content` is not an array');
  const plan = jsonToolPlan(ctx.request);
  let text = '';
  const toolCalls: ToolCall[] = [];
  let answeredByJsonTool = false;

  for (const block of body.content as unknown[]) {
    if (!isRecord(block)) continue;
    if (block.type === 'text' && typeof block.text === 'string') text += block.text;
    else if (block.type === 'tool_use') {
      const name = typeof block.name === 'string' ? block.name : '';
      if (isJsonToolCall(plan, name)) {
        text += jsonToolText(plan, block.input);
        answeredByJsonTool = true;
      } else {
        toolCalls.push({
          id: typeof block.id === 'string' ? block.id : `call_${toolCalls.length}`,
          type: 'function',
          function: { name, arguments: JSON.stringify(block.input ?? {}) },
        });
      }
    }
  }

  const finish = finishAfterJsonTool(finishReasonOf(body.stop_reason), answeredByJsonTool, toolCalls.length);

  const response: ChatResponse = {
    id: typeof body.id === 'string' ? body.id : ctx.requestId,
    object: 'chat.completion',
    created: ctx.created,
    model: typeof body.model === 'string' ? body.model : ctx.target.model.id,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text === '' && toolCalls.length > 0 ? null : text,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: finish,
        logprobs: null,
      },
    ],
  };
  if (isRecord(body.usage)) response.usage = usageFromAnthropic(body.usage);
  return response;
}
