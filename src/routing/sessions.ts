/**
 * Session affinity: which target last served a conversation, so its next turn goes to the same
 * one while that target is healthy (provider-side prompt caches stay warm; answers keep one voice).
 *
 * Bounded: at most `capacity` sessions (least recently used forgotten first), each for `ttlMs`
 * after its last use. Time is passed in.
 */
export interface SessionOptions {
  capacity: number;
  ttlMs: number;
}

export const SESSION_DEFAULTS: Readonly<SessionOptions> = Object.freeze({ capacity: 100_000, ttlMs: 3_600_000 });

export class SessionAffinity {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  private readonly entries = new Map<string, { target: string; at: number }>();

  constructor(private readonly options: SessionOptions = SESSION_DEFAULTS) {}

  /** The target key the session is pinned to, if it was used within the TTL. */
  get(session: string, now: number): string | undefined {
    const e = this.entries.get(session);
    if (!e) return undefined;
    if (now - e.at >= this.options.ttlMs) {
      this.entries.delete(session);
      return undefined;
    }
    return e.target;
  }

  /** The session was served by `target` at `now`. */
  set(session: string, target: string, now: number): void {
    this.entries.delete(session);
    this.entries.set(session, { target, at: now });
    if (this.entries.size > this.options.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
