/**
 * Config problems are collected, never thrown one at a time: a user fixing a file wants every
 * mistake in one run. Each issue names the place in the file (`providers.openai.api_key`) and says
 * what is allowed there. Messages never contain secret values.
 */

export type PathSegment = string | number;

export interface ConfigIssue {
  /** Dotted path into the YAML document, e.g. `providers.openai.models["gpt-4.1"].context_window`. */
  path: string;
  message: string;
  /** Set on unset-variable problems, which `switchyard check --allow-missing-env` downgrades to warnings. */
  kind?: 'missing_env';
}

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/**
 * Keys that change a JavaScript object itself rather than add a field to it: `__proto__` would be
 * dropped or swap the prototype, `constructor` and `prototype` shadow what every object has. No
 * config name needs them, so they are refused wherever they appear.
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export const RESERVED_KEY_MESSAGE = 'is a reserved name (__proto__, constructor and prototype are not allowed as keys); rename it';

/** Every reserved key in a plain data value (parsed YAML or JSON), by path. */
export function findReservedKeys(value: unknown, path: PathSegment[] = [], out: ConfigIssue[] = []): ConfigIssue[] {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      findReservedKeys(v, [...path, i], out);
    });
  } else if (typeof value === 'object' && value !== null) {
    for (const key of Object.keys(value)) {
      if (RESERVED_KEYS.has(key)) out.push(issue([...path, key], RESERVED_KEY_MESSAGE));
      else findReservedKeys((value as Record<string, unknown>)[key], [...path, key], out);
    }
  }
  return out;
}

export function issue(path: readonly PathSegment[], message: string): ConfigIssue {
  return { path: formatPath(path), message };
}

export function formatIssue(i: ConfigIssue): string {
  return i.path === '' ? i.message : `${i.path}: ${i.message}`;
}

export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];
  readonly source: string;

  constructor(source: string, issues: readonly ConfigIssue[]) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(`invalid configuration (${source}): ${count}\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
    this.source = source;
  }
}

/** Short, type-level description of a value for messages: never the value itself. */
export function describeType(value: unknown): string {
  if (value === null) return 'null (an empty value)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return typeof value;
}
