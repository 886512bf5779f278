import { z } from 'zod';
import { type ConfigIssue, describeType, issue, type PathSegment } from './errors.js';
import { didYouMean } from './suggest.js';

/**
 * Turns zod's issues into messages a person editing YAML can act on: the path, what is there, and
 * what is allowed. Allowed keys are read from the schema itself so the list can never drift.
 */

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
};

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
    else return s;
  }
}

/** The (unwrapped) schema at a path, following object keys, record values and array elements. */
export function schemaAt(root: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let s: z.ZodType | undefined = unwrap(root);
  for (const segment of path) {
    if (s instanceof z.ZodObject) {
      const next: unknown = typeof segment === 'string' ? s.shape[segment] : undefined;
      s = next instanceof z.ZodType ? next : undefined;
    } else if (s instanceof z.ZodRecord) {
      s = s.valueType as z.ZodType;
    } else if (s instanceof z.ZodArray) {
      s = s.element as z.ZodType;
    } else {
      return undefined;
    }
    if (s === undefined) return undefined;
    s = unwrap(s);
  }
  return s;
}

export function allowedKeysAt(root: z.ZodType, path: readonly PropertyKey[]): string[] {
  const s = schemaAt(root, path);
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}

function toSegments(path: readonly PropertyKey[]): PathSegment[] {
  return path.map((p) => (typeof p === 'number' ? p : String(p)));
}

function quote(value: unknown): string {
  if (typeof value !== 'string') return describeType(value);
  const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  return JSON.stringify(shown);
}

function sizeMessage(origin: string, bound: number | bigint, inclusive: boolean | undefined, side: 'min' | 'max'): string {
  if (origin === 'array') return side === 'min' ? `must list at least ${bound} item${bound === 1 ? '' : 's'}` : `must list at most ${bound} items`;
  if (origin === 'string')
    return side === 'min' ? (bound === 1 ? 'must not be empty' : `must be at least ${bound} characters`) : `must be at most ${bound} characters`;
  if (side === 'min') return inclusive === false ? `must be greater than ${bound}` : `must be at least ${bound}`;
  return inclusive === false ? `must be less than ${bound}` : `must be at most ${bound}`;
}

export function fromZodIssues(root: z.ZodType, issues: readonly z.core.$ZodIssue[]): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const i of issues) {
    const path = toSegments(i.path);
    switch (i.code) {
      case 'unrecognized_keys': {
        const allowed = allowedKeysAt(root, i.path);
        for (const key of i.keys) {
          out.push(issue([...path, key], `unknown key "${key}"${didYouMean(key, allowed)}; allowed keys: ${allowed.join(', ')}`));
        }
        break;
      }
      case 'invalid_type': {
        const expected = EXPECTED[i.expected] ?? i.expected;
        out.push(issue(path, i.input === undefined ? `is required (${expected})` : `must be ${expected}, got ${describeType(i.input)}`));
        break;
      }
      case 'invalid_value': {
        const values = i.values.map(String);
        const got = typeof i.input === 'string' ? didYouMean(i.input, values) : '';
        out.push(issue(path, `${quote(i.input)} is not allowed${got}; allowed values: ${values.join(', ')}`));
        break;
      }
      case 'too_small':
        out.push(issue(path, sizeMessage(i.origin, i.minimum, i.inclusive, 'min')));
        break;
      case 'too_big':
        out.push(issue(path, sizeMessage(i.origin, i.maximum, i.inclusive, 'max')));
        break;
      case 'invalid_key': {
        const key = path[path.length - 1];
        const inner = i.issues[0]?.message ?? 'is not allowed';
        out.push(issue(path, `${quote(key)} ${inner}`));
        break;
      }
      default:
        out.push(issue(path, i.message));
    }
  }
  return out;
}
