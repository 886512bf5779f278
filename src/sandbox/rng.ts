/**
 * Seeded randomness, so a scenario file with error rates and latency distributions replays the
 * same way on every run with the same seed.
 */

export type Rng = () => number;

/** FNV-1a, used to derive independent per-model seeds from one run seed. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: tiny, fast, and good enough for fault injection. */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Distribution =
  | { distribution: 'fixed'; ms: number }
  | { distribution: 'uniform'; min_ms: number; max_ms: number }
  | { distribution: 'normal'; mean_ms: number; stddev_ms: number }
  | { distribution: 'lognormal'; median_ms: number; sigma: number };

export const fixed = (ms: number): Distribution => ({ distribution: 'fixed', ms });

/** Ten minutes: no single delay is allowed to exceed it, whatever a scenario file says. */
const MAX_DELAY_MS = 600_000;

function gaussian(rng: Rng): number {
  // Box-Muller; 1 - u keeps log() away from zero.
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function sampleDelay(dist: Distribution, rng: Rng): number {
  let ms: number;
  switch (dist.distribution) {
    case 'fixed':
      ms = dist.ms;
      break;
    case 'uniform':
      ms = dist.min_ms + (dist.max_ms - dist.min_ms) * rng();
      break;
    case 'normal':
      ms = dist.mean_ms + dist.stddev_ms * gaussian(rng);
      break;
    case 'lognormal':
      ms = Math.exp(Math.log(Math.max(dist.median_ms, 1e-3)) + dist.sigma * gaussian(rng));
      break;
  }
  return Math.min(MAX_DELAY_MS, Math.max(0, Math.round(ms)));
}
