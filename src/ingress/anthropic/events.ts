import { randomUUID } from 'node:crypto';
import type { ChatChunk, ToolCallDelta, Usage } from '../../api/chat.js';
import { anthropicUsage, stopReasonOf } from './response.js';
import type { AnthropicSSE, AnthropicStopReason } from './types.js';

type OpenBlock = { kind: 'text'; index: number } | { kind: 'tool'; index: number; toolIndex: number };

export interface ChunksToAnthropicEventsOptions {
  /** Used when the stream ends before any chunk carried an id. */
  messageId?: string;
  /** Input tokens to report in message_start, when known before the upstream says (e.g. a count). */
  inputTokens?: number;
}

/**
 * OpenAI chunks → the Anthropic Messages stream, one instance per response:
 *
 *   message_start, (content_block_start, content_block_delta*, content_block_stop)*,
 *   message_delta, message_stop
 *
 * Text becomes a text block; each OpenAI tool call index becomes one tool_use block whose argument
 * fragments are input_json_delta events. Blocks are opened and closed in order, never nested.
 * OpenAI only reports usage at the end, so message_start carries the known input (or 0) and
 * message_delta carries the final input and output counts, which the Anthropic SDK adopts.
 */
export class ChunksToAnthropicEvents {
  private readonly model: string;
  private readonly opts: ChunksToAnthropicEventsOptions;
  private started = false;
  private finished = false;
  private id: string | undefined;
  private current: OpenBlock | undefined;
  private nextIndex = 0;
  /** OpenAI tool call index → Anthropic content block index. */
  private readonly toolBlocks = new Map<number, number>();
  private stopReason: AnthropicStopReason | undefined;
  private usage: Usage | undefined;

  constructor(requestedModel: string, opts: ChunksToAnthropicEventsOptions = {}) {
    this.model = requestedModel;
    this.opts = opts;
  }

  push(chunk: ChatChunk): AnthropicSSE[] {
    if (this.finished) return [];
    const out: AnthropicSSE[] = [];
    if (!this.id && chunk.id) this.id = chunk.id;
    this.start(out);
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices.find((c) => c.index === 0);
    if (!choice) return out;
    const { delta } = choice;
    const text = (delta.content ?? '') + (delta.refusal ?? '');
    if (text !== '') this.text(text, out);
    for (const call of delta.tool_calls ?? []) this.toolCall(call, out);
    if (choice.finish_reason) this.stopReason = stopReasonOf(choice.finish_reason);
    return out;
  }

  /** Closes the stream. Safe to call when no chunk ever arrived, and more than once. */
  finish(): AnthropicSSE[] {
    if (this.finished) return [];
    const out: AnthropicSSE[] = [];
    this.start(out);
    this.close(out);
    this.finished = true;
    const usage = anthropicUsage(this.usage);
    out.push({
      event: 'message_delta',
      data: {
        type: 'message_delta',
        delta: { stop_reason: this.stopReason ?? 'end_turn', stop_sequence: null },
        usage: this.usage ? usage : { output_tokens: 0 },
      },
    });
    out.push({ event: 'message_stop', data: { type: 'message_stop' } });
    return out;
  }

  private start(out: AnthropicSSE[]): void {
    if (this.started) return;
    this.started = true;
    out.push({
      event: 'message_start',
      data: {
        type: 'message_start',
        message: {
          id: this.id ?? this.opts.messageId ?? `msg_${randomUUID().replace(/-/g, '')}`,
          type: 'message',
          role: 'assistant',
          model: this.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: this.opts.inputTokens ?? 0, output_tokens: 0 },
        },
      },
    });
  }

  private text(text: string, out: AnthropicSSE[]): void {
    if (this.current?.kind !== 'text') {
      this.close(out);
      this.current = { kind: 'text', index: this.nextIndex++ };
      out.push(blockStart(this.current.index, { type: 'text', text: '' }));
    }
    out.push(blockDelta(this.current.index, { type: 'text_delta', text }));
  }

  private toolCall(call: ToolCallDelta, out: AnthropicSSE[]): void {
    let index = this.toolBlocks.get(call.index);
    if (index === undefined) {
      this.close(out);
      index = this.nextIndex++;
      this.toolBlocks.set(call.index, index);
      this.current = { kind: 'tool', index, toolIndex: call.index };
      const id = call.id || `toolu_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
      out.push(blockStart(index, { type: 'tool_use', id, name: call.function?.name ?? '', input: {} }));
    }
    // A fragment for an already closed block (upstreams that interleave calls) still names its
    // own block index, which the Anthropic SDK accumulates by; dropping it would lose arguments.
    const fragment = call.function?.arguments ?? '';
    if (fragment !== '') out.push(blockDelta(index, { type: 'input_json_delta', partial_json: fragment }));
  }

  private close(out: AnthropicSSE[]): void {
    if (!this.current) return;
    out.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index: this.current.index } });
    this.current = undefined;
  }
}

function blockStart(index: number, block: Record<string, unknown>): AnthropicSSE {
  return { event: 'content_block_start', data: { type: 'content_block_start', index, content_block: block } };
}

function blockDelta(index: number, delta: Record<string, unknown>): AnthropicSSE {
  return { event: 'content_block_delta', data: { type: 'content_block_delta', index, delta } };
}
