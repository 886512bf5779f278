import type { ChatRequest, FunctionTool, JsonObject } from '../api/chat.js';

/**
 * Prompt token counts for routing: whether a request fits a model's context window, and what its
 * prompt costs. Counts follow OpenAI's chat accounting for o200k_base models (the OpenAI cookbook's
 * "How to count tokens with tiktoken", as gpt-tokenizer implements it); other providers tokenize
 * differently, so for them the count is an estimate.
 *
 * The tokenizer's tables are large (see docs/prices.md for the measured memory), so they are loaded
 * only by loadTokenizer(); until then countPromptTokens() estimates from string lengths.
 */

/** Each message is framed as `<|start|>{role}<|message|>{content}<|end|>`. */
export const TOKENS_PER_MESSAGE = 3;
/** A message `name` costs its own tokens plus this. */
export const TOKENS_PER_NAME = 1;
/** The reply is primed with `<|start|>assistant<|message|>`. */
export const REPLY_PRIMING_TOKENS = 3;
/** Per tool call in an assistant message, besides its name and arguments. */
export const TOKENS_PER_TOOL_CALL = 3;
/** The tool definitions block, besides the definitions rendered as OpenAI renders them. */
export const TOOLS_BLOCK_TOKENS = 9;
/** With tools, a system message shares framing with the definitions: OpenAI counts 4 fewer. */
export const SYSTEM_WITH_TOOLS_DEDUCTION = 4;
/** tool_choice "none"; a named tool_choice costs the name plus TOOL_CHOICE_NAMED_TOKENS. */
export const TOOL_CHOICE_NONE_TOKENS = 1;
export const TOOL_CHOICE_NAMED_TOKENS = 4;
/**
 * An image at detail "low" is a fixed 85 tokens on OpenAI. Otherwise the cost depends on its size,
 * which is not decoded here: 1,600 covers OpenAI's largest high-detail image on GPT-4o
 * (85 + 8 × 170 = 1,445) and Anthropic's cap (about 1.15 megapixels ÷ 750 ≈ 1,600).
 */
export const IMAGE_LOW_DETAIL_TOKENS = 85;
export const IMAGE_TOKENS = 1600;
/** Audio and file parts: a flat allowance; their real cost depends on duration and pages. */
export const OTHER_PART_TOKENS = 1600;
/** Without the tokenizer each string counts ceil(length / 3.5) tokens (UTF-16 code units). */
export const FALLBACK_CHARS_PER_TOKEN = 3.5;

/** Nesting beyond this in a tool schema is counted as its JSON text instead of rendered. */
const MAX_SCHEMA_DEPTH = 32;

/**
 * Longest string handed to the tokenizer at once (UTF-16 code units). BPE time grows with the
 * square of a pre-tokenized piece's length, and a long run without spaces (CJK, emoji, repeated
 * characters) is one piece: 100,000 unspaced CJK characters take over 30 s whole, a fraction of a
 * second in chunks. Cuts fall where the pre-tokenizer splits anyway where possible, so ordinary text
 * counts as it would whole (this repository's sources and docs: within 0.01%).
 */
const TOKENIZE_CHUNK = 128;
/** gpt-tokenizer caches merges per piece (100,000 by default); bounded so prompts cannot grow it. */
const MERGE_CACHE_SIZE = 10_000;

type Measure = (text: string) => number;

let tokenize: Measure | undefined;
let loading: Promise<void> | undefined;

/**
 * Loads the o200k_base tokenizer; the server awaits this at start-up. Concurrent and repeated calls
 * share one load; a failed load can be retried.
 */
export function loadTokenizer(): Promise<void> {
  loading ??= import('gpt-tokenizer/encoding/o200k_base').then(
    ({ countTokens, setMergeCacheSize }) => {
      setMergeCacheSize(MERGE_CACHE_SIZE);
      // Text such as "<|endoftext|>" in a prompt is ordinary text, never a special token (which
      // the tokenizer would otherwise refuse with an exception).
      const options = { disallowedSpecial: new Set<string>() };
      tokenize = (text) => countInChunks(text, (chunk) => countTokens(chunk, options));
    },
    (err: unknown) => {
      loading = undefined;
      throw err;
    },
  );
  return loading;
}

/** True once loadTokenizer() has completed: countPromptTokens() then counts exactly. */
export function isTokenizerLoaded(): boolean {
  return tokenize !== undefined;
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
/** ASCII other than letters and digits, CJK punctuation, fullwidth punctuation. */
const isBreak = (c: number): boolean =>
  (c < 0x80 && !((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a))) ||
  (c >= 0x3000 && c <= 0x303f) ||
  (c >= 0xff00 && c <= 0xff0f);

/**
 * Counts `text` in chunks of at most TOKENIZE_CHUNK. A cut goes where the tokenizer's pre-tokenizer
 * would split anyway, searched in the second half of the window: at a line start, else before a
 * space that ends a word, else before punctuation, else anywhere but inside a surrogate pair.
 */
function countInChunks(text: string, count: Measure): number {
  let total = 0;
  let start = 0;
  while (text.length - start > TOKENIZE_CHUNK) {
    const floor = start + TOKENIZE_CHUNK / 2;
    let cut = start + TOKENIZE_CHUNK;
    let word = 0;
    let punct = 0;
    let line = 0;
    for (let k = cut; k > floor; k--) {
      const c = text.charCodeAt(k);
      const prev = text.charCodeAt(k - 1);
      if (prev === 0x0a && c !== 0x0a && c !== 0x0d) {
        line = k;
        break;
      }
      if (!word && c === 0x20 && !isSpace(prev)) word = k;
      if (!punct && isBreak(c)) punct = k;
    }
    if (line || word || punct) cut = line || word || punct;
    else if ((text.charCodeAt(cut) & 0xfc00) === 0xdc00 && (text.charCodeAt(cut - 1) & 0xfc00) === 0xd800) cut--;
    total += count(text.slice(start, cut));
    start = cut;
  }
  return total + count(text.slice(start));
}

const estimate: Measure = (text) => Math.ceil(text.length / FALLBACK_CHARS_PER_TOKEN);

/** A byte-level BPE token covers at least one UTF-8 byte, so bytes bound tokens (and the estimate). */
const utf8Bytes: Measure = (text) => Buffer.byteLength(text, 'utf8');

/**
 * A cheap upper bound on the prompt's tokens (UTF-8 bytes of all text, plus per-message and
 * per-image allowances): when this fits a window, tokenizing is unnecessary.
 */
export function promptTokenUpperBound(req: ChatRequest): number {
  // The same accounting as countPromptTokens with every string measured in bytes: each term is at
  // least the tokenizer's (and the estimate's) count of it, and the constants are identical.
  return tally(req, utf8Bytes);
}

/**
 * Prompt tokens counted with the o200k_base tokenizer (gpt-tokenizer), plus OpenAI's per-message
 * overhead, tool definitions, and an image allowance (the constants above). Before
 * loadTokenizer() has completed, strings are estimated at FALLBACK_CHARS_PER_TOKEN.
 */
export function countPromptTokens(req: ChatRequest): number {
  return tally(req, tokenize ?? estimate);
}

function tally(req: ChatRequest, measure: Measure): number {
  const m = (text: unknown): number => (typeof text === 'string' && text.length > 0 ? measure(text) : 0);
  const tools = Array.isArray(req.tools) ? req.tools : [];
  const hasTools = tools.length > 0;
  let systemPadded = false;
  let hasSystem = false;
  let total = REPLY_PRIMING_TOKENS;

  for (const message of Array.isArray(req.messages) ? req.messages : []) {
    total += TOKENS_PER_MESSAGE + m(message.role);
    if ('name' in message && message.name) total += m(message.name) + TOKENS_PER_NAME;
    let content = message.content;
    if (message.role === 'system') {
      hasSystem = true;
      // With tools, OpenAI ends the first system message with a newline.
      if (hasTools && !systemPadded) {
        systemPadded = true;
        if (typeof content === 'string' && content.length > 0 && !content.endsWith('\n')) content = `${content}\n`;
      }
    }
    total += contentTokens(content, m);
    if (message.role === 'assistant') {
      total += m(message.refusal);
      for (const call of Array.isArray(message.tool_calls) ? message.tool_calls : []) {
        total += m(call.function?.name) + m(call.function?.arguments) + TOKENS_PER_TOOL_CALL;
      }
    }
  }

  if (hasTools) {
    total += m(renderTools(tools)) + TOOLS_BLOCK_TOKENS;
    if (hasSystem) total -= SYSTEM_WITH_TOOLS_DEDUCTION;
  }
  const choice = req.tool_choice;
  if (choice === 'none') total += TOOL_CHOICE_NONE_TOKENS;
  else if (typeof choice === 'object' && choice !== null && typeof choice.function?.name === 'string') {
    total += m(choice.function.name) + TOOL_CHOICE_NAMED_TOKENS;
  }
  // A structured-output schema reaches the model too; counted as its JSON text.
  const format = req.response_format;
  if (format?.type === 'json_schema' && format.json_schema) total += m(JSON.stringify(format.json_schema));
  return total;
}

function contentTokens(content: unknown, m: (text: unknown) => number): number {
  if (typeof content === 'string') return m(content);
  if (!Array.isArray(content)) return 0;
  let total = 0;
  for (const part of content) {
    if (!isObject(part)) continue;
    if (part.type === 'text') total += m(part.text);
    else if (part.type === 'image_url') total += isObject(part.image_url) && part.image_url.detail === 'low' ? IMAGE_LOW_DETAIL_TOKENS : IMAGE_TOKENS;
    else total += OTHER_PART_TOKENS;
  }
  return total;
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Tool definitions as OpenAI renders them into the prompt: a TypeScript-like `namespace functions`
 * (the rendering gpt-tokenizer reproduces). Schema constructs that rendering has no form for
 * (type lists, anyOf/oneOf/allOf, enum or const without a type) are rendered as unions rather
 * than dropped, so their text still counts.
 */
function renderTools(tools: readonly FunctionTool[]): string {
  const lines = ['namespace functions {', ''];
  const others: string[] = [];
  for (const tool of tools) {
    const fn: unknown = tool.function;
    if (!isObject(fn) || typeof fn.name !== 'string') {
      others.push(JSON.stringify(tool) ?? '');
      continue;
    }
    if (typeof fn.description === 'string' && fn.description) lines.push(`// ${fn.description}`);
    const parameters = isObject(fn.parameters) ? fn.parameters : undefined;
    const properties = parameters && isObject(parameters.properties) ? parameters.properties : undefined;
    if (!parameters || !properties || Object.keys(properties).length === 0) {
      lines.push(`type ${fn.name} = () => any;`);
    } else {
      lines.push(`type ${fn.name} = (_: {`);
      const formatted = formatProperties(parameters, 0, 0);
      if (formatted.length > 0) lines.push(formatted);
      lines.push('}) => any;');
    }
    lines.push('');
  }
  lines.push('} // namespace functions');
  return [lines.join('\n'), ...others].join('\n');
}

function formatProperties(schema: JsonObject, indent: number, depth: number): string {
  const properties = schema.properties;
  if (!isObject(properties)) return '';
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : []);
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  for (const [name, raw] of Object.entries(properties)) {
    const param = isObject(raw) ? raw : {};
    // Only top-level descriptions are rendered (as OpenAI does).
    if (typeof param.description === 'string' && param.description && indent < 2) lines.push(`${pad}// ${param.description}`);
    lines.push(`${pad}${name}${required.has(name) ? '' : '?'}: ${formatType(param, indent, depth + 1)},`);
  }
  return lines.join('\n');
}

function formatType(param: JsonObject, indent: number, depth: number): string {
  if (depth > MAX_SCHEMA_DEPTH) return JSON.stringify(param);
  const enumValues = Array.isArray(param.enum) ? param.enum : undefined;
  switch (param.type) {
    case 'string':
      return enumValues ? enumValues.map((v) => JSON.stringify(v)).join(' | ') : 'string';
    case 'integer':
    case 'number':
      return enumValues ? enumValues.map((v) => `${String(v)}`).join(' | ') : 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return isObject(param.items) ? `${formatType(param.items, indent, depth + 1)}[]` : 'any[]';
    case 'object':
      return `{\n${formatProperties(param, indent + 2, depth)}\n${' '.repeat(indent)}}`;
  }
  if (Array.isArray(param.type)) {
    return param.type.map((t) => formatType({ ...param, type: t }, indent, depth + 1)).join(' | ');
  }
  for (const [key, joiner] of [
    ['anyOf', ' | '],
    ['oneOf', ' | '],
    ['allOf', ' & '],
  ] as const) {
    const members = param[key];
    if (Array.isArray(members)) return members.map((s) => formatType(isObject(s) ? s : {}, indent, depth + 1)).join(joiner);
  }
  if (enumValues) return enumValues.map((v) => JSON.stringify(v)).join(' | ');
  if ('const' in param) return JSON.stringify(param.const) ?? 'any';
  return 'any';
}
