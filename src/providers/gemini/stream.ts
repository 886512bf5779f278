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
  return new GeminiStreamDecoder(ctx);
}

class GeminiStreamDecoder implements StreamDecoder {
  private readonly ctx: DecodeContext;
  private readonly choices = new Map<number, ChoiceState>();
  private id: string | undefined;
  private model: string | undefined;
  private usage: Usage | undefined;
  private finished = false;
  /** Across candidates and events, so every synthesized call id in the stream is distinct. */
  private callCount = 0;

  constructor(ctx: DecodeContext) {
    this.ctx = ctx;
  }

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
    return this.onResponse(payload as GeminiResponse);
  }

  end(): StreamItem[] {
    if (!this.finished) return [];
    const items: StreamItem[] = [];
    if (this.usage) items.push(this.chunk([], { usage: this.usage }));
    items.push({ kind: 'done' });
    return items;
  }

  private onResponse(res: GeminiResponse): StreamItem[] {
    this.noteMetadata(res);
    const candidates = Array.isArray(res.candidates) ? res.candidates : [];
    if (candidates.length === 0 && res.promptFeedback?.blockReason !== undefined) {
      this.finished = true;
      return [this.chunk([{ index: 0, delta: this.withRole(this.stateOf(0), {}), finish_reason: 'content_filter' }])];
    }
    return candidates.flatMap((c, i) => this.decodeCandidate(c, i));
  }

  private noteMetadata(res: GeminiResponse): void {
    if (this.id === undefined && typeof res.responseId === 'string' && res.responseId !== '') this.id = res.responseId;
    if (this.model === undefined && typeof res.modelVersion === 'string' && res.modelVersion !== '') this.model = res.modelVersion;
    // Counts are cumulative, so the latest report is the whole stream's usage.
    if (isRecord(res.usageMetadata)) this.usage = mapUsage(res.usageMetadata);
  }

  private decodeCandidate(candidate: GeminiCandidate, position: number): StreamItem[] {
    const index = typeof candidate.index === 'number' ? candidate.index : position;
    const state = this.stateOf(index);
    const { text, toolCalls } = this.collectParts(candidate, state);
    const items: StreamItem[] = [];
    if (text !== '' || toolCalls.length > 0) {
      const delta: ChunkDelta = {};
      if (text !== '') delta.content = text;
      if (toolCalls.length > 0) delta.tool_calls = toolCalls;
      items.push(this.chunk([{ index, delta: this.withRole(state, delta), finish_reason: null }]));
    }
    if (typeof candidate.finishReason === 'string' && candidate.finishReason !== '') {
      this.finished = true;
      const reason = mapFinishReason(candidate.finishReason, state.toolCalls > 0);
      items.push(this.chunk([{ index, delta: this.withRole(state, {}), finish_reason: reason }]));
    }
    return items;
  }

  private collectParts(candidate: GeminiCandidate, state: ChoiceState): { text: string; toolCalls: ToolCallDelta[] } {
    let text = '';
    const toolCalls: ToolCallDelta[] = [];
    for (const part of candidate.content?.parts ?? []) {
      const t = partText(part);
      if (t !== undefined) text += t;
      const call = partToolCall(part, this.ctx.requestId, this.callCount);
      if (call) {
        this.callCount += 1;
        // Gemini sends each call whole, so each becomes one complete delta.
        toolCalls.push({ index: state.toolCalls++, id: call.id, type: 'function', function: call.function });
      }
    }
    return { text, toolCalls };
  }

  private stateOf(index: number): ChoiceState {
    let s = this.choices.get(index);
    if (!s) {
      s = { started: false, toolCalls: 0 };
      this.choices.set(index, s);
    }
    return s;
  }

  private withRole(state: ChoiceState, delta: ChunkDelta): ChunkDelta {
    if (state.started) return delta;
    state.started = true;
    return { role: 'assistant', ...delta };
  }

  private chunk(choiceList: ChunkChoice[], extra: Partial<ChatChunk> = {}): StreamItem {
    return {
      kind: 'chunk',
      chunk: {
        id: this.id ?? this.ctx.requestId,
        object: 'chat.completion.chunk',
        created: this.ctx.created,
        model: this.model ?? this.ctx.target.model.id,
        choices: choiceList,
        ...extra,
      },
    };
  }
}
