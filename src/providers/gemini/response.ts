import type { ChatChoice, ChatResponse, FinishReason, ToolCall, Usage } from '../../api/chat.js';
import { usageOf } from '../../api/chat.js';
import { isRecord } from '../../core/json.js';
import type { DecodeContext } from '../types.js';
import { encodeToolCallId, generatedToolCallId } from './tool-ids.js';
import type { GeminiPart, GeminiResponse, GeminiUsageMetadata } from './wire.js';

const FILTERED = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'IMAGE_RECITATION']);

/** Gemini finishReason → OpenAI finish_reason. A natural stop that produced calls is a tool_calls stop. */
export function mapFinishReason(reason: string, sawFunctionCall: boolean): FinishReason {
  if (reason === 'MAX_TOKENS') return 'length';
  if (FILTERED.has(reason)) return 'content_filter';
  return sawFunctionCall ? 'tool_calls' : 'stop';
}

export function mapUsage(meta: GeminiUsageMetadata): Usage {
  // Tool-use prompt tokens are input the model read (results of server-side tools), and
  // Gemini counts them in the total, so they count as prompt tokens here too.
  const prompt = (meta.promptTokenCount ?? 0) + (meta.toolUsePromptTokenCount ?? 0);
  // Gemini bills thinking as output but reports it apart from candidatesTokenCount.
  const completion = (meta.candidatesTokenCount ?? 0) + (meta.thoughtsTokenCount ?? 0);
  const usage = usageOf(prompt, completion, meta.cachedContentTokenCount, meta.thoughtsTokenCount);
  if (meta.totalTokenCount !== undefined) usage.total_tokens = meta.totalTokenCount;
  return usage;
}

/** Visible text of a part: thought summaries are reasoning, not answer content. */
export function partText(part: GeminiPart): string | undefined {
  return typeof part.text === 'string' && part.thought !== true ? part.text : undefined;
}

/** A functionCall part as an OpenAI tool call; `n` numbers calls within one response. */
export function partToolCall(part: GeminiPart, requestId: string, n: number): ToolCall | undefined {
  const call = part.functionCall;
  if (!call || typeof call.name !== 'string') return undefined;
  const baseId = typeof call.id === 'string' && call.id !== '' ? call.id : generatedToolCallId(requestId, n);
  return {
    id: encodeToolCallId(baseId, part.thoughtSignature),
    type: 'function',
    function: { name: call.name, arguments: JSON.stringify(isRecord(call.args) ? call.args : {}) },
  };
}

export function parseChatResponse(body: unknown, ctx: DecodeContext): ChatResponse {
  // Anything but an object is not a Gemini answer: fail the attempt rather than pass off an empty reply.
  if (!isRecord(body)) throw new Error('upstream response is not a GenerateContentResponse object');
  const res = body as GeminiResponse;
  const candidates = Array.isArray(res.candidates) ? res.candidates : [];
  let callCount = 0;

  const choices: ChatChoice[] = candidates.map((candidate, i) => {
    let text = '';
    const toolCalls: ToolCall[] = [];
    for (const part of candidate.content?.parts ?? []) {
      const t = partText(part);
      if (t !== undefined) text += t;
      const call = partToolCall(part, ctx.requestId, callCount);
      if (call) {
        toolCalls.push(call);
        callCount += 1;
      }
    }
    const message: ChatChoice['message'] = { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text };
    if (toolCalls.length > 0) message.tool_calls = toolCalls;
    return {
      index: typeof candidate.index === 'number' ? candidate.index : i,
      message,
      finish_reason: mapFinishReason(candidate.finishReason ?? 'STOP', toolCalls.length > 0),
      logprobs: null,
    };
  });

  // A blocked prompt comes back with promptFeedback and no candidates at all.
  if (choices.length === 0) {
    const blocked = res.promptFeedback?.blockReason !== undefined;
    choices.push({ index: 0, message: { role: 'assistant', content: '' }, finish_reason: blocked ? 'content_filter' : 'stop', logprobs: null });
  }

  const out: ChatResponse = {
    id: typeof res.responseId === 'string' && res.responseId !== '' ? res.responseId : ctx.requestId,
    object: 'chat.completion',
    created: ctx.created,
    model: typeof res.modelVersion === 'string' && res.modelVersion !== '' ? res.modelVersion : ctx.target.model.id,
    choices,
  };
  if (isRecord(res.usageMetadata)) out.usage = mapUsage(res.usageMetadata);
  return out;
}
