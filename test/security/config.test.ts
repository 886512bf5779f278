import { describe, expect, it } from 'vitest';
import { compile } from '../../src/config/compile.js';
import type { ConfigError } from '../../src/config/errors.js';
import { parseYaml } from '../../src/config/yaml.js';
import { buildConverseBody } from '../../src/providers/bedrock/request.js';
import { toGeminiJsonSchema } from '../../src/providers/gemini/schema.js';

/**
 * Issue 8, item 7: keys that change a JavaScript object itself are never taken silently, and tables
 * looked up with a client's or an upstream's text are Maps or have no prototype.
 */

const OK_PROVIDER = 'providers:\n  p:\n    format: openai\n    base_url: http://127.0.0.1:1/v1\n    auth: none\n';

function issues(yaml: string): string[] {
  const parsed = parseYaml(yaml);
  if (!parsed.ok) return parsed.issues.map((i) => `${i.path}: ${i.message}`);
  try {
    compile(parsed.value, { env: {}, source: 'test' });
    return [];
  } catch (err) {
    return (err as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
}

describe('reserved keys in a config', () => {
  it.each([
    ['__proto__', `${OK_PROVIDER}    __proto__:\n      format: anthropic\n`, 'providers.p.__proto__'],
    ['constructor', `${OK_PROVIDER}    headers:\n      constructor: x\n`, 'providers.p.headers.constructor'],
    ['prototype', `${OK_PROVIDER}models:\n  prototype:\n    targets: [p/x]\n`, 'models.prototype'],
    ['__proto__ at the top', `${OK_PROVIDER}__proto__:\n  x: 1\n`, '__proto__'],
  ])('a %s key in YAML is an error with its path', (_name, yaml, path) => {
    expect(issues(yaml)).toEqual([`${path}: is a reserved name (__proto__, constructor and prototype are not allowed as keys); rename it`]);
  });

  it('is an error in a config given as parsed JSON too (the embedded default and programmatic callers)', () => {
    const raw = JSON.parse('{"providers":{"p":{"format":"openai","base_url":"http://127.0.0.1:1/v1","auth":"none","__proto__":{"auth":"bearer"}}}}');
    expect(() => compile(raw, { env: {}, source: 'test' })).toThrow(/providers\.p\.__proto__: is a reserved name/);
  });

  it('takes a header whose lower-cased name is an Object method as a header, not a repeat', () => {
    const config = compile(
      { providers: { p: { format: 'openai', base_url: 'http://127.0.0.1:1/v1', auth: 'none', headers: { Constructor: 'a', ToString: 'b' } } } },
      { env: {}, source: 'test' },
    );
    expect({ ...config.providers.get('p')!.headers }).toEqual({ constructor: 'a', tostring: 'b' });
  });
});

describe('tables keyed by what clients and upstreams send', () => {
  it('Bedrock does not take "constructor" as an image media type', () => {
    const req = {
      model: 'x',
      messages: [{ role: 'user' as const, content: [{ type: 'image_url' as const, image_url: { url: 'data:constructor;base64,AAAA' } }] }],
    };
    expect(() => buildConverseBody(req)).toThrow(/does not accept constructor images/);
  });

  it('a JSON schema property named __proto__ is kept as a property on the way to Gemini', () => {
    const schema = JSON.parse('{"type":"object","properties":{"__proto__":{"type":"string"},"constructor":{"type":"number"}},"required":["__proto__"]}');
    const out = toGeminiJsonSchema(schema) as { properties: Record<string, unknown> };
    expect(JSON.parse(JSON.stringify(out))).toEqual(
      JSON.parse('{"type":"object","properties":{"__proto__":{"type":"string"},"constructor":{"type":"number"}},"required":["__proto__"]}'),
    );
    expect(Object.keys(out.properties)).toEqual(['__proto__', 'constructor']);
  });
});
