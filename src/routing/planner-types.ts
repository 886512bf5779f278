/**
 * The route planner's vocabulary: what it reads (a request, live state) and what it decides (a
 * RouteDecision). planner.ts re-exports all of it; the planner-*.ts modules share it.
 */
import type { ChatRequest } from '../api/chat.js';
import type { StrategyName } from '../config/strategy-options.js';
import type { HedgeConfig, Target, TrafficClass, WireFormat } from '../config/types.js';
import type { Classification } from './classify.js';
import type { TargetStats } from './strategies.js';

export const CLASS_HEADER = 'x-switchyard-class';
export const DATA_CLASS_HEADER = 'x-switchyard-data-class';
export const SESSION_HEADER = 'x-switchyard-session';
/** Output tokens assumed for a cost estimate when neither the request nor the model bounds them. */
export const DEFAULT_OUTPUT_ESTIMATE = 4096;

export interface RouteInput {
  /**
   * The request as routing reads it. An embeddings request is planned as a chat request whose one
   * user message is its input text, so classes, rules, compliance and context windows apply alike.
   */
  request: ChatRequest;
  /** What the request asks of a target; embeddings need a wire format with an embeddings endpoint and produce no output tokens. */
  operation?: 'chat' | 'embeddings';
  /** The wire formats that can carry the operation; absent = every format. */
  formats?: ReadonlySet<WireFormat>;
  /** A request header by lowercased name. */
  header: (name: string) => string | undefined;
  /** What the caller's key or tenant imposes (tenancy): a class, data classes, names for rules. */
  key?: { name?: string; tenant?: string; class?: string; dataClasses?: readonly string[] };
}

/** Live state routing reads. Reads only: planning the same request twice changes nothing but `turn`. */
export interface RoutingView {
  now: number;
  rng: () => number;
  /** When the target comes back into rotation, or undefined when it is in rotation now. */
  unavailableUntil(target: Target): number | undefined;
  /** `p95` asks for the (costlier) recent p95 latency too. */
  stats(target: Target, p95: boolean): TargetStats;
  /** The round-robin turn of a route tier. The executor's view advances it; explain's only reads it. */
  turn(route: string, tier: number): number;
  /** The target key a session is pinned to. */
  session(id: string): string | undefined;
}

export type ExclusionRule = 'capability' | 'context_window' | 'compliance' | 'quality_floor' | 'cost_ceiling';

export interface Exclusion {
  target: string;
  tier: number;
  rule: ExclusionRule;
  detail: string;
}

export interface Candidate {
  target: Target;
  key: string;
  tier: number;
  /** The strategy's score, where it scores (higher is better). */
  score?: number;
  /** False while out of rotation (breaker, ejection, cool-off): the executor skips it unless nothing else is left. */
  available: boolean;
  costUsd?: number;
}

export interface RouteDecision {
  /** The model the client asked for. */
  requested: string;
  /** The route planned: a public model, or the `provider/model` named directly. */
  route: string;
  class: TrafficClass;
  classSource: 'header' | 'key' | 'rule' | 'default';
  strategy: StrategyName;
  classification?: Classification;
  /** Rules that matched, in order, with what each one set. */
  rules: { index: number; when: string; set: { route?: string; class?: string; strategy?: string } }[];
  candidates: Candidate[];
  excluded: Exclusion[];
  /** Tiers deeper than the fallback depth, left out. */
  droppedTiers: number;
  hedge?: HedgeConfig;
  maxAttempts: number;
  deadlineMs?: number;
  /** Prompt tokens as far as planning needed to know them. */
  promptTokens?: { value: number; how: 'upper_bound' | 'tokenizer' | 'estimate' };
  session?: { id: string; outcome: 'new' | 'kept' | 'moved'; from?: string };
  /** One line: why the first candidate leads. */
  why: string;
}

export interface TierList {
  targets: readonly Target[];
  weights?: readonly number[];
}
