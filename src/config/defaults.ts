import type { ResilienceConfig, ServerConfig } from './types.js';

/**
 * Defaults of the config sections that belong to no state machine of their own (the breaker,
 * backoff, retry, retry-budget and outlier tables live beside the code that runs them, in
 * resilience/). docs/config.md lists every default with its reason.
 */

export const DEFAULT_SERVER: Readonly<ServerConfig> = Object.freeze({
  host: '127.0.0.1', // loopback: exposing the gateway is a decision, not a default
  port: 8787,
  maxBodyBytes: 10 * 1024 * 1024, // a few base64 images fit; a runaway client does not
  requestTimeoutMs: 600_000, // long generations and slow reasoning models finish
  bodyIdleTimeoutMs: 10_000, // a client that stops sending for 10 s mid-body is gone or hostile
});

/** Primary, secondary, tertiary and emergency tiers. */
export const DEFAULT_FALLBACK_DEPTH = 3;

/** How many targets the config does not name keep state, and for how long unused (resilience.undeclared_targets). */
export const UNDECLARED_DEFAULTS: Readonly<ResilienceConfig['undeclaredTargets']> = Object.freeze({
  max: 512, // enough for a passthrough gateway's working set; bounded whatever clients name
  idleMs: 600_000,
});
