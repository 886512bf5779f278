import type { ChatResponse, FinishReason, ToolCall, Usage } from '../../api/chat.js';
import { failure, UpstreamFailure } from '../failure.js';
import type { DecodeContext } from '../types.js';
import { jsonModePlan, jsonModeText } from './json-mode.js';
import { isRecord } from './wire.js';

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

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/**
 * Anthropic's input_tokens excludes cached input; OpenAI's prompt_tokens includes it. Both the
 * cache reads and the cache writes are input the prompt consisted of, so both are added back.
 */
export function usageFromAnthropic(u: Record<string, unknown>): Usage {
  const cacheRead = num(u.cache_read_input_tokens);
  const cacheWrite = num(u.cache_creation_input_tokens);
  const prompt = num(u.input_tokens) + cacheRead + cacheWrite;
  const completion = num(u.output_tokens);
  const usage: Usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  if (u.cache_read_input_tokens != null || u.cache_creation_input_tokens != null) {
    usage.prompt_tokens_details = { cached_tokens: cacheRead };
    if (cacheWrite > 0) usage.prompt_tokens_details.cache_write_tokens = cacheWrite;
  }
  return usage;
}

function malformed(message: string): UpstreamFailure {
  return new UpstreamFailure(failure('server_error', `Malformed Anthropic response: ${message}`, { phase: 'body' }));
}

/** Anthropic Message → OpenAI chat.completion. Thinking blocks are not part of the answer text. */
export function parseMessagesResponse(body: unknown, ctx: DecodeContext): ChatResponse {
  if (!isRecord(body)) throw malformed('body is not a JSON object');
  if (!Array.isArray(body.content)) throw malformed('`content` is not an array');
  const plan = jsonModePlan(ctx.request);
  let text = '';
  const toolCalls: ToolCall[] = [];
  let answeredByJsonTool = false;

  for (const block of body.content as unknown[]) {
    if (!isRecord(block)) continue;
    if (block.type === 'text' && typeof block.text === 'string') text += block.text;
    else if (block.type === 'tool_use') {
      const name = typeof block.name === 'string' ? block.name : '';
      if (plan && name === plan.toolName) {
        text += jsonModeText(plan, block.input);
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

  let finish = finishReasonOf(body.stop_reason);
  if (finish === 'tool_calls' && answeredByJsonTool && toolCalls.length === 0) finish = 'stop';

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
