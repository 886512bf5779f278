import { resolveTargetRef } from '../config/targets.js';
import { describeTarget, type GatewayConfig, type HedgeConfig, type Target } from '../config/types.js';
import { GatewayError, invalid } from '../errors.js';

/**
 * The ordered candidates for one request: the public model's targets (or the single `provider/model`
 * the client named), then the request's own `fallbacks`. Duplicates keep their first place.
 */
/** The plan with the route's own settings: a public model may hedge; a direct `provider/model` does not. */
export function resolveRoute(config: GatewayConfig, model: string, fallbacks?: readonly string[]): { targets: Target[]; hedge?: HedgeConfig } {
  const targets: Target[] = [];
  const seen = new Set<string>();
  const add = (t: Target): void => {
    const key = describeTarget(t);
    if (!seen.has(key)) {
      seen.add(key);
      targets.push(t);
    }
  };

  const pub = config.models.get(model);
  if (pub) pub.targets.forEach(add);
  else {
    const t = model.includes('/') ? resolveTargetRef(config, model) : undefined;
    if (!t) throw unknownModel(config, model);
    add(t);
  }
  fallbacks?.forEach((ref, i) => {
    const t = resolveTargetRef(config, ref);
    if (!t) {
      throw invalid(`fallbacks[${i}]`, `fallbacks[${i}] '${ref}' names no configured provider; providers: ${[...config.providers.keys()].join(', ')}`);
    }
    add(t);
  });
  return pub?.hedge ? { targets, hedge: pub.hedge } : { targets };
}

function unknownModel(config: GatewayConfig, model: string): GatewayError {
  const known = [...config.models.keys()];
  const providers = [...config.providers.keys()];
  const slash = model.indexOf('/');
  const hint = slash > 0
    ? `provider '${model.slice(0, slash)}' is not configured (providers: ${providers.join(', ') || 'none'})`
    : `known models: ${known.join(', ') || 'none'}; or address a provider directly as provider/model (providers: ${providers.join(', ')})`;
  return new GatewayError('model_not_found', `The model '${model}' does not exist: ${hint}`, { param: 'model' });
}
