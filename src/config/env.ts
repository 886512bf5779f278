/**
 * Environment references. Secrets may only be written as references (`${NAME}` or `env:NAME`) so a
 * config file can be committed and shared; other strings (base URLs, header values) may embed
 * `${NAME}` or `${NAME:-fallback}` anywhere.
 */

export type Env = Readonly<Record<string, string | undefined>>;

const NAME = '[A-Za-z_][A-Za-z0-9_]*';
const SECRET_REF = new RegExp(`^(?:\\$\\{(${NAME})\\}|env:(${NAME}))$`);
const INTERPOLATION = new RegExp(`\\$\\{(${NAME})(?::-([^}]*))?\\}`, 'y');

/** The variable a secret reference names, or undefined when the string is not a reference. */
export function secretRefName(value: string): string | undefined {
  const m = SECRET_REF.exec(value);
  return m ? (m[1] ?? m[2]) : undefined;
}

export function isSecretRef(value: string): boolean {
  return secretRefName(value) !== undefined;
}

/** An unset variable and an empty one are treated alike: an empty key or URL is never what was meant. */
export function lookup(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

export interface Interpolated {
  value: string;
  /** Variables referenced without a fallback that are not set. */
  missing: string[];
  /** Every variable referenced, for the check summary. */
  referenced: string[];
  /** A `${` that does not start a valid reference. */
  malformed: boolean;
}

export function interpolate(template: string, env: Env): Interpolated {
  const missing: string[] = [];
  const referenced: string[] = [];
  let malformed = false;
  let value = '';
  let i = 0;
  while (i < template.length) {
    const start = template.indexOf('${', i);
    if (start < 0) {
      value += template.slice(i);
      break;
    }
    value += template.slice(i, start);
    INTERPOLATION.lastIndex = start;
    const m = INTERPOLATION.exec(template);
    if (!m) {
      malformed = true;
      value += '${';
      i = start + 2;
      continue;
    }
    const name = m[1]!;
    const fallback = m[2];
    referenced.push(name);
    const resolved = lookup(env, name);
    if (resolved !== undefined) value += resolved;
    else if (fallback !== undefined) value += fallback;
    else missing.push(name);
    i = start + m[0].length;
  }
  return { value, missing, referenced, malformed };
}
