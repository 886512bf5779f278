import { z } from 'zod';
import { isSecretRef } from './env.js';
import { PRESET_NAMES } from './presets.js';
import { STRATEGIES } from './strategy-options.js';
import { parseByteSize } from './units.js';

/**
 * The YAML file's shape. Every object is strict: an unknown key is a mistake (usually a typo) and
 * silently ignoring it would leave a setting the user believes is active. Defaults are applied by
 * compile(), not here, so this schema reads as a plain description of what may be written.
 */

export const WIRE_FORMATS = ['openai', 'azure', 'anthropic', 'gemini', 'bedrock'] as const;
export const SANDBOX_FORMATS = ['openai', 'anthropic', 'gemini'] as const;
export const AUTH_KINDS = ['bearer', 'header', 'none', 'sigv4'] as const;
export const CAPABILITIES = ['chat', 'vision', 'tools', 'json', 'json_schema', 'streaming', 'embeddings', 'prefill'] as const;
export const COMPLIANCE_TAGS = ['hipaa', 'zdr', 'no_training', 'eu'] as const;

export const PROVIDER_NAME = /^[a-z0-9_-]+$/;
export const PUBLIC_MODEL_NAME = /^[A-Za-z0-9._:@/-]+$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

const SECRET_MESSAGE =
  'must be an environment reference such as ${MY_API_KEY} or env:MY_API_KEY; literal secrets are refused ' +
  'because config files get committed, shared and printed';

const secretRef = z.string().refine(isSecretRef, { error: SECRET_MESSAGE });
const positiveInt = z.number().int().positive();
const price = z.number().nonnegative();

const byteSize = z.unknown().transform((input, ctx) => {
  const bytes = parseByteSize(input);
  if (bytes === undefined) {
    ctx.issues.push({
      code: 'custom',
      input,
      message: 'must be a positive byte count or a size string such as "512kb", "10mb" or "1gb" (units: b, kb, mb, gb; 1kb = 1024 bytes)',
    });
    return 0;
  }
  return bytes;
});

const ServerSchema = z.strictObject({
  host: z.string().min(1).optional(),
  port: z.number().int().min(0).max(65535).optional(),
  max_body_bytes: byteSize.optional(),
  request_timeout_ms: positiveInt.optional(),
  body_idle_timeout_ms: positiveInt.optional(),
});

const ResilienceSchema = z.strictObject({
  /** Active probes of targets whose breaker is open. */
  health: z.strictObject({ enabled: z.boolean().optional(), interval_ms: positiveInt.optional() }).optional(),
  /** Passive outlier detection from live traffic. */
  outlier: z
    .strictObject({
      enabled: z.boolean().optional(),
      interval_ms: positiveInt.optional(),
      window_ms: positiveInt.optional(),
      min_requests: positiveInt.optional(),
      failure_rate: z.number().gt(0).max(1).optional(),
      latency_factor: z.number().gt(1).max(100).optional(),
      latency_min_ms: z.number().int().min(0).optional(),
      ejection_ms: positiveInt.optional(),
      max_ejection_ms: positiveInt.optional(),
      max_ejected_ratio: z.number().min(0).max(1).optional(),
    })
    .optional(),
  max_attempts: z.number().int().min(1).max(20).optional(),
  max_retries_per_target: z.number().int().min(0).max(10).optional(),
  max_fallback_depth: z.number().int().min(0).max(10).optional(),
  backoff: z.strictObject({ base_ms: positiveInt.optional(), max_ms: positiveInt.optional() }).optional(),
  retry_budget: z.strictObject({ ratio: z.number().min(0).max(1).optional(), min_per_second: z.number().min(0).max(1000).optional() }).optional(),
  breaker: z
    .strictObject({
      window_ms: positiveInt.optional(),
      min_requests: positiveInt.optional(),
      failure_rate: z.number().gt(0).max(1).optional(),
      consecutive_failures: positiveInt.optional(),
      cooldown_ms: positiveInt.optional(),
      max_cooldown_ms: positiveInt.optional(),
      half_open_probes: positiveInt.optional(),
    })
    .optional(),
  /** Targets clients name that the config does not declare: how many keep state, and for how long unused. */
  undeclared_targets: z.strictObject({ max: z.number().int().min(1).max(100_000).optional(), idle_ms: positiveInt.optional() }).optional(),
});

const TimeoutsSchema = z.strictObject({
  connect_ms: positiveInt.optional(),
  first_byte_ms: positiveInt.optional(),
  idle_ms: positiveInt.optional(),
  first_token_ms: positiveInt.optional(),
});

const ModelSchema = z.strictObject({
  deployment: z.string().min(1).optional(),
  context_window: positiveInt.optional(),
  max_output_tokens: positiveInt.optional(),
  input_price: price.optional(),
  output_price: price.optional(),
  cached_input_price: price.optional(),
  capabilities: z.array(z.enum(CAPABILITIES)).optional(),
  region: z.string().min(1).optional(),
  compliance: z.array(z.enum(COMPLIANCE_TAGS)).optional(),
  /** 1 (basic) to 5 (frontier): what traffic classes' quality floors compare against. */
  quality: z.number().int().min(1).max(5).optional(),
});

const ProviderSchema = z.strictObject({
  preset: z.enum(PRESET_NAMES).optional(),
  format: z.enum(WIRE_FORMATS).optional(),
  sandbox: z.boolean().optional(),
  base_url: z.string().min(1).optional(),
  api_key: secretRef.optional(),
  auth: z.enum(AUTH_KINDS).optional(),
  auth_header: z.string().regex(HEADER_NAME, { error: 'must be an HTTP header name' }).optional(),
  api_version: z.string().min(1).optional(),
  region: z.string().min(1).optional(),
  aws_access_key_id: secretRef.optional(),
  aws_secret_access_key: secretRef.optional(),
  aws_session_token: secretRef.optional(),
  headers: z.record(z.string().regex(HEADER_NAME, { error: 'is not a valid HTTP header name' }), z.string()).optional(),
  compliance: z.array(z.enum(COMPLIANCE_TAGS)).optional(),
  timeouts: TimeoutsSchema.optional(),
  max_connections: positiveInt.optional(),
  http2: z.boolean().optional(),
  /** Per target of this provider: requests in flight, and how many may wait for a slot. */
  concurrency: z
    .strictObject({
      max_in_flight: positiveInt,
      queue_size: z.number().int().min(0).max(100_000).optional(),
      queue_timeout_ms: positiveInt.optional(),
    })
    .optional(),
  // `gpt-4o:` with nothing after it is a natural way to declare a model with no details.
  models: z.record(z.string().min(1), ModelSchema.nullable()).optional(),
});

const HedgeSchema = z.strictObject({
  /** Fixed delay before the hedge is sent. */
  delay_ms: positiveInt.optional(),
  /** Delay from the first target's observed time to first token. */
  adaptive: z
    .strictObject({
      quantile: z.number().gt(0).lt(1).optional(),
      min_ms: positiveInt.optional(),
      max_ms: positiveInt.optional(),
    })
    .optional(),
  max_hedges: z.number().int().min(1).max(3).optional(),
  /** Hedges at most this share of the route's requests over time (bursts of up to ROUTE_HEDGE_BURST). */
  budget_ratio: z.number().gt(0).max(1).optional(),
});

/** A target reference, or one with a weight for strategies that spread load (canaries). */
const TargetEntrySchema = z.union([z.string(), z.strictObject({ target: z.string(), weight: z.number().positive().max(1_000_000).optional() })]);

const PublicModelSchema = z.strictObject({
  /** How each tier's targets are ordered per request. */
  strategy: z.enum(STRATEGIES).optional(),
  /** Keep a session (x-switchyard-session, else the request's `user`) on the target that served it. */
  affinity: z.enum(['session', 'none']).optional(),
  performance: z.strictObject({ success_weight: z.number().min(0).max(1), latency_weight: z.number().min(0).max(1) }).optional(),
  adaptive: z
    .strictObject({
      exploration: z.number().min(0).max(1).optional(),
      success_weight: z.number().min(0).max(1).optional(),
      latency_weight: z.number().min(0).max(1).optional(),
      cost_weight: z.number().min(0).max(1).optional(),
    })
    .optional(),
  /** One tier of targets. */
  targets: z.array(TargetEntrySchema).min(1).optional(),
  /** Tiers tried in order (primary, secondary, ...); each is a set of targets. */
  tiers: z.array(z.array(TargetEntrySchema).min(1)).min(1).max(8).optional(),
  hedge: HedgeSchema.optional(),
});

export const CLASS_NAME = /^[a-z0-9_-]+$/;

const TrafficClassSchema = z.strictObject({
  /** Targets below this model quality are never planned for the class. */
  quality_floor: z.number().int().min(1).max(5).optional(),
  max_attempts: z.number().int().min(1).max(20).optional(),
  max_fallback_depth: z.number().int().min(0).max(10).optional(),
  /** false: never hedge this class's requests; a hedge section: hedge them this way on every route. */
  hedge: z.union([z.boolean(), HedgeSchema]).optional(),
  deadline_ms: positiveInt.optional(),
  /** Targets whose estimated worst-case cost for the request exceeds this (USD) are not planned. */
  max_cost_usd: z.number().positive().optional(),
  /** Targets whose recent p95 latency fits are tried first. */
  latency_budget_ms: positiveInt.optional(),
  /** A public model whose tiers are appended when the route's own are exhausted (cheaper work may fall to it). */
  degrade_to: z.string().min(1).optional(),
});

const RuleSchema = z.strictObject({
  when: z.string().min(1),
  route: z.string().min(1).optional(),
  class: z.string().min(1).optional(),
  strategy: z.enum(STRATEGIES).optional(),
});

const RoutingSchema = z.strictObject({
  default_class: z.string().min(1).optional(),
  classes: z
    .record(z.string().regex(CLASS_NAME, { error: "is not a valid class name: use lowercase letters, digits, '_' and '-'" }), TrafficClassSchema)
    .optional(),
  rules: z.array(RuleSchema).max(200).optional(),
  /** What `model: auto` means: a public model per complexity. */
  auto: z.strictObject({ simple: z.string().min(1), medium: z.string().min(1), complex: z.string().min(1) }).optional(),
});

export const RawConfigSchema = z.strictObject({
  server: ServerSchema.optional(),
  resilience: ResilienceSchema.optional(),
  routing: RoutingSchema.optional(),
  providers: z.record(z.string().regex(PROVIDER_NAME, { error: "is not a valid provider name: use lowercase letters, digits, '_' and '-'" }), ProviderSchema),
  models: z
    .record(z.string().regex(PUBLIC_MODEL_NAME, { error: 'is not a valid model name: use letters, digits and . _ : @ / -' }), PublicModelSchema)
    .optional(),
});

export type RawConfig = z.output<typeof RawConfigSchema>;
export type RawProvider = z.output<typeof ProviderSchema>;
export type RawModel = z.output<typeof ModelSchema>;
export type RawServer = z.output<typeof ServerSchema>;
export type RawHedge = z.output<typeof HedgeSchema>;
export type RawRouting = z.output<typeof RoutingSchema>;
export type RawPublicModel = z.output<typeof PublicModelSchema>;
export type RawTargetEntry = z.output<typeof TargetEntrySchema>;
