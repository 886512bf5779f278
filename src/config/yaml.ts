import { isMap, isPair, isScalar, isSeq, type Node, parseDocument } from 'yaml';
import { type ConfigIssue, issue, type PathSegment, RESERVED_KEY_MESSAGE, RESERVED_KEYS } from './errors.js';

export type YamlResult = { ok: true; value: unknown } | { ok: false; issues: ConfigIssue[] };

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

/**
 * A repeated key in YAML silently keeps the last value in most parsers; in a gateway config that
 * means a provider or model vanishes. We parse with duplicates allowed and report each one by path.
 */
function findDuplicates(node: unknown, path: PathSegment[], out: ConfigIssue[]): void {
  if (isMap(node)) {
    const seen = new Set<string>();
    for (const item of node.items) {
      if (!isPair(item)) continue;
      const key = keyText(item.key);
      // Checked on the document itself: converting to JavaScript silently drops a `__proto__` key.
      if (RESERVED_KEYS.has(key)) out.push(issue([...path, key], RESERVED_KEY_MESSAGE));
      else if (seen.has(key)) out.push(issue([...path, key], `duplicate key "${key}"; each name may appear once`));
      seen.add(key);
      findDuplicates(item.value, [...path, key], out);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => {
      findDuplicates(item, [...path, index], out);
    });
  }
}

export function parseYaml(text: string): YamlResult {
  const doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const where = pos ? `line ${pos.line}, column ${pos.col}: ` : '';
        // The parser appends its own position and a code frame; keep only the sentence.
        const sentence = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
        return { path: '', message: `YAML syntax error: ${where}${sentence}` };
      }),
    };
  }
  const contents: Node | null = doc.contents;
  if (contents === null) return { ok: false, issues: [{ path: '', message: 'the file is empty; it needs at least a providers: section' }] };
  const duplicates: ConfigIssue[] = [];
  findDuplicates(contents, [], duplicates);
  if (duplicates.length > 0) return { ok: false, issues: duplicates };
  return { ok: true, value: doc.toJS({ maxAliasCount: 100 }) as unknown };
}
