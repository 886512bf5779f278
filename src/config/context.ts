import { type Env, interpolate, lookup, secretRefName } from './env.js';
import { type ConfigIssue, formatPath, issue, type PathSegment } from './errors.js';

/** One environment variable a provider reads, for `switchyard check` (names and set/unset only). */
export interface EnvRefNote {
  /** The config key it feeds, e.g. `api_key`, `base_url`, `headers.x-org`. */
  field: string;
  variable: string;
  set: boolean;
  /** True for keys and credentials. */
  secret: boolean;
}

export interface CompileContextOptions {
  env: Env;
  allowMissingEnv: boolean;
}

/**
 * Collects every problem found while compiling instead of stopping at the first, and resolves
 * environment references while remembering which variables each provider used.
 */
export class CompileContext {
  readonly issues: ConfigIssue[] = [];
  readonly warnings: ConfigIssue[] = [];
  readonly envRefs = new Map<string, EnvRefNote[]>();
  readonly env: Env;
  private readonly allowMissingEnv: boolean;

  constructor(opts: CompileContextOptions) {
    this.env = opts.env;
    this.allowMissingEnv = opts.allowMissingEnv;
  }

  error(path: readonly PathSegment[], message: string): void {
    this.issues.push(issue(path, message));
  }

  private missing(path: readonly PathSegment[], variable: string, why: string): void {
    const target = this.allowMissingEnv ? this.warnings : this.issues;
    target.push({ ...issue(path, `environment variable ${variable} is not set${why}`), kind: 'missing_env' });
  }

  private note(provider: string, field: readonly PathSegment[], variable: string, set: boolean, secret: boolean): void {
    const notes = this.envRefs.get(provider) ?? [];
    notes.push({ field: formatPath(field), variable, set, secret });
    this.envRefs.set(provider, notes);
  }

  /**
   * Resolves a secret reference (already checked by the schema to be one). Returns '' when the
   * variable is unset so compilation can continue and report everything at once.
   */
  secret(provider: string, path: readonly PathSegment[], field: readonly PathSegment[], ref: string, why = ''): string {
    const variable = secretRefName(ref);
    if (variable === undefined) return '';
    const value = lookup(this.env, variable);
    this.note(provider, field, variable, value !== undefined, true);
    if (value === undefined) this.missing(path, variable, why);
    return value ?? '';
  }

  /** The first set variable among `candidates`, recorded for the summary; undefined when none is set. */
  firstSet(provider: string, field: readonly PathSegment[], candidates: readonly string[]): { variable: string; value: string } | undefined {
    for (const variable of candidates) {
      const value = lookup(this.env, variable);
      if (value !== undefined) {
        this.note(provider, field, variable, true, true);
        return { variable, value };
      }
    }
    return undefined;
  }

  /** Records an unset secret variable that the provider will simply do without. */
  notePresetSecretUnset(provider: string, field: readonly PathSegment[], variable: string): void {
    this.note(provider, field, variable, false, true);
  }

  missingPresetSecret(provider: string, path: readonly PathSegment[], candidates: readonly string[], why: string): void {
    const [first, ...rest] = candidates;
    if (first === undefined) return;
    this.note(provider, path.slice(2), first, false, true);
    this.missing(path, first, `${rest.length > 0 ? ` (nor ${rest.join(', ')})` : ''}${why}`);
  }

  /** Interpolates `${NAME}` / `${NAME:-fallback}` in a plain (non-secret) string. */
  text(provider: string, path: readonly PathSegment[], field: readonly PathSegment[], template: string, why = ''): string {
    const result = interpolate(template, this.env);
    if (result.malformed) this.error(path, 'contains a malformed environment reference; write ${NAME} or ${NAME:-fallback}');
    for (const variable of new Set(result.referenced)) {
      this.note(provider, field, variable, lookup(this.env, variable) !== undefined, false);
    }
    for (const variable of new Set(result.missing)) this.missing(path, variable, why);
    return result.value;
  }
}
