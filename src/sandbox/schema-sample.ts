/**
 * Sample values from a JSON schema (or Gemini's OpenAPI-style schema with upper-case types), so
 * tool-call arguments and structured output validate against what the client declared.
 */

type Schema = Record<string, unknown>;

const MAX_DEPTH = 8;

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeOf(schema: Schema): string | undefined {
  const t = schema.type;
  if (typeof t === 'string') return t.toLowerCase();
  if (Array.isArray(t)) {
    const first = t.find((x): x is string => typeof x === 'string' && x.toLowerCase() !== 'null') ?? t[0];
    return typeof first === 'string' ? first.toLowerCase() : undefined;
  }
  if (isSchema(schema.properties)) return 'object';
  if (schema.items !== undefined) return 'array';
  return undefined;
}

function resolveRef(ref: string, root: Schema): Schema | undefined {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isSchema(node)) return undefined;
    node = node[key];
  }
  return isSchema(node) ? node : undefined;
}

function sampleString(schema: Schema, name: string): string {
  switch (schema.format) {
    case 'date-time':
      return '2024-01-01T00:00:00Z';
    case 'date':
      return '2024-01-01';
    case 'email':
      return 'sample@example.com';
    case 'uri':
    case 'url':
      return 'https://example.com/';
    case 'uuid':
      return '00000000-0000-4000-8000-000000000000';
    default: {
      const value = name ? `sample ${name}` : 'sample';
      const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
      return value.length >= min ? value : value.padEnd(min, 'x');
    }
  }
}

function sampleNumber(schema: Schema, integer: boolean): number {
  const min = typeof schema.minimum === 'number' ? schema.minimum : undefined;
  const max = typeof schema.maximum === 'number' ? schema.maximum : undefined;
  let value = integer ? 1 : 1.5;
  if (min !== undefined && value < min) value = integer ? Math.ceil(min) : min;
  if (max !== undefined && value > max) value = integer ? Math.floor(max) : max;
  return value;
}

function sample(schema: Schema, root: Schema, name: string, depth: number): unknown {
  if (depth > MAX_DEPTH) return null;
  const ref = schema.$ref;
  if (typeof ref === 'string') {
    const target = resolveRef(ref, root);
    return target ? sample(target, root, name, depth + 1) : null;
  }
  if ('const' in schema) return schema.const;
  const enumValues = schema.enum;
  if (Array.isArray(enumValues) && enumValues.length > 0) return enumValues[0];
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    const options = schema[key];
    if (Array.isArray(options)) {
      const first = options.find((o): o is Schema => isSchema(o) && typeOf(o) !== 'null') ?? options.find(isSchema);
      if (first) return sample({ ...schema, [key]: undefined, ...first }, root, name, depth + 1);
    }
  }
  switch (typeOf(schema)) {
    case 'object':
      return sampleObject(schema, root, depth);
    case 'array': {
      const items = isSchema(schema.items) ? schema.items : {};
      const min = typeof schema.minItems === 'number' ? Math.min(schema.minItems, 10) : 1;
      return Array.from({ length: Math.max(1, min) }, () => sample(items, root, name, depth + 1));
    }
    case 'string':
      return sampleString(schema, name);
    case 'integer':
      return sampleNumber(schema, true);
    case 'number':
      return sampleNumber(schema, false);
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return sampleString(schema, name);
  }
}

function sampleObject(schema: Schema, root: Schema, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required)
    ? schema.required.filter((x): x is string => typeof x === 'string')
    : // With no `required` list every property is optional; filling them all is still valid and more useful.
      Object.keys(properties);
  for (const key of required) {
    const prop = properties[key];
    out[key] = sample(isSchema(prop) ? prop : {}, root, key, depth + 1);
  }
  return out;
}

/** An object that satisfies `schema`'s required properties; `{}` when the schema is not an object schema. */
export function sampleObjectFromSchema(schema: unknown): Record<string, unknown> {
  if (!isSchema(schema)) return {};
  const value = sample(schema, schema, '', 0);
  return isSchema(value) ? value : {};
}

/** Any JSON value satisfying `schema`. */
export function sampleFromSchema(schema: unknown): unknown {
  if (!isSchema(schema)) return {};
  return sample(schema, schema, '', 0);
}
