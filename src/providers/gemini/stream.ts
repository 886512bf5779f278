import type { ChatChunk, ChunkChoice, ChunkDelta, ToolCallDelta, Usage } from '../../api/chat.js';
import { isRecord } from '../../core/json.js';
import type { StreamEvent } from '../../core/upstream.js';
import type { DecodeContext, StreamDecoder, StreamItem } from '../types.js';
import { classifyGeminiError } from './errors.js';
import { mapFinishReason, mapUsage, partText, partToolCall } from './response.js';
import type { GeminiCandidate, GeminiResponse } from './wire.js';
import { unwrapError } from './wire.js';

interface ChoiceState {
  started: boolean;
  toolCalls: number;
}

/**
 * Decodes `streamGenerateContent?alt=sse`: every SSE data payload is a complete
 * GenerateContentResponse carrying only what is new. Gemini sends no terminator, so a stream is
 * complete when some candidate reported a finishReason (or the prompt was blocked); a body that
 * ends before that was cut off, and end() then reports nothing so the gateway can tell.
 */
export function geminiStreamDecoder(ctx: DecodeContext): StreamDecoder {
  const choices = new Map<number, ChoiceState>();
  let id: string | undefined;
  let model: string | undefined;
  let usage: Usage | undefined;
  let finished = false;
  let callCount = 0;

  const chunk = (choiceList: ChunkChoice[], extra: Partial<ChatChunk> = {}): StreamItem => ({
    kind: 'chunk',
    chunk: {
      id: id ?? ctx.requestId,
      object: 'chat.completion.chunk',
      created: ctx.created,
      model: model ?? ctx.target.model.id,
      choices: choiceList,
      ...extra,
    },
  });

  const stateOf = (index: number): ChoiceState => {
    let s = choices.get(index);
    if (!s) {
      s = { started: false, toolCalls: 0 };
      choices.set(index, s);
    }
    return s;
  };

  const withRole = (state: ChoiceState, delta: ChunkDelta): ChunkDelta => {
    if (state.started) return delta;
    state.started = true;
    return { role: 'assistant', ...delta };
  };

  const decodeCandidate = (candidate: GeminiCandidate, position: number): StreamItem[] => {
    const index = typeof candidate.index === 'number' ? candidate.index : position;
    const state = stateOf(index);
    let text = '';
    const toolCalls: ToolCallDelta[] = [];
    for (const part of candidate.content?.parts ?? []) {
      const t = partText(part);
      if (t !== undefined) text += t;
      const call = partToolCall(part, ctx.requestId, callCount);
      if (call) {
        callCount += 1;
        // Gemini sends each call whole, so each becomes one complete delta.
        toolCalls.push({ index: state.toolCalls++, id: call.id, type: 'function', function: call.function });
      }
    }

    const items: StreamItem[] = [];
    if (text !== '' || toolCalls.length > 0) {
      const delta: ChunkDelta = {};
      if (text !== '') delta.content = text;
      if (toolCalls.length > 0) delta.tool_calls = toolCalls;
      items.push(chunk([{ index, delta: withRole(state, delta), finish_reason: null }]));
    }
    if (typeof candidate.finishReason === 'string' && candidate.finishReason !== '') {
      finished = true;
      const reason = mapFinishReason(candidate.finishReason, state.toolCalls > 0);
      items.push(chunk([{ index, delta: withRole(state, {}), finish_reason: reason }]));
    }
    return items;
  };

  return {
    decode(event: StreamEvent): StreamItem[] {
      let payload: unknown;
      try {
        payload = JSON.parse(event.data);
      } catch (err) {
        return [{ kind: 'malformed', raw: event.data, error: err instanceof Error ? err.message : 'invalid JSON' }];
      }
      const error = unwrapError(payload);
      if (error) {
        const status = typeof error.code === 'number' ? error.code : 500;
        return [{ kind: 'error', failure: classifyGeminiError(status, payload, {}, 'stream') }];
      }
      if (!isRecord(payload)) return [{ kind: 'malformed', raw: event.data, error: 'not a JSON object' }];

      const res = payload as GeminiResponse;
      if (id === undefined && typeof res.responseId === 'string' && res.responseId !== '') id = res.responseId;
      if (model === undefined && typeof res.modelVersion === 'string' && res.modelVersion !== '') model = res.modelVersion;
      // Counts are cumulative, so the latest report is the whole stream's usage.
      if (isRecord(res.usageMetadata)) usage = mapUsage(res.usageMetadata);

      const candidates = Array.isArray(res.candidates) ? res.candidates : [];
      if (candidates.length === 0 && res.promptFeedback?.blockReason !== undefined) {
        finished = true;
        return [chunk([{ index: 0, delta: withRole(stateOf(0), {}), finish_reason: 'content_filter' }])];
      }
      return candidates.flatMap((c, i) => decodeCandidate(c, i));
    },

    end(): StreamItem[] {
      if (!finished) return [];
      const items: StreamItem[] = [];
      if (usage) items.push(chunk([], { usage }));
      items.push({ kind: 'done' });
      return items;
    },
  };
}
