import { isRecord } from '../../core/json.js';

/**
 * JSON Schema → the JSON Schema subset Gemini accepts in `parametersJsonSchema` (tools) and
 * `responseJsonSchema` (structured output).
 *
 * Why those fields and not the older `parameters` / `responseSchema`: the older fields take an
 * OpenAPI 3.0 subset with no `$ref`/`$defs`, no `additionalProperties` and no type arrays, so
 * translating into them is lossy for exactly the schemas clients generate most (Pydantic and Zod
 * emit `$defs` + `$ref`, nullable fields as `anyOf`/type arrays). The JSON Schema fields keep those
 * and leave only a short list of keywords to drop. Both fields are v1beta REST fields, and the
 * gateway always calls v1beta.
 */

/** Keywords Gemini documents as supported; everything else is dropped (it would be rejected or ignored). */
const SUPPORTED = new Set([
  '$id',
  '$defs',
  '$ref',
  '$anchor',
  'type',
  'format',
  'title',
  'description',
  'enum',
  'items',
  'prefixItems',
  'minItems',
  'maxItems',
  'minimum',
  'maximum',
  'anyOf',
  'oneOf',
  'properties',
  'additionalProperties',
  'required',
  'propertyOrdering',
]);

const SCHEMA_MAP_KEYS = new Set(['properties', '$defs']);
const SCHEMA_LIST_KEYS = new Set(['anyOf', 'oneOf', 'prefixItems']);

export function toGeminiJsonSchema(schema: unknown): unknown {
  return normalize(schema);
}

function normalize(schema: unknown): unknown {
  // Boolean schemas (`true`/`false`) and anything that is not a schema object pass through.
  if (!isRecord(schema)) return schema;
  const src = mergeSingleAllOf(schema);
  // Keys come from the client's schema: on a plain object, `__proto__` would set its prototype.
  const out: Record<string, unknown> = Object.create(null);

  for (const [key, value] of Object.entries(src)) {
    if (key === 'definitions' && isRecord(value)) {
      // Draft-07 name for $defs; refs into it are rewritten below.
      out.$defs = { ...(isRecord(out.$defs) ? out.$defs : {}), ...normalizeMap(value) };
    } else if (key === 'const') {
      if (out.enum === undefined) out.enum = [value];
    } else if (!SUPPORTED.has(key)) {
    } else if (SCHEMA_MAP_KEYS.has(key) && isRecord(value)) {
      out[key] = key === '$defs' ? { ...(isRecord(out.$defs) ? out.$defs : {}), ...normalizeMap(value) } : normalizeMap(value);
    } else if (SCHEMA_LIST_KEYS.has(key) && Array.isArray(value)) {
      out[key] = value.map(normalize);
    } else if (key === 'items') {
      // Draft-04 tuple form `items: [...]` is `prefixItems` today.
      if (Array.isArray(value)) out.prefixItems = value.map(normalize);
      else out.items = normalize(value);
    } else if (key === 'additionalProperties') {
      out[key] = normalize(value);
    } else if (key === '$ref' && typeof value === 'string') {
      out[key] = value.replace(/^#\/definitions\//, '#/$defs/');
    } else {
      out[key] = value;
    }
  }

  // Gemini: "If $ref is set on a sub-schema, no other properties, except for those starting as a $, may be set."
  if (typeof out.$ref === 'string') {
    for (const key of Object.keys(out)) if (!key.startsWith('$')) delete out[key];
  }
  return out;
}

function normalizeMap(map: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const [name, sub] of Object.entries(map)) out[name] = normalize(sub);
  return out;
}

/** `allOf: [X]` (how older Pydantic attaches a description to a $ref) is X plus the siblings. */
function mergeSingleAllOf(schema: Record<string, unknown>): Record<string, unknown> {
  const allOf = schema.allOf;
  if (!Array.isArray(allOf) || allOf.length !== 1 || !isRecord(allOf[0])) return schema;
  const { allOf: _drop, ...rest } = schema;
  return { ...rest, ...allOf[0] };
}
