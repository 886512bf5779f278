/**
 * The compiled, frozen runtime configuration. The YAML schema (config/schema.ts) is validated and
 * compiled (config/compile.ts) into these shapes once at start-up; the request path reads only these.
 */

import type { OutlierConfig } from '../resilience/outlier.js';
import type { CompiledCondition } from './conditions.js';
import type { StrategyName, StrategyOptions } from './strategy-options.js';

export type WireFormat = 'openai' | 'azure' | 'anthropic' | 'gemini' | 'bedrock';

export type ProviderAuth =
  | { type: 'none' }
  | { type: 'bearer'; key: string }
  /** A named header carrying the key: Anthropic `x-api-key`, Azure `api-key`, Gemini `x-goog-api-key`. */
  | { type: 'header'; name: string; key: string }
  | { type: 'sigv4'; accessKeyId: string; secretAccessKey: string; sessionToken?: string; region: string; service: string };

export interface Timeouts {
  /** TCP + TLS connect. */
  connectMs: number;
  /** From request sent to response headers. After the headers, the idle timeout governs the body. */
  firstByteMs: number;
  /** Longest silence between two body chunks. */
  idleMs: number;
  /** Streams: from request sent to the first content (role-only chunks and pings do not count). */
  firstTokenMs: number;
}

export type Capability = 'chat' | 'vision' | 'tools' | 'json' | 'json_schema' | 'streaming' | 'embeddings' | 'prefill';

export interface Pricing {
  /** USD per million tokens. */
  input: number;
  output: number;
  cachedInput?: number;
  reasoning?: number;
}

export interface ModelInfo {
  /** The model id the provider knows (for Azure: the model name; the deployment is in `deployment`). */
  id: string;
  /** Azure OpenAI deployment name; defaults to id. */
  deployment?: string;
  contextWindow?: number;
  maxOutputTokens?: number;
  pricing?: Pricing;
  capabilities: ReadonlySet<Capability>;
  region?: string;
  compliance: readonly string[];
  /** 1 (basic) to 5 (frontier), when declared. */
  quality?: number;
}

export interface ProviderConfig {
  name: string;
  format: WireFormat;
  /** Base URL without trailing slash, e.g. https://api.openai.com/v1 */
  baseUrl: string;
  auth: ProviderAuth;
  /** Extra static headers sent with every request (e.g. anthropic-version, OpenRouter's HTTP-Referer). */
  headers: Readonly<Record<string, string>>;
  timeouts: Timeouts;
  /** Azure OpenAI `api-version` query parameter. */
  apiVersion?: string;
  /** Upstream region for Bedrock, and a compliance tag for routing. */
  region?: string;
  compliance: readonly string[];
  /** Models declared for this provider, by provider model id. `provider/anything` still works for undeclared ids. */
  models: ReadonlyMap<string, ModelInfo>;
  /** True when this provider is one of Switchyard's own sandbox providers. */
  sandbox: boolean;
  /** Connections to this provider's origin at most; absent = no cap (each stream holds one for its length over HTTP/1.1). */
  maxConnections?: number;
  /** Offer HTTP/2 (ALPN over TLS): many streams share one connection where the provider speaks it. */
  http2: boolean;
  /** Per-target in-flight cap with a bounded queue; absent = no cap. */
  concurrency?: { maxInFlight: number; queueSize: number; queueTimeoutMs: number };
}

export interface Target {
  provider: ProviderConfig;
  model: ModelInfo;
}

/** Hedging for one public model: off unless configured. */
export interface HedgeConfig {
  /** Either a fixed delay ... */
  delayMs?: number;
  /** ... or one from the first target's recent time to first token at this quantile, clamped. */
  adaptive?: { quantile: number; minMs: number; maxMs: number };
  /** Hedges per request. */
  maxHedges: number;
  /** Share of the route's requests that may be hedged. */
  budgetRatio: number;
}

/** A set of interchangeable targets; the route's strategy orders them per request. */
export interface RouteTier {
  targets: readonly Target[];
  /** One weight per target (default 1), for strategies that spread load. */
  weights: readonly number[];
}

export interface PublicModel {
  name: string;
  strategy: StrategyName;
  affinity: 'session' | 'none';
  strategyOptions: StrategyOptions;
  /** Tried in order: the primary tier, then each fallback tier. */
  tiers: readonly RouteTier[];
  /** Every target of every tier, in declared order. */
  targets: readonly Target[];
  hedge?: HedgeConfig;
}

export interface ServerConfig {
  host: string;
  port: number;
  /** Requests with a larger body are refused with 413 before the body is read in full. */
  maxBodyBytes: number;
  /** Overall deadline per request, across every attempt. */
  requestTimeoutMs: number;
  /** Longest gap between two pieces of a request body before the request gets 408. */
  bodyIdleTimeoutMs: number;
}

/** How the executor treats failures; every field has a default (docs/config.md). */
export interface ResilienceConfig {
  /** Every intervalMs (jittered), each target whose breaker is open gets one minimal request. */
  health: { enabled: boolean; intervalMs: number };
  /** Passive outlier detection from live traffic (resilience/outlier.ts). */
  outlier: OutlierConfig;
  /** Attempts per request over all targets, retries and hedges included. */
  maxAttempts: number;
  maxRetriesPerTarget: number;
  /** Tiers after the primary one a request may fall back to (route tiers and request fallbacks alike). */
  maxFallbackDepth: number;
  backoff: { baseMs: number; maxMs: number };
  retryBudget: { ratio: number; minPerSecond: number };
  breaker: {
    windowMs: number;
    minRequests: number;
    failureRate: number;
    consecutiveFailures: number;
    cooldownMs: number;
    maxCooldownMs: number;
    halfOpenProbes: number;
  };
  /** State kept for targets the config does not name (a client's `provider/<any model>`): at most `max`, each forgotten after `idleMs` unused. */
  undeclaredTargets: { max: number; idleMs: number };
}

/** A traffic class: limits and preferences for a kind of work (critical, background, ...). */
export interface TrafficClass {
  name: string;
  qualityFloor?: number;
  maxAttempts?: number;
  maxFallbackDepth?: number;
  /** false turns hedging off for the class. */
  hedge: boolean;
  /** The class's own hedging, used instead of the route's. */
  hedgeConfig?: HedgeConfig;
  deadlineMs?: number;
  maxCostUsd?: number;
  latencyBudgetMs?: number;
  /** A public model appended (after the route's tiers) as the path this class may degrade to. */
  degradeTo?: string;
}

export interface RoutingRule {
  /** Position in routing.rules, for explain output. */
  index: number;
  when: CompiledCondition;
  route?: string;
  class?: string;
  strategy?: StrategyName;
}

export interface RoutingConfig {
  classes: ReadonlyMap<string, TrafficClass>;
  defaultClass: TrafficClass;
  rules: readonly RoutingRule[];
  /** Public model per complexity for `model: auto`. */
  auto?: { simple: string; medium: string; complex: string };
}

export interface GatewayConfig {
  server: ServerConfig;
  resilience: ResilienceConfig;
  routing: RoutingConfig;
  providers: ReadonlyMap<string, ProviderConfig>;
  models: ReadonlyMap<string, PublicModel>;
  /** Set when the gateway configured itself on sandbox providers because no credentials were found. */
  sandboxMode: boolean;
  /** Where the config came from: a file path, or "environment" / "sandbox". */
  source: string;
}

const KEYS = new WeakMap<Target, string>();

/** `provider/model`, built once per target object (configured targets live as long as the config). */
export function describeTarget(t: Target): string {
  let key = KEYS.get(t);
  if (key === undefined) {
    key = `${t.provider.name}/${t.model.id}`;
    KEYS.set(t, key);
  }
  return key;
}
