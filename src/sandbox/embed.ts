import { DEFAULT_DIMENSIONS, embed, toBase64 } from './embeddings.js';
import { decide } from './engine.js';
import { applyFault, type Exchange, type Runtime, sendError } from './exchange.js';
import { arrayOf, type ChatFormat, isObj, jsonReply, num, type Obj, str } from './formats/format.js';
import { countWords } from './reply.js';
import { writeJsonAnswer } from './writer.js';

export type EmbedKind = 'openai' | 'gemini-batch' | 'gemini-single';

export interface EmbedTarget {
  format: ChatFormat;
  kind: EmbedKind;
  /** From the URL for Gemini. */
  model?: string;
}

interface EmbedInput {
  texts: string[];
  dimensions: number;
}

function openaiInput(body: Obj): EmbedInput | string {
  const input = body.input;
  let texts: string[];
  if (typeof input === 'string') texts = [input];
  else if (Array.isArray(input) && input.every((x) => typeof x === 'number')) texts = [JSON.stringify(input)];
  else if (Array.isArray(input) && input.length > 0) texts = input.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
  else return "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.";
  if (texts.length === 0 || texts.some((t) => t === '')) return "'$.input' is invalid: inputs must be non-empty.";
  const dims = num(body.dimensions);
  if (dims !== null && (!Number.isInteger(dims) || dims < 1)) return "'$.dimensions' must be a positive integer.";
  return { texts, dimensions: dims ?? DEFAULT_DIMENSIONS };
}

function geminiText(content: unknown): string {
  return (isObj(content) ? arrayOf(content.parts) : []).map((p) => (isObj(p) ? (str(p.text) ?? '') : '')).join('');
}

function geminiInput(body: Obj, kind: EmbedKind): EmbedInput | string {
  const requests = kind === 'gemini-batch' ? arrayOf(body.requests).filter(isObj) : [body];
  if (requests.length === 0) return '* BatchEmbedContentsRequest.requests: requests is not specified';
  const texts = requests.map((r) => geminiText(r.content));
  const dims = num(requests[0]?.outputDimensionality);
  return { texts, dimensions: dims !== null && dims >= 1 ? Math.floor(dims) : DEFAULT_DIMENSIONS };
}

function render(target: EmbedTarget, model: string, body: Obj, input: EmbedInput): unknown {
  const vectors = input.texts.map((t) => embed(t, input.dimensions));
  if (target.kind === 'gemini-single') return { embedding: { values: vectors[0] ?? [] } };
  if (target.kind === 'gemini-batch') return { embeddings: vectors.map((values) => ({ values })) };
  const base64 = body.encoding_format === 'base64';
  const tokens = input.texts.reduce((n, t) => n + Math.max(1, countWords(t)), 0);
  return {
    object: 'list',
    data: vectors.map((v, index) => ({ object: 'embedding', index, embedding: base64 ? toBase64(v) : v })),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

export async function handleEmbeddings(rt: Runtime, ex: Exchange, target: EmbedTarget, body: unknown): Promise<void> {
  const { format } = target;
  const record = isObj(body) ? body : {};
  const model = target.model ?? str(record.model);
  if (!model) {
    sendError(ex, format, { kind: 'invalid_request', status: 400, message: 'model: Field required' }, 'rejected');
    return;
  }
  ex.attempt.model = model;
  const input = target.kind === 'openai' ? openaiInput(record) : geminiInput(record, target.kind);
  if (typeof input === 'string') {
    sendError(ex, format, { kind: 'invalid_request', status: 400, message: input }, 'rejected');
    return;
  }
  const behaviour = rt.behaviourFor(model);
  ex.attempt.scenario = behaviour.scenario;
  const state = rt.states.touch(format.name, model, Date.now());
  const words = input.texts.reduce((n, t) => n + countWords(t), 0);
  if (applyFault(ex, format, decide(behaviour, state, Date.now(), null, Math.max(1, words)))) return;

  ex.attempt.status = 200;
  ex.attempt.outcome = 'ok';
  const pace = { behaviour, rng: state.rng, signal: ex.signal };
  const result = await writeJsonAnswer(ex.res, jsonReply(200, render(target, model, record, input)), 1, pace);
  if (result === 'aborted') {
    if (!ex.res.headersSent) ex.attempt.status = null;
    return;
  }
  if (result !== 'ok') ex.attempt.outcome = result;
}
