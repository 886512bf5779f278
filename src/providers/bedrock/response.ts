import type { ChatResponse, FinishReason, ToolCall, Usage } from '../../api/chat.js';
import { isRecord } from '../../core/json.js';
import { finishAfterJsonTool, isJsonToolCall, jsonToolPlan, jsonToolText } from '../shared/json-tool.js';
import { tokenCount, usageWithCache } from '../shared/usage.js';
import type { DecodeContext } from '../types.js';
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

/** Converse counts cached prompt tokens apart from `inputTokens` (see usageWithCache). */
export function usageOfConverse(raw: unknown): Usage | undefined {
  if (!isRecord(raw)) return undefined;
  const u = raw as ConverseTokenUsage;
  const reported = (v: unknown): number | undefined => (v === undefined ? undefined : tokenCount(v));
  return usageWithCache(tokenCount(u.inputTokens), tokenCount(u.outputTokens), reported(u.cacheReadInputTokens), reported(u.cacheWriteInputTokens));
}

export function parseChatResponse(body: unknown, ctx: DecodeContext): ChatResponse {
  const message = isRecord(body) && isRecord(body.output) ? body.output.message : undefined;
  if (!isRecord(body) || !isRecord(message) || !Array.isArray(message.content)) {
    throw new Error('upstream response is not a Converse response: no output.message.content');
  }
  const plan = jsonToolPlan(ctx.request);
  let text = '';
  let jsonText: string | undefined;
  const toolCalls: ToolCall[] = [];
  for (const block of message.content as unknown[]) {
    if (!isRecord(block)) continue;
    if (typeof block.text === 'string') text += block.text;
    else if (isRecord(block.toolUse)) {
      const use = block.toolUse;
      const name = typeof use.name === 'string' ? use.name : '';
      if (isJsonToolCall(plan, name)) jsonText = jsonToolText(plan, use.input);
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
  // The synthetic JSON tool's answer is the content; the model "called a tool" only for us.
  if (jsonText !== undefined) text = jsonText;
  const finish = finishAfterJsonTool(finishReasonOf(body.stopReason), jsonText !== undefined, toolCalls.length);
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
