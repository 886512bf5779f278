import { EventStreamCodec } from '@smithy/eventstream-codec';
import { failure, UpstreamFailure } from '../core/failure.js';
import type { StreamEvent } from '../core/upstream.js';

/**
 * Incremental decoder for the AWS event-stream binary framing (application/vnd.amazon.eventstream),
 * as Bedrock's ConverseStream sends it. Each message is
 *   [total length u32][headers length u32][prelude CRC32] [headers] [payload] [message CRC32]
 * and TCP chunks cut through messages anywhere, so bytes are buffered until a whole message is in.
 * The codec checks both CRCs; a message that fails them ends the stream (it cannot be resynchronised).
 */

const PRELUDE_BYTES = 12;
const MIN_MESSAGE_BYTES = 16;
/** The framing allows 16 MiB of payload plus headers; anything larger is a corrupt length, not a message. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024 + 128 * 1024;

const utf8Decoder = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();
const toUtf8 = (bytes: Uint8Array): string => utf8Decoder.decode(bytes);
const fromUtf8 = (text: string): Uint8Array => utf8Encoder.encode(text);

type Headers = ReturnType<EventStreamCodec['decode']>['headers'];

function stringHeader(headers: Headers, name: string): string | undefined {
  const h = headers[name];
  if (!h) return undefined;
  return h.type === 'string' || h.type === 'uuid' ? h.value : String(h.value);
}

function framingError(message: string): UpstreamFailure {
  return new UpstreamFailure(failure('stream_interrupted', `invalid AWS event-stream data: ${message}`, { phase: 'stream' }));
}

export class EventStreamDecoder {
  private readonly codec = new EventStreamCodec(toUtf8, fromUtf8);
  private pending: Uint8Array = new Uint8Array(0);

  /** Bytes of an incomplete message still waiting for the rest. */
  get bufferedBytes(): number {
    return this.pending.byteLength;
  }

  /**
   * Feeds the next chunk of the body; returns every message completed by it, in order.
   * Throws UpstreamFailure (stream_interrupted) on a corrupt frame or a CRC mismatch.
   */
  push(bytes: Uint8Array): StreamEvent[] {
    let buf = bytes;
    if (this.pending.byteLength > 0) {
      buf = new Uint8Array(this.pending.byteLength + bytes.byteLength);
      buf.set(this.pending, 0);
      buf.set(bytes, this.pending.byteLength);
    }
    const events: StreamEvent[] = [];
    let offset = 0;
    while (buf.byteLength - offset >= PRELUDE_BYTES) {
      const view = new DataView(buf.buffer, buf.byteOffset + offset, PRELUDE_BYTES);
      const total = view.getUint32(0, false);
      if (total < MIN_MESSAGE_BYTES || total > MAX_MESSAGE_BYTES) {
        this.pending = new Uint8Array(0);
        throw framingError(`message length ${total} is out of range`);
      }
      if (buf.byteLength - offset < total) break;
      const event = this.decodeMessage(buf.subarray(offset, offset + total));
      if (event) events.push(event);
      offset += total;
    }
    // Copy the tail so a small remainder does not pin a large chunk in memory.
    this.pending = offset === buf.byteLength ? new Uint8Array(0) : buf.slice(offset);
    return events;
  }

  /** Call when the body ends: throws if it stopped in the middle of a message. */
  end(): void {
    if (this.pending.byteLength > 0) {
      const n = this.pending.byteLength;
      this.pending = new Uint8Array(0);
      throw framingError(`the stream ended inside a message (${n} bytes left over)`);
    }
  }

  private decodeMessage(bytes: Uint8Array): StreamEvent | undefined {
    let headers: Headers;
    let body: Uint8Array;
    try {
      ({ headers, body } = this.codec.decode(bytes));
    } catch (err) {
      this.pending = new Uint8Array(0);
      throw framingError(err instanceof Error ? err.message : 'undecodable message');
    }
    const messageType = stringHeader(headers, ':message-type');
    switch (messageType) {
      case 'event':
        return { event: stringHeader(headers, ':event-type') ?? '', data: toUtf8(body) };
      case 'exception':
        return { event: `exception:${stringHeader(headers, ':exception-type') ?? 'unknown'}`, data: toUtf8(body) };
      case 'error':
        return {
          event: `error:${stringHeader(headers, ':error-code') ?? 'unknown'}`,
          data: stringHeader(headers, ':error-message') ?? toUtf8(body),
        };
      default:
        // Unknown message types are future additions to the protocol, not corruption: skip them.
        return undefined;
    }
  }
}
