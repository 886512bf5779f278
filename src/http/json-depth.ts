import { GatewayError } from '../core/errors.js';

/**
 * How deeply a request body's JSON may nest. Chat requests nest a handful of levels; JSON schemas
 * in tools and response formats a few dozen at most. Deeper bodies are refused before they are
 * parsed: V8 parses deep nesting far slower than flat JSON, and recursive code further on (JSON
 * encoding, schema translation) would overflow the stack.
 */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;

/**
 * The index just past the string whose opening quote is at `start`, or -1 when it never closes.
 * Strings are skipped with a native search for the next quote, so text and base64 images cost
 * little to scan.
 */
function skipString(buf: Buffer, start: number): number {
  let i = start;
  for (;;) {
    i = buf.indexOf(QUOTE, i + 1);
    if (i === -1) return -1;
    let backslashes = 0;
    while (buf[i - 1 - backslashes] === BACKSLASH) backslashes++;
    if ((backslashes & 1) === 0) return i + 1;
  }
}

/** The offset of the bracket that opens level `max + 1`, or -1 when the body nests at most `max` deep. */
export function tooDeepAt(buf: Buffer, max: number): number {
  let depth = 0;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (c === QUOTE) {
      const end = skipString(buf, i);
      if (end === -1) return -1; // malformed: JSON.parse will say where
      i = end - 1;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > max) return i;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
    }
  }
  return -1;
}

interface Level {
  array: boolean;
  index: number;
  key: string | undefined;
  /** In an object: the next string is a key. */
  expectKey: boolean;
}

/** The path (`messages[0].content[1].x`) of the value that opens at `at`; only for the error. */
export function pathAt(buf: Buffer, at: number): string {
  const levels: Level[] = [];
  for (let i = 0; i < at; i++) {
    const c = buf[i];
    const top = levels[levels.length - 1];
    if (c === QUOTE) {
      const end = skipString(buf, i);
      if (top && !top.array && top.expectKey) {
        top.key = JSON.parse(buf.subarray(i, end).toString('utf8')) as string;
        top.expectKey = false;
      }
      i = end - 1;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      levels.push({ array: c === OPEN_ARRAY, index: 0, key: undefined, expectKey: c === OPEN_OBJECT });
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      levels.pop();
    } else if (c === 0x2c /* , */ && top) {
      if (top.array) top.index++;
      else top.expectKey = true;
    }
  }
  return levels.map((l, n) => (l.array ? `[${l.index}]` : n === 0 ? (l.key ?? '') : `.${l.key ?? ''}`)).join('');
}

/** Refuses a body nested deeper than MAX_JSON_DEPTH with a 400 that names where. */
export function checkJsonDepth(buf: Buffer): void {
  const at = tooDeepAt(buf, MAX_JSON_DEPTH);
  if (at === -1) return;
  let path = pathAt(buf, at);
  if (path.length > 200) path = `${path.slice(0, 100)}…${path.slice(-100)}`;
  throw new GatewayError('invalid_request', `Request body nests deeper than ${MAX_JSON_DEPTH} levels at ${path || 'the top level'}; flatten it`, {
    param: path || null,
  });
}
