import type { ChatChunk, ChunkDelta, FinishReason, Usage } from '../../api/chat.js';
import { isRecord } from '../../core/json.js';
import type { StreamEvent } from '../../core/upstream.js';
import { finishAfterJsonTool, isJsonToolCall, type JsonToolPlan, jsonToolPlan, jsonToolTextFromBuffer } from '../shared/json-tool.js';
import type { DecodeContext, StreamDecoder, StreamItem } from '../types.js';
import { streamFailure } from './errors.js';
import { finishReasonOf, usageOfConverse } from './response.js';

/**
 * ConverseStream events → OpenAI chunks. The events arrive already de-framed from the AWS
 * event-stream (name = `:event-type`, data = JSON payload):
 *   messageStart → contentBlockStart (tool use only) → contentBlockDelta* → contentBlockStop
 *   → ... → messageStop {stopReason} → metadata {usage, metrics}
 * Tool blocks are numbered 0, 1, ... in the order they start, which is what OpenAI's tool call
 * `index` means. The stream is complete once both messageStop and metadata have been seen.
 */

type Block = { kind: 'tool'; index: number } | { kind: 'json'; buffer: string };

export class ConverseStreamDecoder implements StreamDecoder {
  private readonly plan: JsonToolPlan | undefined;
  private readonly blocks = new Map<number, Block>();
  private toolCalls = 0;
  private jsonAnswered = false;
  private stopped = false;
  private usage: Usage | undefined;
  private metadataSeen = false;
  private done = false;

  constructor(private readonly ctx: DecodeContext) {
    this.plan = jsonToolPlan(ctx.request);
  }

  decode(ev: StreamEvent): StreamItem[] {
    if (this.done) return [];
    const name = ev.event ?? '';
    if (name.startsWith('exception:') || name.startsWith('error:')) {
      return [{ kind: 'error', failure: streamFailure(name, ev.data) }];
    }
    let payload: unknown;
    try {
      payload = JSON.parse(ev.data) as unknown;
    } catch (err) {
      return [{ kind: 'malformed', raw: ev.data.slice(0, 200), error: (err as Error).message }];
    }
    if (!isRecord(payload)) return [{ kind: 'malformed', raw: ev.data.slice(0, 200), error: `${name} payload is not an object` }];
    switch (name) {
      case 'messageStart':
        return [this.chunk({ role: 'assistant', content: '' })];
      case 'contentBlockStart':
        return this.blockStart(payload);
      case 'contentBlockDelta':
        return this.blockDelta(payload);
      case 'contentBlockStop':
        return this.blockStop(payload);
      case 'messageStop':
        return this.messageStop(payload);
      case 'metadata':
        return this.metadata(payload);
      default:
        return [];
    }
  }

  end(): StreamItem[] {
    // Some proxies drop the trailing metadata event; the answer itself is complete after messageStop.
    if (this.done || !this.stopped) return [];
    this.done = true;
    return [{ kind: 'done' }];
  }

  private blockStart(p: Record<string, unknown>): StreamItem[] {
    const idx = blockIndex(p);
    const start = isRecord(p.start) ? p.start : undefined;
    const use = start && isRecord(start.toolUse) ? start.toolUse : undefined;
    if (!use) return [];
    const name = typeof use.name === 'string' ? use.name : '';
    if (isJsonToolCall(this.plan, name)) {
      this.blocks.set(idx, { kind: 'json', buffer: '' });
      this.jsonAnswered = true;
      return [];
    }
    const index = this.toolCalls++;
    this.blocks.set(idx, { kind: 'tool', index });
    const id = typeof use.toolUseId === 'string' ? use.toolUseId : `call_${this.ctx.requestId}_${index}`;
    return [this.chunk({ tool_calls: [{ index, id, type: 'function', function: { name, arguments: '' } }] })];
  }

  private blockDelta(p: Record<string, unknown>): StreamItem[] {
    const delta = isRecord(p.delta) ? p.delta : undefined;
    if (!delta) return [];
    if (typeof delta.text === 'string') return delta.text === '' ? [] : [this.chunk({ content: delta.text })];
    const use = isRecord(delta.toolUse) ? delta.toolUse : undefined;
    if (!use || typeof use.input !== 'string' || use.input === '') return []; // reasoning, citations: not OpenAI content
    const idx = blockIndex(p);
    let block = this.blocks.get(idx);
    if (!block) {
      // A tool delta without its start: still a tool call, numbered like the others.
      block = { kind: 'tool', index: this.toolCalls++ };
      this.blocks.set(idx, block);
    }
    if (block.kind === 'tool') return [this.chunk({ tool_calls: [{ index: block.index, function: { arguments: use.input } }] })];
    // The JSON answer streams through as content unless it must be unwrapped from {"value": ...} first.
    if (this.plan?.wrapped) {
      block.buffer += use.input;
      return [];
    }
    return [this.chunk({ content: use.input })];
  }

  private blockStop(p: Record<string, unknown>): StreamItem[] {
    const block = this.blocks.get(blockIndex(p));
    if (block?.kind !== 'json' || !this.plan?.wrapped) return [];
    const text = jsonToolTextFromBuffer(this.plan, block.buffer);
    block.buffer = '';
    return [this.chunk({ content: text })];
  }

  private messageStop(p: Record<string, unknown>): StreamItem[] {
    const finish = finishAfterJsonTool(finishReasonOf(p.stopReason), this.jsonAnswered, this.toolCalls);
    this.stopped = true;
    const items: StreamItem[] = [this.chunk({}, finish)];
    if (this.metadataSeen) items.push(...this.finish());
    return items;
  }

  private metadata(p: Record<string, unknown>): StreamItem[] {
    this.metadataSeen = true;
    this.usage = usageOfConverse(p.usage);
    // OpenAI clients expect usage after the finish chunk; hold it if metadata came first.
    return this.stopped ? this.finish() : [];
  }

  private finish(): StreamItem[] {
    this.done = true;
    const items: StreamItem[] = [];
    if (this.usage) items.push({ kind: 'chunk', chunk: { ...this.base(), choices: [], usage: this.usage } });
    items.push({ kind: 'done' });
    return items;
  }

  private base(): Omit<ChatChunk, 'choices'> {
    return { id: this.ctx.requestId, object: 'chat.completion.chunk', created: this.ctx.created, model: this.ctx.target.model.id };
  }

  private chunk(delta: ChunkDelta, finish: FinishReason | null = null): StreamItem {
    return { kind: 'chunk', chunk: { ...this.base(), choices: [{ index: 0, delta, finish_reason: finish }] } };
  }
}

function blockIndex(p: Record<string, unknown>): number {
  return typeof p.contentBlockIndex === 'number' ? p.contentBlockIndex : 0;
}
