import { createRng, hash32, type Rng } from './rng.js';
import type { SandboxAttempt } from './types.js';

/** What the sandbox remembers about one simulated model between requests. */
export interface ModelState {
  /** Requests seen so far, this one included once `touch` returned. */
  count: number;
  /** When the first request arrived (ms since epoch), for outage windows. */
  firstAt: number;
  /** Seeded per model, so one model's traffic never shifts another's random draws. */
  rng: Rng;
}

/**
 * Per-model state keyed by wire format and full model id (tag included): `error-500-once@a` and
 * `error-500-once@b` fail once each, and an OpenAI and an Anthropic provider never share a counter.
 */
export class ModelStates {
  private readonly states = new Map<string, ModelState>();
  constructor(private readonly seed: number) {}

  touch(format: string, model: string, now: number): ModelState {
    const key = `${format}:${model}`;
    let state = this.states.get(key);
    if (!state) {
      state = { count: 0, firstAt: now, rng: createRng(hash32(`${this.seed}:${key}`)) };
      this.states.set(key, state);
    }
    state.count++;
    return state;
  }

  clear(): void {
    this.states.clear();
  }
}

/** Bounded, so a long chaos drill cannot grow the sandbox without limit. */
const MAX_ATTEMPTS = 10_000;
/** Request bodies kept in all (by their JSON text's length); the oldest are dropped first. */
const MAX_REQUEST_BYTES = 64 * 1024 * 1024;

export class AttemptLog {
  private readonly list: SandboxAttempt[] = [];
  /** Entries whose request body is kept, oldest first, with the body's size. */
  private readonly bodies = new Map<SandboxAttempt, number>();
  private bodyBytes = 0;
  private seq = 0;

  constructor(private readonly maxRequestBytes = MAX_REQUEST_BYTES) {}

  /** Returns the stored entry itself: handlers fill in outcome and status as the answer unfolds. */
  add(attempt: Omit<SandboxAttempt, 'seq' | 'request'>): SandboxAttempt {
    const entry: SandboxAttempt = { seq: ++this.seq, ...attempt, request: null };
    this.list.push(entry);
    if (this.list.length > MAX_ATTEMPTS) this.dropBody(this.list.shift()!);
    return entry;
  }

  /** Records what an attempt received; `bytes` is the size of its JSON text. Older bodies make room. */
  keepRequest(entry: SandboxAttempt, body: unknown, bytes: number): void {
    if (bytes > this.maxRequestBytes) return;
    entry.request = body;
    this.bodies.set(entry, bytes);
    this.bodyBytes += bytes;
    for (const oldest of this.bodies.keys()) {
      if (this.bodyBytes <= this.maxRequestBytes) break;
      this.dropBody(oldest);
    }
  }

  all(): SandboxAttempt[] {
    return this.list.map((a) => ({ ...a }));
  }

  clear(): void {
    this.list.length = 0;
    this.bodies.clear();
    this.bodyBytes = 0;
  }

  private dropBody(entry: SandboxAttempt): void {
    const bytes = this.bodies.get(entry);
    if (bytes === undefined) return;
    this.bodies.delete(entry);
    this.bodyBytes -= bytes;
    entry.request = null;
  }
}
