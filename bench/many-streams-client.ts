/**
 * The client side of the many-streams bench (bench/many-streams.ts starts it in its own process):
 * opens STREAMS chat-completion streams through the gateway, launched evenly over RAMP_SECONDS (a
 * burst of thousands of connects on loopback overflows the listen backlog), each on its own
 * connection, reads every one to its end and classifies it:
 *   ok            200, finish_reason stop, and the last event was `data: [DONE]`
 *   no [DONE]     200 but the stream ended (or was cut) without `data: [DONE]`
 *   in-band error 200 and an error event in the stream
 *   HTTP status   any other status, by code
 *   transport     the connection failed (by error code)
 * and times the first byte of each stream (request sent → first body byte).
 *
 * Prints `start` when it begins launching, `progress {json}` every second and `result {json}` at the end, also when stopped early
 * (SIGTERM) or when DEADLINE_MS (from its start) passes: then every stream still open is aborted and
 * counted as cut by the deadline. Env: GATEWAY_URL, STREAMS, RAMP_SECONDS, DEADLINE_MS, MODEL.
 * Self-contained (imports only undici and node: builtins): the bench runs it transpiled.
 */
import { Pool } from 'undici';

const GATEWAY = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8787';
const STREAMS = Number(process.env.STREAMS ?? 8000);
const RAMP_MS = Number(process.env.RAMP_SECONDS ?? 4) * 1000;
const DEADLINE_MS = Number(process.env.DEADLINE_MS ?? 600_000);
const MODEL = process.env.MODEL ?? 'bench';

// Started by a bench with BENCH_PARENT_WATCH=1: exit when the bench goes away (its stdin pipe closes).
if (process.env.BENCH_PARENT_WATCH === '1') {
  process.stdin.once('close', () => process.exit(0));
  process.stdin.resume();
}

const body = JSON.stringify({ model: MODEL, stream: true, messages: [{ role: 'user', content: 'Tell me a long story, slowly.' }] });
const pool = new Pool(GATEWAY, {
  connections: STREAMS,
  pipelining: 1,
  // The bench bounds everything with DEADLINE_MS; the gateway's own timeouts are what is measured.
  headersTimeout: 0,
  bodyTimeout: 0,
  connect: { timeout: 30_000 },
});
const deadline = new AbortController();
const t0 = performance.now();

const counts = { launched: 0, open: 0, ended: 0, ok: 0, noDone: 0, inBandError: 0, cutByDeadline: 0 };
/** Status code or transport error code → streams. */
const statuses: Record<string, number> = {};
const firstByteMs: number[] = [];
const durationMs: number[] = [];
/** Failures by kind (status and error code, or transport code), with a count and one example each. */
const errorKinds = new Map<string, { count: number; example: string }>();
let lastEndMs = 0;

function bump(key: string): void {
  statuses[key] = (statuses[key] ?? 0) + 1;
}

function sample(kind: string, example: string): void {
  const k = errorKinds.get(kind);
  if (k) k.count++;
  else if (errorKinds.size < 20) errorKinds.set(kind, { count: 1, example: example.slice(0, 300) });
}

interface SseState {
  carry: string;
  done: boolean;
  stop: boolean;
  error: boolean;
  errorEvent: string;
  afterDone: boolean;
}

/** Feeds text to a small SSE reader: events end at a blank line; only data: lines matter here. */
function feed(state: SseState, text: string): void {
  state.carry += text;
  let i = state.carry.indexOf('\n\n');
  while (i !== -1) {
    const event = state.carry.slice(0, i);
    state.carry = state.carry.slice(i + 2);
    for (const line of event.split('\n')) {
      if (!line.startsWith('data:')) continue;
      const data = line.slice(5).trim();
      if (state.done) state.afterDone = true;
      if (data === '[DONE]') {
        state.done = true;
        continue;
      }
      try {
        const v = JSON.parse(data) as { error?: unknown; choices?: { finish_reason?: string | null }[] };
        if (v.error) {
          state.error = true;
          state.errorEvent ||= data;
        }
        if (v.choices?.some((c) => c.finish_reason === 'stop')) state.stop = true;
      } catch {
        state.error = true;
        state.errorEvent ||= `unparseable: ${data}`;
      }
    }
    i = state.carry.indexOf('\n\n');
  }
}

async function one(): Promise<void> {
  counts.launched++;
  counts.open++;
  const start = performance.now();
  let status = 0;
  const state: SseState = { carry: '', done: false, stop: false, error: false, errorEvent: '', afterDone: false };
  try {
    const res = await pool.request({
      path: '/v1/chat/completions',
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer bench' },
      body,
      signal: deadline.signal,
    });
    status = res.statusCode;
    bump(String(status));
    let first = true;
    let text = '';
    for await (const chunk of res.body) {
      if (first) {
        first = false;
        if (status === 200) firstByteMs.push(performance.now() - start);
      }
      const s = (chunk as Buffer).toString();
      if (status === 200) feed(state, s);
      else if (text.length < 300) text += s;
    }
    if (status !== 200) sample(`${status} ${/"code"\s*:\s*"([^"]+)"/.exec(text)?.[1] ?? ''}`.trim(), text);
    else if (state.error) {
      counts.inBandError++;
      sample('200 with an in-band error', state.errorEvent);
    } else if (state.done && state.stop && !state.afterDone) counts.ok++;
    else counts.noDone++;
  } catch (err) {
    if (deadline.signal.aborted) {
      counts.cutByDeadline++;
      if (status === 0) bump('cut by the deadline before a response');
      else if (status === 200) counts.noDone++;
    } else {
      const e = err as { code?: string; name?: string; message?: string };
      if (status === 0) bump(e.code ?? e.name ?? 'error');
      else if (status === 200) counts.noDone++;
      sample(`${status ? `${status}, then` : ''} transport ${e.code ?? e.name}`.trim(), e.message ?? '');
    }
  } finally {
    counts.open--;
    counts.ended++;
    durationMs.push(performance.now() - start);
    lastEndMs = performance.now() - t0;
  }
}

function q(xs: number[], p: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]! * 10) / 10;
}

function snapshot(): Record<string, unknown> {
  return {
    elapsedMs: Math.round(performance.now() - t0),
    streams: STREAMS,
    ...counts,
    statuses,
    firstByteMs: { n: firstByteMs.length, p50: q(firstByteMs, 0.5), p99: q(firstByteMs, 0.99), max: q(firstByteMs, 1) },
    durationMs: { p50: q(durationMs, 0.5), p99: q(durationMs, 0.99), max: q(durationMs, 1) },
    lastEndMs: Math.round(lastEndMs),
    errors: [...errorKinds].map(([kind, v]) => ({ kind, ...v })),
  };
}

let reported = false;
function finish(code: number): void {
  if (reported) return;
  reported = true;
  clearInterval(progress);
  process.stdout.write(`result ${JSON.stringify(snapshot())}\n`, () => process.exit(code));
}

const progress = setInterval(() => process.stdout.write(`progress ${JSON.stringify({ ...snapshot(), errors: undefined })}\n`), 1000);
process.once('SIGTERM', () => {
  deadline.abort();
  // Aborted streams settle on the next turns of the loop; then report.
  setTimeout(() => finish(0), 200);
});
const deadlineTimer = setTimeout(() => deadline.abort(), DEADLINE_MS);

async function main(): Promise<void> {
  process.stdout.write('start\n');
  const all: Promise<void>[] = [];
  const tickMs = 10;
  const perTick = Math.max(1, Math.ceil(STREAMS / Math.max(1, RAMP_MS / tickMs)));
  while (counts.launched < STREAMS && !deadline.signal.aborted) {
    const batchStart = performance.now();
    for (let i = 0; i < perTick && counts.launched < STREAMS; i++) all.push(one());
    const wait = tickMs - (performance.now() - batchStart);
    await new Promise((r) => setTimeout(r, Math.max(0, wait)));
  }
  process.stdout.write(`launched ${counts.launched} in ${Math.round(performance.now() - t0)} ms\n`);
  await Promise.all(all);
  clearTimeout(deadlineTimer);
  finish(0);
}

main().catch((err: unknown) => {
  sample('client failed', err instanceof Error ? err.message : String(err));
  finish(1);
});
