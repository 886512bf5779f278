import type { ChatResponse, FinishReason, ToolCall, Usage } from '../../api/chat.js';
import type { DecodeContext } from '../types.js';
import { jsonModePlan, jsonModeText } from './json-mode.js';
import type { ConverseTokenUsage } from './wire.js';

/** Converse `stopReason` → OpenAI `finish_reason`. Unknown reasons end the turn normally. */
export function finishReasonOf(stopReason: unknown): FinishReason {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content_filter';
    default:
      return 'stop';
  }
}

const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/**
 * Converse counts cached prompt tokens apart from `inputTokens`; OpenAI's prompt_tokens includes
 * them, with the cached (read) share reported in prompt_tokens_details.
 */
export function usageOfConverse(raw: unknown): Usage | undefined {
  if (!isObject(raw)) return undefined;
  const u = raw as ConverseTokenUsage;
  const cacheRead = u.cacheReadInputTokens;
  const cacheWrite = u.cacheWriteInputTokens;
  const prompt = count(u.inputTokens) + count(cacheRead) + count(cacheWrite);
  const completion = count(u.outputTokens);
  const usage: Usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  if (cacheRead !== undefined || cacheWrite !== undefined) {
    usage.prompt_tokens_details = { cached_tokens: count(cacheRead) };
    if (cacheWrite !== undefined) usage.prompt_tokens_details.cache_write_tokens = count(cacheWrite);
  }
  return usage;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseChatResponse(body: unknown, ctx: DecodeContext): ChatResponse {
  const message = isObject(body) && isObject(body.output) ? body.output.message : undefined;
  if (!isObject(body) || !isObject(message) || !Array.isArray(message.content)) {
    throw new Error('upstream response is not a Converse response: no output.message.content');
  }
  const plan = jsonModePlan(ctx.request);
  let text = '';
  let jsonText: string | undefined;
  const toolCalls: ToolCall[] = [];
  for (const block of message.content as unknown[]) {
    if (!isObject(block)) continue;
    if (typeof block.text === 'string') text += block.text;
    else if (isObject(block.toolUse)) {
      const use = block.toolUse;
      const name = typeof use.name === 'string' ? use.name : '';
      if (plan && name === plan.toolName) jsonText = jsonModeText(plan, use.input);
      else {
        toolCalls.push({
          id: typeof use.toolUseId === 'string' ? use.toolUseId : `call_${toolCalls.length}`,
          type: 'function',
          function: { name, arguments: JSON.stringify(use.input ?? {}) },
        });
      }
    }
    // reasoningContent, citations and the like have no place in an OpenAI message.
  }
  let finish = finishReasonOf(body.stopReason);
  // The synthetic JSON tool's answer is the content; the model "called a tool" only for us.
  if (jsonText !== undefined) {
    text = jsonText;
    if (finish === 'tool_calls' && toolCalls.length === 0) finish = 'stop';
  }
  const res: ChatResponse = {
    id: ctx.requestId,
    object: 'chat.completion',
    created: ctx.created,
    model: ctx.target.model.id,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) },
        finish_reason: finish,
        logprobs: null,
      },
    ],
  };
  const usage = usageOfConverse(body.usage);
  if (usage) res.usage = usage;
  return res;
}
