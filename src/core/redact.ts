/**
 * Redaction of credentials in text that leaves the gateway's control: upstream error text before it
 * reaches a client or the attempts list, and every string of every log line. Built once from the
 * compiled config (the gateway's own secrets, known only at runtime) plus fixed patterns for
 * anything shaped like a credential; pure, and run only on failures and log lines, never on a
 * successful response.
 *
 * Short secrets: a configured secret of 8 or more characters is replaced wherever it appears. One
 * of 4 to 7 characters is replaced only as a whole token (not inside a longer word), so a short
 * key does not shred every message that happens to contain its letters. One under 4 characters
 * cannot be told apart from ordinary text and is left to the patterns (an `Authorization:` or
 * `x-api-key:` value, a `Bearer` token), which catch it wherever it is labelled.
 */

export const REDACTED = '[redacted]';

const SUBSTRING_MIN = 8;
const TOKEN_MIN = 4;
/** Characters that continue a credential-like token: a short secret must not touch one on either side. */
const TOKEN_CHAR = '[A-Za-z0-9_\\-.+/=~]';

/** Header names whose value is a credential, wherever they appear with `:` or `=` (quoted, JSON-escaped or bare). */
const CREDENTIAL_HEADER =
  /(?<![A-Za-z0-9_-])(proxy-authorization|authorization|x-goog-api-key|x-api-key|api-key|x-amz-security-token)(\\?["']?\s*[:=]\s*\\?["']?)(?:\[redacted\]|[^"'\\\r\n,;&}[\]])+/gi;

const PATTERNS: readonly (readonly [RegExp, string])[] = [
  [CREDENTIAL_HEADER, `$1$2${REDACTED}`],
  [/(?<![A-Za-z0-9])(bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  // OpenAI (sk-…, sk-proj-…) and Anthropic (sk-ant-…) keys.
  [/(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{12,}/g, REDACTED],
  // Google API keys.
  [/(?<![A-Za-z0-9])AIza[A-Za-z0-9_-]{20,}/g, REDACTED],
  // AWS access key ids: long-term (AKIA) and temporary (ASIA).
  [/(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{12,}/g, REDACTED],
  // SigV4 pieces, in an Authorization header or a presigned URL (X-Amz-Signature=, X-Amz-Credential=).
  [/(signature|credential)=[^\s,;&"'\\]+/gi, `$1=${REDACTED}`],
];

/** Log field values nested deeper than this are redacted as their JSON text. */
const MAX_DEPTH = 4;

export class Redactor {
  private readonly secrets: RegExp | undefined;

  constructor(secrets: Iterable<string> = []) {
    const long = new Set<string>();
    const short = new Set<string>();
    for (const secret of secrets) {
      for (const form of spellings(secret)) {
        if (form.length >= SUBSTRING_MIN) long.add(form);
        else if (form.length >= TOKEN_MIN) short.add(form);
      }
    }
    const alternatives = (set: Set<string>): string =>
      [...set]
        .sort((a, b) => b.length - a.length) // the longest spelling wins where several start together
        .map(escapeRegExp)
        .join('|');
    const parts: string[] = [];
    if (long.size > 0) parts.push(`(?:${alternatives(long)})`);
    if (short.size > 0) parts.push(`(?<!${TOKEN_CHAR})(?:${alternatives(short)})(?!${TOKEN_CHAR})`);
    this.secrets = parts.length > 0 ? new RegExp(parts.join('|'), 'g') : undefined;
  }

  /** The text with every configured secret and every credential-shaped token replaced by `[redacted]`. */
  text(s: string): string {
    let out = this.secrets ? s.replace(this.secrets, REDACTED) : s;
    for (const [re, to] of PATTERNS) out = out.replace(re, to);
    return out;
  }

  /** A log line's fields with every string in them (nested ones too) redacted; the input is not changed. */
  fields(fields: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(fields)) out[key] = this.value(fields[key], 0);
    return out;
  }

  private value(v: unknown, depth: number): unknown {
    if (typeof v === 'string') return this.text(v);
    if (v === null || typeof v !== 'object' || v instanceof Date) return v;
    if (v instanceof Error) return this.text(v.stack ?? `${v.name}: ${v.message}`);
    if (depth >= MAX_DEPTH) return this.text(jsonText(v));
    if (Array.isArray(v)) return v.map((x) => this.value(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v)) out[key] = this.value((v as Record<string, unknown>)[key], depth + 1);
    return out;
  }
}

/**
 * The ways a secret can be spelled in text an upstream sends back: as is, JSON-escaped (once, or
 * twice when a JSON document is quoted inside another), with `/` escaped as `\/`, and URL-encoded.
 */
function spellings(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const twice = JSON.stringify(json).slice(1, -1);
  return [secret, json, json.replaceAll('/', '\\/'), twice, twice.replaceAll('/', '\\\\/'), encodeURIComponent(secret)];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

function jsonText(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return '[unserialisable]';
  }
}

/**
 * A logger whose every line passes the redactor: the one choke point for the log sink, whatever
 * the caller put in the fields (upstream text, error stacks, request details).
 */
export function redactingLogger<Level>(
  log: (level: Level, event: string, fields: Record<string, unknown>) => void,
  redact: Redactor,
): (level: Level, event: string, fields: Record<string, unknown>) => void {
  return (level, event, fields) => log(level, event, redact.fields(fields));
}
