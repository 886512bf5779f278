/**
 * The routing strategies a route may name, and their tunable options with defaults: the config's
 * vocabulary, which routing/strategies.ts implements.
 */

export const STRATEGIES = ['priority', 'weighted', 'round_robin', 'least_in_flight', 'least_latency', 'cheapest', 'performance', 'adaptive'] as const;
export type StrategyName = (typeof STRATEGIES)[number];

export interface PerformanceWeights {
  successWeight: number;
  latencyWeight: number;
}

export interface AdaptiveOptions {
  /** Probability that the first pick explores (goes to a target other than the best). */
  exploration: number;
  successWeight: number;
  latencyWeight: number;
  costWeight: number;
}

export interface StrategyOptions {
  /** performance: score = success × successWeight + latencyScore × latencyWeight (defaults 0.7 / 0.3). */
  performance?: PerformanceWeights;
  /** adaptive: epsilon-greedy floor and reward weights (defaults exploration 0.1, success 0.6, latency 0.25, cost 0.15). */
  adaptive?: AdaptiveOptions;
}

export const STRATEGY_DEFAULTS: { readonly performance: Readonly<PerformanceWeights>; readonly adaptive: Readonly<AdaptiveOptions> } = Object.freeze({
  performance: Object.freeze({ successWeight: 0.7, latencyWeight: 0.3 }),
  adaptive: Object.freeze({ exploration: 0.1, successWeight: 0.6, latencyWeight: 0.25, costWeight: 0.15 }),
});
