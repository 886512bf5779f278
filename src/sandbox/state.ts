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

export class AttemptLog {
  private readonly list: SandboxAttempt[] = [];
  private seq = 0;

  /** Returns the stored entry itself: handlers fill in outcome and status as the answer unfolds. */
  add(attempt: Omit<SandboxAttempt, 'seq'>): SandboxAttempt {
    const entry: SandboxAttempt = { seq: ++this.seq, ...attempt };
    this.list.push(entry);
    if (this.list.length > MAX_ATTEMPTS) this.list.shift();
    return entry;
  }

  all(): SandboxAttempt[] {
    return this.list.map((a) => ({ ...a }));
  }

  clear(): void {
    this.list.length = 0;
  }
}
