import { invalid } from '../core/errors.js';
import type { ChatRequest } from './chat.js';
import type { EmbeddingsRequest } from './embeddings.js';

/**
 * Validation of incoming OpenAI-shaped requests. Checks what Switchyard and its translations rely on,
 * with errors that name the field and what is allowed; fields it does not know pass through to
 * OpenAI-format upstreams untouched, as OpenAI itself would accept them.
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

function expectType(v: unknown, want: 'string' | 'number' | 'boolean' | 'object' | 'array', path: string): void {
  const ok = want === 'object' ? isObj(v) : want === 'array' ? Array.isArray(v) : typeof v === want && !(want === 'number' && !Number.isFinite(v));
  if (!ok) throw invalid(path, `${path} must be ${want === 'array' || want === 'object' ? 'an' : 'a'} ${want}, got ${typeName(v)}`);
}

function optional(o: Obj, key: string, want: 'string' | 'number' | 'boolean' | 'object' | 'array', prefix = ''): void {
  const v = o[key];
  if (v !== undefined && v !== null) expectType(v, want, prefix + key);
}

function range(o: Obj, key: string, min: number, max: number): void {
  const v = o[key];
  if (v === undefined || v === null) return;
  expectType(v, 'number', key);
  if ((v as number) < min || (v as number) > max) throw invalid(key, `${key} must be between ${min} and ${max}, got ${v as number}`);
}

function positiveInt(o: Obj, key: string): void {
  const v = o[key];
  if (v === undefined || v === null) return;
  if (!Number.isInteger(v) || (v as number) < 1) throw invalid(key, `${key} must be a positive integer, got ${JSON.stringify(v)}`);
}

const ROLES = ['system', 'developer', 'user', 'assistant', 'tool'] as const;

function validateContent(content: unknown, path: string, role: string): void {
  if (typeof content === 'string') return;
  if (!Array.isArray(content)) throw invalid(path, `${path} must be a string or an array of content parts, got ${typeName(content)}`);
  content.forEach((part, j) => {
    const p = `${path}[${j}]`;
    expectType(part, 'object', p);
    const type = (part as Obj).type;
    if (type === 'text') {
      expectType((part as Obj).text, 'string', `${p}.text`);
    } else if (type === 'image_url') {
      if (role !== 'user') throw invalid(`${p}.type`, `${p}.type 'image_url' is only allowed in user messages`);
      const img = (part as Obj).image_url;
      expectType(img, 'object', `${p}.image_url`);
      const url = (img as Obj).url;
      expectType(url, 'string', `${p}.image_url.url`);
      if (!/^(https?:|data:)/.test(url as string)) throw invalid(`${p}.image_url.url`, `${p}.image_url.url must be an http(s) URL or a data: URL`);
    } else if (role === 'user' && (type === 'input_audio' || type === 'file')) {
      // Passed through to OpenAI-format upstreams; other adapters reject what they cannot carry.
    } else {
      const allowed = role === 'user' ? "'text', 'image_url', 'input_audio' or 'file'" : "'text'";
      throw invalid(`${p}.type`, `${p}.type must be ${allowed} in ${role} messages, got ${JSON.stringify(type)}`);
    }
  });
}

function validateMessage(m: unknown, i: number): void {
  const path = `messages[${i}]`;
  expectType(m, 'object', path);
  const msg = m as Obj;
  const role = msg.role;
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
    throw invalid(`${path}.role`, `${path}.role must be one of ${ROLES.join(', ')}, got ${JSON.stringify(role)}`);
  }
  if (role === 'assistant') {
    const hasCalls = Array.isArray(msg.tool_calls) && msg.tool_calls.length > 0;
    if (msg.content !== undefined && msg.content !== null) validateContent(msg.content, `${path}.content`, role);
    else if (!hasCalls) throw invalid(`${path}.content`, `${path}.content is required unless tool_calls is given`);
    if (msg.tool_calls !== undefined) {
      expectType(msg.tool_calls, 'array', `${path}.tool_calls`);
      (msg.tool_calls as unknown[]).forEach((tc, j) => {
        const p = `${path}.tool_calls[${j}]`;
        expectType(tc, 'object', p);
        expectType((tc as Obj).id, 'string', `${p}.id`);
        expectType((tc as Obj).function, 'object', `${p}.function`);
        expectType(((tc as Obj).function as Obj).name, 'string', `${p}.function.name`);
        expectType(((tc as Obj).function as Obj).arguments, 'string', `${p}.function.arguments`);
      });
    }
    return;
  }
  if (msg.content === undefined || msg.content === null) throw invalid(`${path}.content`, `${path}.content is required for ${role} messages`);
  validateContent(msg.content, `${path}.content`, role);
  if (role === 'tool') expectType(msg.tool_call_id, 'string', `${path}.tool_call_id`);
}

function validateTools(o: Obj): void {
  if (o.tools === undefined || o.tools === null) return;
  expectType(o.tools, 'array', 'tools');
  (o.tools as unknown[]).forEach((t, i) => {
    const p = `tools[${i}]`;
    expectType(t, 'object', p);
    if ((t as Obj).type !== 'function') throw invalid(`${p}.type`, `${p}.type must be 'function', got ${JSON.stringify((t as Obj).type)}`);
    const fn = (t as Obj).function;
    expectType(fn, 'object', `${p}.function`);
    const name = (fn as Obj).name;
    expectType(name, 'string', `${p}.function.name`);
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(name as string)) {
      throw invalid(`${p}.function.name`, `${p}.function.name must be 1-64 characters of a-z, A-Z, 0-9, _ and -`);
    }
    optional(fn as Obj, 'parameters', 'object', `${p}.function.`);
  });
  const tc = o.tool_choice;
  if (tc === undefined || tc === null) return;
  if (typeof tc === 'string') {
    if (!['none', 'auto', 'required'].includes(tc))
      throw invalid('tool_choice', `tool_choice must be 'none', 'auto', 'required' or {type:'function', function:{name}}, got ${JSON.stringify(tc)}`);
  } else {
    expectType(tc, 'object', 'tool_choice');
    const name = ((tc as Obj).function as Obj | undefined)?.name;
    if ((tc as Obj).type !== 'function' || typeof name !== 'string') {
      throw invalid('tool_choice', "tool_choice must be 'none', 'auto', 'required' or {type:'function', function:{name}}");
    }
  }
}

function validateResponseFormat(o: Obj): void {
  const rf = o.response_format;
  if (rf === undefined || rf === null) return;
  expectType(rf, 'object', 'response_format');
  const type = (rf as Obj).type;
  if (type === 'json_schema') {
    const js = (rf as Obj).json_schema;
    expectType(js, 'object', 'response_format.json_schema');
    expectType((js as Obj).name, 'string', 'response_format.json_schema.name');
    optional(js as Obj, 'schema', 'object', 'response_format.json_schema.');
  } else if (type !== 'text' && type !== 'json_object') {
    throw invalid('response_format.type', `response_format.type must be 'text', 'json_object' or 'json_schema', got ${JSON.stringify(type)}`);
  }
}

function validateFallbacks(o: Obj): void {
  if (o.fallbacks === undefined) return;
  if (!Array.isArray(o.fallbacks) || !o.fallbacks.every((f) => typeof f === 'string' && f.includes('/'))) {
    throw invalid('fallbacks', "fallbacks must be an array of 'provider/model' strings");
  }
  o.fallbacks.forEach((f: string, i) => {
    checkModelName(f, `fallbacks[${i}]`);
  });
}

export const MAX_MODEL_NAME = 256;

/**
 * A model name may end up in a provider's URL path (Gemini, Bedrock, Azure): whatever the adapter
 * encodes, a name that could reach another path, or add a query or fragment, is refused here,
 * for every format alike.
 */
export function checkModelName(name: string, param: string): void {
  let why: string | undefined;
  if (name.length > MAX_MODEL_NAME) why = `must be at most ${MAX_MODEL_NAME} characters`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  else if (/[\x00-\x1f\x7f]/.test(name)) why = 'must not contain control characters';
  else if (/[?#\\]/.test(name)) why = "must not contain '?', '#' or '\\'";
  else if (name.includes('://')) why = 'must not contain a URL scheme';
  else if (name.split('/').some((s) => s === '.' || s === '..')) why = "must not contain '.' or '..' path segments";
  if (why) throw invalid(param, `${param} ${why}, got ${JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name)}`);
}

function validateModel(o: Obj): void {
  if (o.model === undefined) throw invalid('model', 'model is required: a public model name or provider/model (GET /v1/models lists them)');
  expectType(o.model, 'string', 'model');
  if (o.model === '') throw invalid('model', 'model must not be empty');
  checkModelName(o.model as string, 'model');
}

export function validateChatRequest(body: unknown): ChatRequest {
  if (!isObj(body)) throw invalid('', `request body must be a JSON object, got ${typeName(body)}`);
  validateModel(body);
  if (!Array.isArray(body.messages)) {
    throw invalid(
      'messages',
      body.messages === undefined ? 'messages is required: an array of messages' : `messages must be an array, got ${typeName(body.messages)}`,
    );
  }
  if (body.messages.length === 0) throw invalid('messages', 'messages must contain at least one message');
  body.messages.forEach(validateMessage);
  optional(body, 'stream', 'boolean');
  optional(body, 'stream_options', 'object');
  optional(body, 'parallel_tool_calls', 'boolean');
  optional(body, 'user', 'string');
  range(body, 'temperature', 0, 2);
  range(body, 'top_p', 0, 1);
  range(body, 'presence_penalty', -2, 2);
  range(body, 'frequency_penalty', -2, 2);
  if (body.seed !== undefined && body.seed !== null && !Number.isInteger(body.seed))
    throw invalid('seed', `seed must be an integer, got ${JSON.stringify(body.seed)}`);
  positiveInt(body, 'max_tokens');
  positiveInt(body, 'max_completion_tokens');
  positiveInt(body, 'n');
  const stop = body.stop;
  if (stop !== undefined && stop !== null && typeof stop !== 'string') {
    if (!Array.isArray(stop) || stop.length > 4 || !stop.every((s) => typeof s === 'string')) {
      throw invalid('stop', 'stop must be a string or an array of at most 4 strings');
    }
  }
  validateTools(body);
  validateResponseFormat(body);
  validateFallbacks(body);
  return body as ChatRequest;
}

export function validateEmbeddingsRequest(body: unknown): EmbeddingsRequest {
  if (!isObj(body)) throw invalid('', `request body must be a JSON object, got ${typeName(body)}`);
  validateModel(body);
  const input = body.input;
  const ok =
    typeof input === 'string' ||
    (Array.isArray(input) &&
      input.length > 0 &&
      (input.every((x) => typeof x === 'string') ||
        input.every((x) => Number.isInteger(x)) ||
        input.every((x) => Array.isArray(x) && x.every((y) => Number.isInteger(y)))));
  if (!ok) throw invalid('input', 'input must be a string, a non-empty array of strings, an array of token ids, or an array of token-id arrays');
  if (body.encoding_format !== undefined && body.encoding_format !== 'float' && body.encoding_format !== 'base64') {
    throw invalid('encoding_format', `encoding_format must be 'float' or 'base64', got ${JSON.stringify(body.encoding_format)}`);
  }
  positiveInt(body, 'dimensions');
  validateFallbacks(body);
  return body as EmbeddingsRequest;
}
