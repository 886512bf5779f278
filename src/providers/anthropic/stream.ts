import type { ChatChunk, ChunkDelta, FinishReason } from '../../api/chat.js';
import { isRecord } from '../../core/json.js';
import type { StreamEvent } from '../../core/upstream.js';
import { finishAfterJsonTool, isJsonToolCall, type JsonToolPlan, jsonToolPlan, jsonToolTextFromBuffer } from '../shared/json-tool.js';
import type { DecodeContext, StreamDecoder, StreamItem } from '../types.js';
import { classifyStreamError } from './errors.js';
import { finishReasonOf, usageFromAnthropic } from './response.js';

type Block =
  | { kind: 'text' }
  | { kind: 'tool'; toolIndex: number }
  /** The synthetic JSON-mode tool: its input is streamed (or, when wrapped, buffered) as content. */
  | { kind: 'json'; buffer: string }
  /** thinking, redacted_thinking and block types newer than this adapter. */
  | { kind: 'skip' };

/**
 * Anthropic SSE events → OpenAI chunks, one decoder per attempt.
 *
 * Anthropic numbers content blocks across kinds (text 0, tool_use 1, ...); OpenAI numbers tool
 * calls alone, so each tool_use block gets the count of tool blocks seen before it.
 * After message_stop a usage-only chunk (choices: []) is emitted; the gateway drops it when the
 * client did not ask for usage.
 */
export class AnthropicStreamDecoder implements StreamDecoder {
  private readonly ctx: DecodeContext;
  private readonly plan: JsonToolPlan | undefined;
  private readonly blocks = new Map<number, Block>();
  private id: string;
  private model: string;
  /** Keys come from the upstream: a null-prototype object, so `__proto__` is just a key. */
  private usage: Record<string, unknown> = Object.create(null);
  private toolCount = 0;
  private answeredByJsonTool = false;
  private roleSent = false;

  constructor(ctx: DecodeContext) {
    this.ctx = ctx;
    this.plan = jsonToolPlan(ctx.request);
    this.id = ctx.requestId;
    this.model = ctx.target.model.id;
  }

  decode(event: StreamEvent): StreamItem[] {
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch (err) {
      return [{ kind: 'malformed', raw: event.data, error: err instanceof Error ? err.message : 'invalid JSON' }];
    }
    if (!isRecord(data)) return [{ kind: 'malformed', raw: event.data, error: 'event data is not a JSON object' }];
    const type = typeof data.type === 'string' ? data.type : event.event;
    switch (type) {
      case 'message_start':
        return this.onMessageStart(data);
      case 'content_block_start':
        return this.onBlockStart(data, event.data);
      case 'content_block_delta':
        return this.onBlockDelta(data, event.data);
      case 'content_block_stop':
        return this.onBlockStop(data);
      case 'message_delta':
        return this.onMessageDelta(data);
      case 'message_stop':
        return [{ kind: 'chunk', chunk: this.usageChunk() }, { kind: 'done' }];
      case 'error':
        return [{ kind: 'error', failure: classifyStreamError(data) }];
      default:
        // ping, and event types added after this adapter: Anthropic asks clients to ignore unknown events.
        return [];
    }
  }

  end(): StreamItem[] {
    return [];
  }

  private onMessageStart(data: Record<string, unknown>): StreamItem[] {
    const message = isRecord(data.message) ? data.message : {};
    if (typeof message.id === 'string') this.id = message.id;
    if (typeof message.model === 'string') this.model = message.model;
    if (isRecord(message.usage)) this.usage = Object.assign(Object.create(null), message.usage);
    return [this.chunk({ content: '' })];
  }

  private onBlockStart(data: Record<string, unknown>, raw: string): StreamItem[] {
    const index = data.index;
    const block = data.content_block;
    if (typeof index !== 'number' || !isRecord(block)) return [malformed(raw, 'content_block_start without index or content_block')];
    if (block.type === 'text') {
      this.blocks.set(index, { kind: 'text' });
      return typeof block.text === 'string' && block.text !== '' ? [this.chunk({ content: block.text })] : [];
    }
    if (block.type === 'tool_use') {
      const name = typeof block.name === 'string' ? block.name : '';
      if (isJsonToolCall(this.plan, name)) {
        this.blocks.set(index, { kind: 'json', buffer: '' });
        this.answeredByJsonTool = true;
        return [];
      }
      const toolIndex = this.toolCount++;
      this.blocks.set(index, { kind: 'tool', toolIndex });
      const id = typeof block.id === 'string' ? block.id : `call_${toolIndex}`;
      return [this.chunk({ tool_calls: [{ index: toolIndex, id, type: 'function', function: { name, arguments: '' } }] })];
    }
    this.blocks.set(index, { kind: 'skip' });
    return [];
  }

  private onBlockDelta(data: Record<string, unknown>, raw: string): StreamItem[] {
    const block = typeof data.index === 'number' ? this.blocks.get(data.index) : undefined;
    const delta = data.delta;
    if (!isRecord(delta)) return [malformed(raw, 'content_block_delta without delta')];
    if (!block || block.kind === 'skip') return [];
    if (delta.type === 'text_delta') {
      if (typeof delta.text !== 'string') return [malformed(raw, 'text_delta without text')];
      return block.kind === 'text' && delta.text !== '' ? [this.chunk({ content: delta.text })] : [];
    }
    if (delta.type === 'input_json_delta') {
      if (typeof delta.partial_json !== 'string') return [malformed(raw, 'input_json_delta without partial_json')];
      if (delta.partial_json === '') return [];
      if (block.kind === 'tool') {
        return [this.chunk({ tool_calls: [{ index: block.toolIndex, function: { arguments: delta.partial_json } }] })];
      }
      if (block.kind === 'json') {
        // A wrapped answer can only be unwrapped once whole; an unwrapped one streams as it comes.
        if (this.plan?.wrapped) block.buffer += delta.partial_json;
        else return [this.chunk({ content: delta.partial_json })];
      }
    }
    // thinking_delta, signature_delta, citations_delta: not part of the OpenAI answer.
    return [];
  }

  private onBlockStop(data: Record<string, unknown>): StreamItem[] {
    const block = typeof data.index === 'number' ? this.blocks.get(data.index) : undefined;
    if (block?.kind !== 'json' || !this.plan?.wrapped) return [];
    // No input_json_delta at all means the input stayed the {} of content_block_start.
    return [this.chunk({ content: jsonToolTextFromBuffer(this.plan, block.buffer === '' ? '{}' : block.buffer) })];
  }

  private onMessageDelta(data: Record<string, unknown>): StreamItem[] {
    // message_delta usage counters are cumulative totals: overwrite, never add.
    if (isRecord(data.usage)) {
      for (const [k, v] of Object.entries(data.usage)) if (v != null) this.usage[k] = v;
    }
    const delta = isRecord(data.delta) ? data.delta : {};
    const finish = finishAfterJsonTool(finishReasonOf(delta.stop_reason), this.answeredByJsonTool, this.toolCount);
    return finish === null ? [] : [this.chunk({}, finish)];
  }

  private chunk(delta: ChunkDelta, finish: FinishReason | null = null): StreamItem {
    if (!this.roleSent) {
      delta = { role: 'assistant', ...delta };
      this.roleSent = true;
    }
    const chunk: ChatChunk = {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.ctx.created,
      model: this.model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    };
    return { kind: 'chunk', chunk };
  }

  private usageChunk(): ChatChunk {
    return {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.ctx.created,
      model: this.model,
      choices: [],
      usage: usageFromAnthropic(this.usage),
    };
  }
}

function malformed(raw: string, error: string): StreamItem {
  return { kind: 'malformed', raw, error };
}
