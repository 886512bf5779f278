import { StringDecoder } from 'node:string_decoder';
import type { StreamEvent } from '../core/upstream.js';

/**
 * Incremental Server-Sent Events parser (WHATWG event-stream rules): accepts bytes in arbitrary
 * chunks, yields complete events. Comment lines (": ping") and `id:`/`retry:` fields are ignored;
 * multi-line `data:` fields are joined with "\n". Framing is parsed here once for every SSE-based
 * provider; adapters only see events.
 */
export class SseParser {
  private readonly decoder = new StringDecoder('utf8');
  private buffer = '';
  private event: string | undefined;
  private data: string[] = [];

  push(bytes: Buffer | Uint8Array | string): StreamEvent[] {
    this.buffer += typeof bytes === 'string' ? bytes : this.decoder.write(bytes as Buffer);
    const out: StreamEvent[] = [];
    let start = 0;
    for (;;) {
      const nl = this.buffer.indexOf('\n', start);
      if (nl === -1) break;
      let line = this.buffer.slice(start, nl);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      start = nl + 1;
      this.line(line, out);
    }
    this.buffer = start === 0 ? this.buffer : this.buffer.slice(start);
    return out;
  }

  /** End of input: a final event without its blank line still counts. */
  end(): StreamEvent[] {
    const out: StreamEvent[] = [];
    const rest = this.buffer + this.decoder.end();
    this.buffer = '';
    if (rest.length > 0) this.line(rest.endsWith('\r') ? rest.slice(0, -1) : rest, out);
    this.dispatch(out);
    return out;
  }

  private line(line: string, out: StreamEvent[]): void {
    if (line === '') {
      this.dispatch(out);
      return;
    }
    if (line.charCodeAt(0) === 58 /* ':' */) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
  }

  private dispatch(out: StreamEvent[]): void {
    if (this.data.length === 0) {
      this.event = undefined;
      return;
    }
    const ev: StreamEvent = { data: this.data.length === 1 ? (this.data[0] as string) : this.data.join('\n') };
    if (this.event !== undefined) ev.event = this.event;
    out.push(ev);
    this.data = [];
    this.event = undefined;
  }
}
