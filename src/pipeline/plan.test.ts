import { describe, expect, it } from 'vitest';
import { compile } from '../config/compile.js';
import { ConfigError } from '../config/errors.js';
import { describeTarget } from '../config/types.js';
import { parseYaml } from '../config/yaml.js';
import { resolveRoute } from './plan.js';

function config(models: string, resilience = '') {
  const text = `providers:\n  a: { format: openai, base_url: http://127.0.0.1:1/v1, auth: none }\n  b: { format: openai, base_url: http://127.0.0.1:2/v1, auth: none }\n${resilience}models:\n${models}`;
  const parsed = parseYaml(text);
  if (!parsed.ok) throw new Error('bad yaml');
  return compile(parsed.value, { env: {}, source: 'test.yaml' });
}

function compileError(models: string): string {
  try {
    config(models);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('compiled');
}

describe('tiers', () => {
  it('targets is one tier; tiers are tried in order, each a set of targets', () => {
    const c = config('  one: { targets: [a/x, b/x] }\n  tiered: { tiers: [[a/x, { target: b/x, weight: 3 }], [a/y], [b/y]] }\n');
    expect(c.models.get('one')!.tiers.map((t) => t.targets.map(describeTarget))).toEqual([['a/x', 'b/x']]);
    const tiered = c.models.get('tiered')!;
    expect(tiered.tiers.map((t) => t.targets.map(describeTarget))).toEqual([['a/x', 'b/x'], ['a/y'], ['b/y']]);
    expect(tiered.tiers[0]!.weights).toEqual([1, 3]);
    expect(tiered.targets.map(describeTarget)).toEqual(['a/x', 'b/x', 'a/y', 'b/y']);
    const plan = resolveRoute(c, 'tiered');
    expect(plan.targets.map(describeTarget)).toEqual(['a/x', 'b/x', 'a/y', 'b/y']);
    expect(plan.tiers).toEqual([0, 0, 1, 2]);
  });

  it('request fallbacks append one tier each and never repeat a planned target', () => {
    const c = config('  m: { tiers: [[a/x], [b/x]] }\n');
    const plan = resolveRoute(c, 'm', ['b/x', 'a/z']);
    expect(plan.targets.map(describeTarget)).toEqual(['a/x', 'b/x', 'a/z']);
    expect(plan.tiers).toEqual([0, 1, 3]);
  });

  it('cuts the plan at max_fallback_depth, counting request fallbacks too', () => {
    const c = config('  m: { tiers: [[a/x], [b/x], [a/y]] }\n', 'resilience: { max_fallback_depth: 1 }\n');
    const plan = resolveRoute(c, 'm', ['b/z']);
    expect(plan.targets.map(describeTarget)).toEqual(['a/x', 'b/x']);
    expect(plan.droppedTiers).toBe(2);
    expect(config('  m: { tiers: [[a/x], [b/x], [a/y], [b/y], [a/z]] }\n').resilience.maxFallbackDepth).toBe(3);
    expect(resolveRoute(config('  m: { tiers: [[a/x], [b/x], [a/y], [b/y], [a/z]] }\n'), 'm').targets).toHaveLength(4);
  });

  it('refuses both or neither of targets and tiers, and a target repeated across tiers', () => {
    expect(compileError('  m: { targets: [a/x], tiers: [[b/x]] }\n')).toContain('models.m: give exactly one of targets (one tier of targets) or tiers');
    expect(compileError('  m: { hedge: { delay_ms: 5 } }\n')).toContain('give exactly one of targets');
    expect(compileError('  m: { tiers: [[a/x, b/x], [{ target: a/x }]] }\n')).toContain(
      'models.m.tiers[1][0].target: repeats "a/x" (already tiers[0][0]); each target is tried once',
    );
    expect(compileError('  m: { tiers: [[c/x]] }\n')).toContain('unknown provider "c"');
    expect(compileError('  m: { tiers: [[]] }\n')).toContain('models.m.tiers[0]');
  });
});
