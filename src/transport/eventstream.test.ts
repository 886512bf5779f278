import { EventStreamCodec } from '@smithy/eventstream-codec';
import { describe, expect, it } from 'vitest';
import { UpstreamFailure } from '../core/failure.js';
import type { StreamEvent } from '../core/upstream.js';
import { EventStreamDecoder } from './eventstream.js';

const codec = new EventStreamCodec(
  (b) => new TextDecoder().decode(b),
  (s) => new TextEncoder().encode(s),
);

const str = (value: string) => ({ type: 'string' as const, value });

function eventFrame(type: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: { ':message-type': str('event'), ':event-type': str(type), ':content-type': str('application/json') },
    body: new TextEncoder().encode(JSON.stringify(payload)),
  });
}

const frames = [
  eventFrame('messageStart', { role: 'assistant' }),
  eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Grüße 👋' } }),
  codec.encode({
    headers: { ':message-type': str('exception'), ':exception-type': str('throttlingException'), ':content-type': str('application/json') },
    body: new TextEncoder().encode('{"message":"Too many requests"}'),
  }),
  codec.encode({
    headers: { ':message-type': str('error'), ':error-code': str('InternalFailure'), ':error-message': str('boom') },
    body: new Uint8Array(0),
  }),
  codec.encode({ headers: { ':message-type': str('error'), ':error-code': str('Other') }, body: new TextEncoder().encode('payload text') }),
];

const expected: StreamEvent[] = [
  { event: 'messageStart', data: '{"role":"assistant"}' },
  { event: 'contentBlockDelta', data: '{"contentBlockIndex":0,"delta":{"text":"Grüße 👋"}}' },
  { event: 'exception:throttlingException', data: '{"message":"Too many requests"}' },
  { event: 'error:InternalFailure', data: 'boom' },
  { event: 'error:Other', data: 'payload text' },
];

describe('EventStreamDecoder', () => {
  it('decodes several messages arriving in one chunk', () => {
    const d = new EventStreamDecoder();
    expect(d.push(Buffer.concat(frames))).toEqual(expected);
    expect(d.bufferedBytes).toBe(0);
    expect(() => d.end()).not.toThrow();
  });

  it('decodes the same events when the body is split at every byte boundary', () => {
    const all = Buffer.concat(frames);
    for (let cut = 1; cut < all.byteLength; cut++) {
      const d = new EventStreamDecoder();
      const got = [...d.push(all.subarray(0, cut)), ...d.push(all.subarray(cut))];
      expect(got, `split at byte ${cut}`).toEqual(expected);
    }
  });

  it('decodes a body fed one byte at a time', () => {
    const all = Buffer.concat(frames);
    const d = new EventStreamDecoder();
    const got: StreamEvent[] = [];
    for (let i = 0; i < all.byteLength; i++) got.push(...d.push(all.subarray(i, i + 1)));
    expect(got).toEqual(expected);
  });

  it('skips message types it does not know', () => {
    const d = new EventStreamDecoder();
    const odd = codec.encode({ headers: { ':message-type': str('future-thing') }, body: new Uint8Array([1, 2]) });
    expect(d.push(Buffer.concat([odd, frames[0]!]))).toEqual([expected[0]]);
  });

  it('throws a clear stream failure on a payload CRC mismatch', () => {
    const bad = eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'hello' } }).slice();
    bad[bad.byteLength - 8] = (bad[bad.byteLength - 8]! ^ 0xff) & 0xff; // flip a payload byte
    const d = new EventStreamDecoder();
    expect(d.push(frames[0]!)).toEqual([expected[0]]);
    let thrown: unknown;
    try {
      d.push(bad);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(UpstreamFailure);
    const f = (thrown as UpstreamFailure).failure;
    expect(f.reason).toBe('stream_interrupted');
    expect(f.phase).toBe('stream');
    expect(f.message).toMatch(/invalid AWS event-stream data: .*checksum/);
  });

  it('throws on a prelude CRC mismatch', () => {
    const bad = frames[1]!.slice();
    bad[9] = (bad[9]! ^ 0x01) & 0xff;
    expect(() => new EventStreamDecoder().push(bad)).toThrow(/prelude checksum/);
  });

  it('rejects an impossible message length instead of buffering forever', () => {
    const bad = frames[1]!.slice();
    new DataView(bad.buffer).setUint32(0, 0xfffffff0, false);
    expect(() => new EventStreamDecoder().push(bad)).toThrow(/out of range/);
  });

  it('reports a body that ends inside a message', () => {
    const d = new EventStreamDecoder();
    expect(d.push(frames[1]!.subarray(0, 20))).toEqual([]);
    expect(d.bufferedBytes).toBe(20);
    expect(() => d.end()).toThrow(/ended inside a message/);
  });
});
