import type { ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { type Rng, sampleDelay } from './rng.js';
import type { Behaviour } from './scenarios.js';
import type { AttemptOutcome, Frame, HttpReply } from './types.js';

/** Waits, unless the request is abandoned first; true when the wait completed. */
export async function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  if (ms <= 0) return true;
  try {
    // An aborted signal cancels the timer itself, so no timer outlives its request.
    await delay(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

export function sendReply(res: ServerResponse, reply: HttpReply): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(reply.status, { ...reply.headers, 'content-length': Buffer.byteLength(reply.body) });
  res.end(reply.body);
}

export interface Pace {
  behaviour: Behaviour;
  rng: Rng;
  signal: AbortSignal;
}

/** Cut a connection mid-body: the client sees a premature close, never a clean end. */
function cut(res: ServerResponse): void {
  res.socket?.destroy();
  res.destroy();
}

/** Resolves once the bytes reached the socket, so a cut right after them does not swallow them. */
function writeFlushed(res: ServerResponse, bytes: string): Promise<void> {
  return new Promise((resolve) => res.write(bytes, () => resolve()));
}

/**
 * Streams frames with the behaviour's pacing and stream faults. Fault points are counted in
 * content frames; a fault triggers before the next frame once that many have been written.
 */
export async function writeStream(
  res: ServerResponse,
  headers: Record<string, string>,
  frames: readonly Frame[],
  malformed: string,
  pace: Pace,
): Promise<AttemptOutcome | 'aborted'> {
  const b = pace.behaviour;
  res.writeHead(200, { 'cache-control': 'no-cache', connection: 'keep-alive', ...headers });
  res.flushHeaders();
  let sent = 0;
  let malformedSent = false;
  let lastWrite: Promise<void> = Promise.resolve();
  for (const frame of frames) {
    const started = sent > 0 || frame.kind === 'content';
    if (started && b.cutAfter !== null && sent >= b.cutAfter) {
      await lastWrite;
      cut(res);
      return 'cut';
    }
    if (started && b.stallAfter !== null && sent >= b.stallAfter) return 'stall';
    if (frame.kind === 'terminal' && b.noDone) continue;
    if (frame.kind === 'content') {
      const ms = sampleDelay(sent === 0 ? b.firstTokenMs : b.tokenMs, pace.rng);
      if (!(await sleep(ms, pace.signal))) return 'aborted';
      if (b.malformedAfter !== null && !malformedSent && sent >= b.malformedAfter) {
        res.write(malformed);
        malformedSent = true;
      }
      sent++;
    }
    if (res.destroyed) return 'aborted';
    lastWrite = writeFlushed(res, frame.bytes);
  }
  res.end();
  if (malformedSent) return 'malformed';
  return b.noDone ? 'no_done' : 'ok';
}

/**
 * A non-streamed answer, delayed as long as streaming it would take. Stream faults map onto the
 * body: cut and stall deliver half of it, malformed delivers half and ends cleanly.
 */
export async function writeJsonAnswer(res: ServerResponse, reply: HttpReply, tokens: number, pace: Pace): Promise<AttemptOutcome | 'aborted'> {
  const b = pace.behaviour;
  let ms = sampleDelay(b.firstTokenMs, pace.rng);
  for (let i = 1; i < tokens; i++) ms += sampleDelay(b.tokenMs, pace.rng);
  if (!(await sleep(ms, pace.signal))) return 'aborted';
  if (res.destroyed) return 'aborted';
  const half = reply.body.slice(0, Math.floor(reply.body.length / 2));
  if (b.cutAfter !== null || b.stallAfter !== null) {
    res.writeHead(reply.status, { ...reply.headers, 'content-length': Buffer.byteLength(reply.body) });
    // For a cut, the half body reaches the client before the connection drops.
    res.write(half, () => {
      if (b.cutAfter !== null) cut(res);
    });
    return b.cutAfter !== null ? 'cut' : 'stall';
  }
  if (b.malformedAfter !== null) {
    sendReply(res, { ...reply, body: half });
    return 'malformed';
  }
  sendReply(res, reply);
  return 'ok';
}
