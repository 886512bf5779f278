import { describe, expect, it } from 'vitest';
import { SseParser } from './sse.js';

const STREAM =
  'event: message_start\ndata: {"a":1}\n\n' +
  ': ping comment\n\n' +
  'data: line one\ndata: line two\n\n' +
  'event: x\r\ndata:nospace\r\n\r\n' +
  'data: [DONE]\n\n';

describe('SseParser', () => {
  it('parses events split at every byte boundary', () => {
    const bytes = Buffer.from(STREAM);
    for (let cut = 1; cut < bytes.length; cut++) {
      const p = new SseParser();
      const events = [...p.push(bytes.subarray(0, cut)), ...p.push(bytes.subarray(cut)), ...p.end()];
      expect(events).toEqual([
        { event: 'message_start', data: '{"a":1}' },
        { data: 'line one\nline two' },
        { event: 'x', data: 'nospace' },
        { data: '[DONE]' },
      ]);
    }
  });

  it('keeps multi-byte characters split across chunks intact', () => {
    const bytes = Buffer.from('data: héllo wörld ✓\n\n');
    const p = new SseParser();
    const out = [];
    for (const b of bytes) out.push(...p.push(Buffer.from([b])));
    expect(out).toEqual([{ data: 'héllo wörld ✓' }]);
  });

  it('dispatches a final event that lacks its blank line at end of input', () => {
    const p = new SseParser();
    expect(p.push('data: {"x":1}')).toEqual([]);
    expect(p.end()).toEqual([{ data: '{"x":1}' }]);
  });
});
