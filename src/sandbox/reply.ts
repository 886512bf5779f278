import type { Behaviour } from './scenarios.js';
import { sampleFromSchema, sampleObjectFromSchema } from './schema-sample.js';
import type { Dialogue, Reply, ToolCallReply } from './types.js';

const FILLER = ['and', 'then', 'some', 'more', 'words', 'follow', 'here'];

/** Words with their trailing space, so joining the tokens gives back the exact text. */
export function tokenize(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? [];
}

/** Splits JSON text into a few fragments, the way providers stream tool arguments. */
export function fragmentJson(text: string, pieces = 3): string[] {
  if (text.length <= pieces) return [text];
  const size = Math.ceil(text.length / pieces);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

export function countWords(text: string): number {
  return text.split(/\s+/).filter((w) => w.length > 0).length;
}

/** Pads (with filler) or trims a token list to exactly `n` tokens. */
function fitTokens(tokens: string[], n: number): string[] {
  const out = tokens.slice(0, n);
  for (let i = 0; out.length < n; i++) {
    const last = out.length - 1;
    if (last >= 0 && !/\s$/.test(out[last] ?? '')) out[last] += ' ';
    out.push(`${FILLER[i % FILLER.length]}${out.length + 1 < n ? ' ' : ''}`);
  }
  return out;
}

/** Fault scenarios need more tokens than the fault point, or the fault would land after the end. */
function minimumTokens(b: Behaviour): number {
  return Math.max(0, (b.cutAfter ?? -1) + 3, (b.stallAfter ?? -1) + 3, (b.malformedAfter ?? -1) + 3);
}

function toolCalls(d: Dialogue, idPrefix: string): ToolCallReply[] {
  const chosen = d.forcedTools.length > 0 ? d.tools.filter((t) => d.forcedTools.includes(t.name)) : d.tools;
  const limit = d.parallelTools ? 2 : 1;
  return chosen.slice(0, limit).map((tool, i) => {
    const args = sampleObjectFromSchema(tool.parameters);
    return { id: `${idPrefix}${i}`, name: tool.name, args, fragments: fragmentJson(JSON.stringify(args)) };
  });
}

function jsonText(d: Dialogue, summary: string): string {
  if (d.json?.schema !== undefined) return JSON.stringify(sampleFromSchema(d.json.schema));
  return JSON.stringify({ answer: summary });
}

/**
 * The deterministic reply to a dialogue. `idPrefix` makes tool-call ids unique per attempt in the
 * format's own id style (call_, toolu_).
 */
export function buildReply(d: Dialogue, b: Behaviour, idPrefix: string): Reply {
  if (d.tools.length > 0 && d.toolsAllowed && d.last !== 'tool') {
    const calls = toolCalls(d, idPrefix);
    if (calls.length > 0) return { kind: 'tools', calls };
  }
  const who = `Sandbox (${d.format}/${d.model})`;
  let text: string;
  if (b.reply !== null) text = b.reply;
  else if (d.last === 'tool') text = `${who} received tool result: ${d.toolResults.map((r) => r.slice(0, 500)).join(' | ')}`;
  else text = `${who} reply to: ${d.lastUserText.slice(0, 60)}`;

  if (d.json) {
    // JSON replies are streamed as fragments; padding them with words would break the JSON.
    const body = jsonText(d, text);
    return { kind: 'text', tokens: fragmentJson(body, Math.max(3, minimumTokens(b))), finish: 'stop', json: true };
  }
  let tokens = tokenize(text);
  if (b.tokens !== null) tokens = fitTokens(tokens, b.tokens);
  else if (tokens.length < minimumTokens(b)) tokens = fitTokens(tokens, minimumTokens(b));
  if (d.maxTokens !== null && d.maxTokens > 0 && tokens.length > d.maxTokens) {
    return { kind: 'text', tokens: tokens.slice(0, d.maxTokens), finish: 'length', json: false };
  }
  return { kind: 'text', tokens, finish: 'stop', json: false };
}

/** Completion tokens a reply costs: one per streamed content piece. */
export function completionTokens(reply: Reply): number {
  switch (reply.kind) {
    case 'text':
      return reply.tokens.length;
    case 'tools':
      return reply.calls.reduce((n, c) => n + c.fragments.length + 1, 0);
    case 'blocked':
      return 0;
  }
}

export function replyText(reply: Reply): string {
  return reply.kind === 'text' ? reply.tokens.join('') : '';
}
