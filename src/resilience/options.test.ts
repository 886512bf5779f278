import { describe, expect, it } from 'vitest';
import { resolveBackoff } from './backoff.js';
import { CircuitBreaker } from './breaker.js';
import { HedgeBudget } from './hedge.js';
import { LatencyEstimator } from './latency.js';
import { InFlightLimiter } from './limiter.js';
import { RetryBudget } from './retry-budget.js';
import { SlidingWindow } from './window.js';

// The config schema refuses these values first; the resilience primitives check them again so a
// caller that bypasses the schema fails at construction, with a message naming the field, instead
// of producing NaN delays or a breaker that never opens.
const refused: ReadonlyArray<readonly [string, () => unknown, string]> = [
  ['limiter maxInFlight 0', () => new InFlightLimiter({ maxInFlight: 0, queueSize: 0, queueTimeoutMs: 0 }), 'maxInFlight must be a positive integer, got 0'],
  [
    'limiter maxInFlight 1.5',
    () => new InFlightLimiter({ maxInFlight: 1.5, queueSize: 0, queueTimeoutMs: 0 }),
    'maxInFlight must be a positive integer, got 1.5',
  ],
  ['backoff baseMs -1', () => resolveBackoff({ baseMs: -1 }), 'backoff baseMs must be a finite number >= 0, got -1'],
  ['backoff maxMs -1', () => resolveBackoff({ maxMs: -1 }), 'backoff maxMs must be a finite number >= 0, got -1'],
  ['backoff maxMs Infinity', () => resolveBackoff({ maxMs: Number.POSITIVE_INFINITY }), 'backoff maxMs must be a finite number >= 0, got Infinity'],
  ['backoff multiplier 0.5', () => resolveBackoff({ multiplier: 0.5 }), 'backoff multiplier must be a finite number >= 1, got 0.5'],
  ['breaker minRequests 0', () => new CircuitBreaker({ minRequests: 0 }), 'breaker minRequests must be an integer ≥ 1, got 0'],
  ['breaker minRequests 1.5', () => new CircuitBreaker({ minRequests: 1.5 }), 'breaker minRequests must be an integer ≥ 1, got 1.5'],
  ['breaker failureRate 0', () => new CircuitBreaker({ failureRate: 0 }), 'breaker failureRate must be in (0, 1], got 0'],
  ['breaker failureRate 1.1', () => new CircuitBreaker({ failureRate: 1.1 }), 'breaker failureRate must be in (0, 1], got 1.1'],
  ['breaker consecutiveFailures 0', () => new CircuitBreaker({ consecutiveFailures: 0 }), 'breaker consecutiveFailures must be an integer ≥ 1, got 0'],
  ['breaker cooldownMs -1', () => new CircuitBreaker({ cooldownMs: -1 }), 'breaker cooldownMs must be a finite number ≥ 0, got -1'],
  ['breaker cooldownMultiplier 0.5', () => new CircuitBreaker({ cooldownMultiplier: 0.5 }), 'breaker cooldownMultiplier must be a finite number ≥ 1, got 0.5'],
  [
    'breaker maxCooldownMs below cooldownMs',
    () => new CircuitBreaker({ cooldownMs: 1000, maxCooldownMs: 999 }),
    'breaker maxCooldownMs must be finite and ≥ cooldownMs, got 999',
  ],
  ['breaker jitter 1', () => new CircuitBreaker({ jitter: 1 }), 'breaker jitter must be in [0, 1), got 1'],
  ['breaker jitter -0.1', () => new CircuitBreaker({ jitter: -0.1 }), 'breaker jitter must be in [0, 1), got -0.1'],
  ['breaker halfOpenProbes 0', () => new CircuitBreaker({ halfOpenProbes: 0 }), 'breaker halfOpenProbes must be an integer ≥ 1, got 0'],
  ['hedge budget ratio -1', () => new HedgeBudget({ ratio: -1 }), 'hedge budget ratio must be >= 0, got -1'],
  ['hedge budget burst -1', () => new HedgeBudget({ burst: -1 }), 'hedge budget burst must be >= 0, got -1'],
  ['hedge budget burst NaN', () => new HedgeBudget({ burst: Number.NaN }), 'hedge budget burst must be >= 0, got NaN'],
  ['latency capacity 0', () => new LatencyEstimator({ capacity: 0 }), 'latency capacity must be a positive integer, got 0'],
  ['latency windowMs 0', () => new LatencyEstimator({ windowMs: 0 }), 'latency windowMs must be > 0, got 0'],
  ['retry budget ratio -1', () => new RetryBudget({ ratio: -1 }), 'retry budget ratio must be >= 0, got -1'],
  ['retry budget minPerSecond -1', () => new RetryBudget({ minPerSecond: -1 }), 'retry budget minPerSecond must be >= 0, got -1'],
  ['retry budget minPerSecond NaN', () => new RetryBudget({ minPerSecond: Number.NaN }), 'retry budget minPerSecond must be >= 0, got NaN'],
  ['retry budget windowMs 0', () => new RetryBudget({ windowMs: 0 }), 'retry budget windowMs must be > 0, got 0'],
  ['window buckets 0', () => new SlidingWindow({ buckets: 0, windowMs: 1000 }), 'window buckets must be a positive integer, got 0'],
  ['window buckets 2.5', () => new SlidingWindow({ buckets: 2.5, windowMs: 1000 }), 'window buckets must be a positive integer, got 2.5'],
  [
    'window windowMs not a multiple',
    () => new SlidingWindow({ buckets: 3, windowMs: 1000 }),
    'windowMs must be a positive whole multiple of buckets (3), got 1000',
  ],
];

// The smallest values each rule allows.
const accepted: ReadonlyArray<readonly [string, () => unknown]> = [
  ['limiter maxInFlight 1', () => new InFlightLimiter({ maxInFlight: 1, queueSize: 0, queueTimeoutMs: 0 })],
  ['backoff baseMs 0, maxMs 0, multiplier 1', () => resolveBackoff({ baseMs: 0, maxMs: 0, multiplier: 1 })],
  [
    'breaker minimums',
    () =>
      new CircuitBreaker({
        minRequests: 1,
        failureRate: 1,
        consecutiveFailures: 1,
        cooldownMs: 0,
        cooldownMultiplier: 1,
        maxCooldownMs: 0,
        jitter: 0,
        halfOpenProbes: 1,
      }),
  ],
  ['hedge budget ratio 0, burst 0', () => new HedgeBudget({ ratio: 0, burst: 0 })],
  ['latency capacity 1', () => new LatencyEstimator({ capacity: 1, windowMs: 1 })],
  ['retry budget ratio 0, minPerSecond 0', () => new RetryBudget({ ratio: 0, minPerSecond: 0, windowMs: 1 })],
  ['window of 1 bucket', () => new SlidingWindow({ buckets: 1, windowMs: 1 })],
];

describe('resilience primitives check their options', () => {
  it.each(refused)('refuses %s, naming the field and the value', (_name, make, message) => {
    expect(make).toThrow(RangeError);
    expect(make).toThrow(message);
  });

  it.each(accepted)('accepts %s', (_name, make) => {
    expect(make).not.toThrow();
  });
});
