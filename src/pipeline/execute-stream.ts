import type { ChatChunk, ChatRequest, Usage } from '../api/chat.js';
import { describeTarget, type Target } from '../config/types.js';
import type { Cancellation } from '../core/cancel.js';
import { type ErrorCode, GatewayError } from '../core/errors.js';
import { failure, UpstreamFailure } from '../core/failure.js';
import type { StreamEvent } from '../core/upstream.js';
import { adapterFor } from '../providers/registry.js';
import type { DecodeContext, ProviderAdapter, StreamDecoder, StreamItem } from '../providers/types.js';
import { toUpstreamFailure, type UpstreamResponse } from '../transport/client.js';
import { SseParser } from '../transport/sse.js';
import type { AttemptRecord } from './attempts.js';
import type { ExecContext } from './context.js';
import { HedgeLost } from './hedge-race.js';
import type { HedgeSpec } from './plan.js';
import { CommittedFailure, runPlan } from './run-plan.js';
import { responseFailure } from './upstream-failure.js';

/** Where the stream goes: an OpenAI SSE writer, or the Anthropic event translator. */
export interface StreamSink {
  /** The first content is ready: from here on the client is committed to `target`. */
  open(target: Target, attempts: readonly AttemptRecord[]): void;
  /**
   * Resolves when the client can take more (backpressure). `raw` is the chunk's JSON when the
   * upstream's own text can be forwarded unchanged.
   */
  chunk(chunk: ChatChunk, raw?: string): void | Promise<void>;
  /** Brackets the chunks decoded from one upstream read, so they leave in one write; 'end' may push back. */
  batch?(phase: 'start' | 'end'): void | Promise<void>;
  /** The answer is complete. */
  end(usage: Usage | undefined): void;
  /** The answer cannot be completed after content was sent: report in-band, never as a success. */
  fail(err: GatewayError): void;
}

interface Framer {
  push(bytes: Uint8Array): StreamEvent[];
  end(): StreamEvent[];
}

// AWS event-stream framing is loaded on first use, like SigV4: only Bedrock needs it.
let eventstream: Promise<typeof import('../transport/eventstream.js')> | undefined;

async function framerFor(adapter: ProviderAdapter): Promise<Framer> {
  if (adapter.framing === 'sse') return new SseParser();
  eventstream ??= import('../transport/eventstream.js');
  const d = new (await eventstream).EventStreamDecoder();
  return {
    push: (b) => d.push(b),
    end: () => {
      d.end(); // throws when the body stopped partway through a message
      return [];
    },
  };
}

/** A chunk that shows the client something: before the first one, failing over is invisible. */
function hasContent(chunk: ChatChunk): boolean {
  for (const c of chunk.choices) {
    const d = c.delta;
    if (c.finish_reason || (d && (d.content || d.tool_calls?.length || d.refusal))) return true;
  }
  return false;
}

/** How long an upstream that completed without its terminal event may keep its connection. */
const DRAIN_GRACE_MS = 1000;

/** How a stream ended: the target that answered, every attempt, the usage reported, and an in-band error if it did not complete. */
export interface StreamResult {
  target: Target;
  attempts: AttemptRecord[];
  usage: Usage | undefined;
  /** Set when the stream ended with an in-band error after content: never a success. */
  inBandError?: ErrorCode;
}

/**
 * Streams a chat completion over the plan. Failures before the first content are retried or fail
 * over unseen; after it, the stream goes on elsewhere when it can (a prefill continuation) or the
 * sink is told to end with an in-band error, never with a success. Throws a GatewayError if the
 * stream never opened.
 */
export async function executeStream(ctx: ExecContext, plan: readonly Target[], req: ChatRequest, sink: StreamSink, hedge?: HedgeSpec): Promise<StreamResult> {
  // The attempt that claimed the client with its first content (with hedging, the race's winner).
  let winner: StreamAttempt | undefined;
  const committed = (): boolean => winner?.committed === true;
  try {
    const result = await runPlan(
      ctx,
      plan,
      (target, attempts, signal, claim) => {
        const a: StreamAttempt = new StreamAttempt(ctx, target, req, sink, attempts, signal, () => {
          if (!claim()) return false;
          winner = a;
          return true;
        });
        return a.execute();
      },
      { committed, firstContentAt: () => winner?.firstContentAt, stream: true, ...(hedge ? { hedge } : {}) },
    );
    return { target: result.target, attempts: result.attempts, usage: result.value };
  } catch (err) {
    if (err instanceof CommittedFailure) {
      const continued = winner ? await continueElsewhere(ctx, plan, req, sink, winner, err) : undefined;
      if (continued) return continued;
      // Content already reached the client: it must not look like a complete answer.
      const message = `stream from ${describeTarget(err.target)} failed after content was sent: ${err.failure.message}`;
      sink.fail(new GatewayError('stream_interrupted', message, { attempts: err.attempts }));
      return { target: err.target, attempts: err.attempts, usage: winner?.usageSoFar, inBandError: 'stream_interrupted' };
    }
    if (err instanceof GatewayError && committed() && winner) {
      // Aborted after content: a passed deadline is reported in-band; a client that left needs nothing.
      if (err.code !== 'client_closed') sink.fail(err);
      return { target: winner.target, attempts: (err.attempts as AttemptRecord[] | undefined) ?? [], usage: winner.usageSoFar, inBandError: err.code };
    }
    throw err;
  }
}

/**
 * A stream cut after its first content may go on elsewhere: the next target in rotation that
 * declares `prefill` support gets the conversation plus the partial answer as an assistant
 * message, and its continuation is stitched onto what the client already has (same chunk id, no
 * second role). It runs through the same executor as every attempt (in-flight count, breaker,
 * events), as a one-target plan whose failures are never retried. Never after a tool call (a
 * half-sent call cannot be resumed), and never at the cost of the real failure: when the
 * continuation fails or is refused, the caller reports the original error.
 */
async function continueElsewhere(
  ctx: ExecContext,
  plan: readonly Target[],
  req: ChatRequest,
  sink: StreamSink,
  cut: StreamAttempt,
  err: CommittedFailure,
): Promise<StreamResult | undefined> {
  if (cut.sawTools || cut.text === '' || (req.n ?? 1) > 1 || ctx.signal.aborted) return undefined;
  const failed = describeTarget(err.target);
  const now = ctx.now();
  const next = plan.find(
    (t) => describeTarget(t) !== failed && t.model.capabilities.has('prefill') && ctx.targets.unavailableUntil(ctx.targets.get(t), now) === undefined,
  );
  if (!next) return undefined;
  const request: ChatRequest = { ...req, messages: [...req.messages, { role: 'assistant', content: cut.text }] };
  const stitched: StreamSink = {
    open: () => {}, // the client's stream is already open
    chunk: (chunk) => {
      if (cut.chunkId !== undefined) chunk.id = cut.chunkId;
      for (const c of chunk.choices) delete c.delta.role;
      return sink.chunk(chunk); // changed, so never the upstream's raw text
    },
    batch: (phase) => sink.batch?.(phase),
    end: (usage) => sink.end(usage),
    fail: () => {},
  };
  try {
    const result = await runPlan(
      ctx,
      [next],
      (target, attempts, signal) => new StreamAttempt(ctx, target, request, stitched, attempts, signal, () => true).execute(),
      {
        committed: () => true,
        stream: true,
        attempts: err.attempts,
      },
    );
    ctx.log('stream_continued', { from: failed, to: describeTarget(next), prefill_chars: cut.text.length });
    return { target: next, attempts: result.attempts, usage: result.value };
  } catch (e) {
    const why = e instanceof CommittedFailure ? e.failure.message : e instanceof Error ? e.message : String(e);
    ctx.log('stream_continuation_failed', { from: failed, to: describeTarget(next), error: why });
    return undefined;
  }
}

class StreamAttempt {
  committed = false;
  /** What the client has been sent so far: the text, and whether any tool call was started. */
  text = '';
  sawTools = false;
  /** The first chunk's id: a continuation keeps it, so the client sees one answer. */
  chunkId: string | undefined;
  /** ctx.now() when the first content was released to the client. */
  firstContentAt: number | undefined;
  private finished = false;
  private finishSeen = false;
  private usage: Usage | undefined;
  private pending: { chunk: ChatChunk; raw: string | undefined }[] = [];
  private readonly includeUsage: boolean;
  private abort: Cancellation | undefined;
  private firstTokenTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: ExecContext,
    readonly target: Target,
    private readonly req: ChatRequest,
    private readonly sink: StreamSink,
    private readonly attempts: readonly AttemptRecord[],
    private readonly signal: Cancellation,
    /** Asks to be the attempt that answers the client; false when another one already is. */
    private readonly claim: () => boolean,
  ) {
    this.includeUsage = req.stream_options?.include_usage === true;
  }

  /** The usage the upstream reported so far (OpenAI reports it last; Anthropic at the start and the end). */
  get usageSoFar(): Usage | undefined {
    return this.usage;
  }

  /** Resolves with the usage reported once the answer is complete. */
  async execute(): Promise<Usage | undefined> {
    const adapter = adapterFor(this.target.provider.format);
    const upstream = adapter.buildChatRequest(this.req, this.target, true);
    // Its own cancellation, so a finished attempt can drop its upstream without ending the request.
    const { cancel, release } = this.signal.child();
    this.abort = cancel;
    // Pings and role-only chunks keep the idle timer quiet while a provider produces nothing: this
    // bounds the wait for real content. A timer of our own fires on time (undici's coarse timers
    // may fire up to a second late), and starts when the request leaves on a connection: a wait
    // for a local connection is never the provider's slowness.
    const firstTokenMs = this.target.provider.timeouts.firstTokenMs;
    let expired = false;
    const onSent = (): void => {
      this.firstTokenTimer = setTimeout(() => {
        expired = true;
        cancel.abort(new Error('first-token timeout'));
      }, firstTokenMs);
    };
    try {
      const res = await this.ctx.transport.send(this.target.provider, upstream, { signal: cancel, onSent });
      if (res.status >= 400) {
        throw await responseFailure(adapter, res);
      }
      await this.consume(adapter, res);
      return this.usage;
    } catch (err) {
      if (expired && !this.signal.aborted && !this.committed) {
        // A silent provider: like a first-byte timeout, not retried on the same target.
        throw new UpstreamFailure(failure('timeout', `no content within ${firstTokenMs} ms (first-token timeout)`, { phase: 'body' }));
      }
      throw err;
    } finally {
      clearTimeout(this.firstTokenTimer);
      release();
    }
  }

  private async consume(adapter: ProviderAdapter, res: UpstreamResponse): Promise<void> {
    const framer = await framerFor(adapter);
    const dctx: DecodeContext = { request: this.req, target: this.target, requestId: this.ctx.requestId, created: Math.floor(Date.now() / 1000) };
    const decoder = adapter.streamDecoder(dctx);
    let grace: NodeJS.Timeout | undefined;
    // The chunks decoded from one upstream read leave in one write (batch), and reading pauses
    // while the client pushes back: the returned promise is the backpressure.
    // Once the answer is complete, the upstream gets a moment to end cleanly (its connection can
    // then be reused), and is cut after that.
    const graceAfterFinish = (): void => {
      if (this.finished && !grace) grace = setTimeout(() => this.abort?.abort(), DRAIN_GRACE_MS);
    };
    const onBytes = (bytes: Buffer): void | Promise<void> => {
      if (this.finished) return; // draining after completion, to keep the connection reusable
      this.sink.batch?.('start');
      const wait = this.handleEvents(framer.push(bytes), 0, decoder);
      if (!wait) return graceAfterFinish();
      return wait.then(graceAfterFinish);
    };
    try {
      await res.read(onBytes);
    } catch (err) {
      if (this.finished) return; // the answer is complete; a late upstream error changes nothing
      if (this.signal.aborted || err instanceof HedgeLost || err instanceof UpstreamFailure) throw err; // stopped on purpose, or already classified
      throw toUpstreamFailure(err, this.committed ? 'stream' : 'body', this.target.provider.timeouts);
    } finally {
      if (grace) clearTimeout(grace);
    }
    if (this.finished) return;
    for (const ev of framer.end()) await this.handleItems(decoder.decode(ev), 0);
    await this.handleItems(decoder.end(), 0);
    if (this.finished) return;
    if (this.finishSeen) {
      // Complete answer without the terminal event: finalise now rather than report a failure.
      this.ctx.log('stream_missing_terminal_event', { target: describeTarget(this.target) });
      return this.complete();
    }
    throw new UpstreamFailure(
      failure('stream_interrupted', 'upstream stream ended before the answer was complete', { phase: this.committed ? 'stream' : 'body' }),
    );
  }

  /** Decodes the events of one read from `from` on, then closes the batch; a promise only when the client pushes back. */
  private handleEvents(events: StreamEvent[], from: number, decoder: StreamDecoder): void | Promise<void> {
    for (let i = from; i < events.length; i++) {
      const wait = this.handleItems(decoder.decode(events[i]!), 0);
      if (wait) return wait.then(() => this.handleEvents(events, i + 1, decoder));
    }
    return this.sink.batch?.('end');
  }

  /**
   * Synchronous unless the client pushes back: a promise is returned (and awaited by the caller)
   * only when the sink must drain, so the common path costs no microtask hops per chunk.
   */
  private handleItems(items: StreamItem[], from: number): void | Promise<void> {
    for (let i = from; i < items.length; i++) {
      if (this.finished) return;
      const item = items[i] as StreamItem;
      switch (item.kind) {
        case 'chunk': {
          const wait = this.onChunk(item.chunk, item.raw);
          if (wait) return wait.then(() => this.handleItems(items, i + 1));
          break;
        }
        case 'done':
          this.complete();
          break;
        case 'error':
          throw new UpstreamFailure({ ...item.failure, phase: this.committed ? 'stream' : 'body' });
        case 'malformed':
          this.ctx.log('stream_malformed_chunk_skipped', { target: describeTarget(this.target), error: item.error });
          break;
      }
    }
  }

  private onChunk(chunk: ChatChunk, raw: string | undefined): void | Promise<void> {
    if (chunk.usage) this.usage = chunk.usage;
    this.chunkId ??= chunk.id;
    const delta = chunk.choices[0]?.delta;
    if (delta?.content) this.text += delta.content;
    if (delta?.tool_calls?.length) this.sawTools = true;
    for (const c of chunk.choices) if (c.finish_reason) this.finishSeen = true;
    if (chunk.choices.length === 0) {
      // A usage-only chunk ends an OpenAI stream: with finish_reason seen, the answer is complete.
      const wait = this.includeUsage && this.committed ? this.sink.chunk(chunk, raw) : undefined;
      if (this.finishSeen && this.usage) this.complete();
      return wait;
    }
    if (!this.includeUsage && chunk.usage) {
      // Usage the client did not ask for; `usage: null` (OpenAI's placeholder) may stay.
      delete chunk.usage;
      raw = undefined;
    }
    if (this.committed) return this.sink.chunk(chunk, raw);
    this.pending.push({ chunk, raw });
    if (hasContent(chunk)) return this.commit();
  }

  /** First content: open the client stream and release what was held back. */
  private commit(): void | Promise<void> {
    if (!this.claim()) throw new HedgeLost();
    this.committed = true;
    clearTimeout(this.firstTokenTimer);
    this.firstContentAt = this.ctx.now();
    this.sink.open(this.target, this.attempts);
    const held = this.pending;
    this.pending = [];
    return this.release(held, 0);
  }

  private release(held: { chunk: ChatChunk; raw: string | undefined }[], from: number): void | Promise<void> {
    for (let i = from; i < held.length; i++) {
      const c = held[i]!;
      const wait = this.sink.chunk(c.chunk, c.raw);
      if (wait) return wait.then(() => this.release(held, i + 1));
    }
  }

  private complete(): void {
    if (this.finished) return;
    // A complete answer with no content at all (e.g. an empty reply) is still a success.
    if (!this.committed) void this.commit();
    this.finished = true;
    this.sink.end(this.usage);
  }
}
