import { completionTokens, countWords } from '../reply.js';
import type { Dialogue, ErrorSpec, Frame, HttpReply, RenderContext, Reply, ToolSpec } from '../types.js';
import { arrayOf, type ChatFormat, contextNumbers, isObj, jsonReply, num, type Obj, RequestError, retryHeaders, str } from './format.js';

function partsOf(content: unknown): Obj[] {
  return isObj(content) ? arrayOf(content.parts).filter(isObj) : [];
}

function textOf(content: unknown): string {
  return partsOf(content)
    .map((p) => str(p.text) ?? '')
    .join('');
}

function functionResponsesOf(content: unknown): string[] {
  return partsOf(content)
    .map((p) => p.functionResponse)
    .filter(isObj)
    .map((r) => JSON.stringify(r.response ?? {}));
}

function parseTools(body: Obj): ToolSpec[] {
  const tools: ToolSpec[] = [];
  for (const t of arrayOf(body.tools)) {
    for (const d of isObj(t) ? arrayOf(t.functionDeclarations) : []) {
      const name = isObj(d) ? str(d.name) : undefined;
      if (isObj(d) && name) tools.push({ name, parameters: d.parametersJsonSchema ?? d.parameters });
    }
  }
  return tools;
}

function parseChat(body: unknown, model: string, stream: boolean): Dialogue {
  if (!isObj(body)) throw new RequestError('Invalid JSON payload received. Expected an object.');
  const contents = arrayOf(body.contents).filter(isObj);
  if (contents.length === 0) throw new RequestError('* GenerateContentRequest.contents: contents is not specified\n');

  let words = countWords(textOf(body.systemInstruction));
  let lastUserText = '';
  for (const c of contents) {
    const text = textOf(c);
    words += countWords(text) + functionResponsesOf(c).reduce((n, r) => n + countWords(r), 0);
    if (c.role !== 'model' && text !== '') lastUserText = text;
  }
  const lastContent = contents[contents.length - 1];
  const toolResults = lastContent?.role === 'model' ? [] : functionResponsesOf(lastContent);
  const callingConfig = isObj(body.toolConfig) ? body.toolConfig.functionCallingConfig : undefined;
  const mode = isObj(callingConfig) ? str(callingConfig.mode) : undefined;
  const allowed = isObj(callingConfig) ? arrayOf(callingConfig.allowedFunctionNames).filter((n): n is string => typeof n === 'string') : [];
  const gen = isObj(body.generationConfig) ? body.generationConfig : {};
  const schema = gen.responseJsonSchema ?? gen.responseSchema;
  const wantsJson = gen.responseMimeType === 'application/json' || schema !== undefined;

  return {
    format: 'gemini',
    model,
    stream,
    lastUserText,
    last: lastContent?.role === 'model' ? 'assistant' : toolResults.length > 0 ? 'tool' : 'user',
    toolResults,
    tools: parseTools(body),
    toolsAllowed: mode !== 'NONE',
    forcedTools: mode === 'ANY' ? allowed : [],
    parallelTools: true,
    json: wantsJson ? (schema !== undefined ? { schema } : {}) : null,
    promptWords: words,
    maxTokens: num(gen.maxOutputTokens),
    includeUsage: false,
  };
}

function finishReason(reply: Reply): string {
  if (reply.kind !== 'text') return 'STOP';
  return reply.finish === 'stop' ? 'STOP' : reply.finish === 'length' ? 'MAX_TOKENS' : 'SAFETY';
}

function usage(ctx: RenderContext, completion: number | null): Obj {
  const u: Obj = { promptTokenCount: ctx.promptTokens, totalTokenCount: ctx.promptTokens + (completion ?? 0) };
  if (completion !== null) u.candidatesTokenCount = completion;
  u.promptTokensDetails = [{ modality: 'TEXT', tokenCount: ctx.promptTokens }];
  return u;
}

function blocked(ctx: RenderContext): Obj {
  return {
    promptFeedback: {
      blockReason: 'SAFETY',
      safetyRatings: [{ category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true }],
    },
    usageMetadata: usage(ctx, null),
    modelVersion: ctx.model,
    responseId: ctx.id,
  };
}

function event(ctx: RenderContext, parts: Obj[], finish: string | null, completion: number | null): Obj {
  const candidate: Obj = { content: { parts, role: 'model' }, index: 0 };
  if (finish) candidate.finishReason = finish;
  return { candidates: [candidate], usageMetadata: usage(ctx, completion), modelVersion: ctx.model, responseId: ctx.id };
}

function response(reply: Reply, ctx: RenderContext): unknown {
  if (reply.kind === 'blocked') return blocked(ctx);
  const parts = reply.kind === 'tools' ? reply.calls.map((c) => ({ functionCall: { name: c.name, args: c.args } })) : [{ text: reply.tokens.join('') }];
  return event(ctx, parts, finishReason(reply), completionTokens(reply));
}

// Gemini frames SSE events with CRLF pairs.
const sse = (data: unknown): string => `data: ${JSON.stringify(data)}\r\n\r\n`;

function frames(reply: Reply, ctx: RenderContext): Frame[] {
  if (reply.kind === 'blocked') return [{ bytes: sse(blocked(ctx)), kind: 'meta' }];
  const parts = reply.kind === 'tools' ? reply.calls.map((c) => ({ functionCall: { name: c.name, args: c.args } })) : reply.tokens.map((text) => ({ text }));
  const total = completionTokens(reply);
  // Gemini has no terminal event: the last content event carries finishReason and the final usage.
  return parts.map((part, i) => {
    const last = i === parts.length - 1;
    return { bytes: sse(event(ctx, [part], last ? finishReason(reply) : null, last ? total : null)), kind: 'content' };
  });
}

function malformedFrame(): string {
  return 'data: {"candidates": [{"content": {"parts": [{"text": \r\n\r\n';
}

const ERRORS: Record<ErrorSpec['kind'], { status: string; message: string }> = {
  rate_limit: { status: 'RESOURCE_EXHAUSTED', message: 'Resource has been exhausted (e.g. check quota).' },
  server: { status: 'INTERNAL', message: 'An internal error has occurred. Please retry or report the problem.' },
  unavailable: { status: 'UNAVAILABLE', message: 'The model is overloaded. Please try again later.' },
  overloaded: { status: 'UNAVAILABLE', message: 'The model is overloaded. Please try again later.' },
  bad_gateway: { status: 'UNAVAILABLE', message: 'Bad gateway.' },
  timeout: { status: 'DEADLINE_EXCEEDED', message: 'Deadline expired before operation could complete.' },
  context_length: { status: 'INVALID_ARGUMENT', message: '' },
  content_filter: { status: 'INVALID_ARGUMENT', message: 'The request was blocked for safety reasons.' },
  prefill: {
    status: 'INVALID_ARGUMENT',
    message: 'Model prefill is not supported: the final turn must be a user turn or a function response turn.',
  },
  invalid_request: { status: 'INVALID_ARGUMENT', message: 'Request contains an invalid argument.' },
  unauthorized: { status: 'UNAUTHENTICATED', message: 'API key not valid. Please pass a valid API key.' },
  not_found: { status: 'NOT_FOUND', message: 'Requested entity was not found.' },
};

function error(spec: ErrorSpec): HttpReply {
  const base = ERRORS[spec.kind];
  let message = spec.message ?? base.message;
  if (spec.kind === 'context_length') {
    const { used, max } = contextNumbers(spec.promptTokens, 1_048_576);
    message = `The input token count (${used}) exceeds the maximum number of tokens allowed (${max}).`;
  }
  const err: Obj = { code: spec.status, message, status: base.status };
  if (spec.retryAfterS !== undefined) {
    err.details = [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${spec.retryAfterS}s` }];
  }
  return jsonReply(spec.status, { error: err }, retryHeaders(spec, false));
}

export const geminiFormat: ChatFormat = {
  name: 'gemini',
  toolIdPrefix: 'fc_sandbox',
  idPrefix: 'sandbox',
  parseChat,
  error,
  response,
  frames,
  malformedFrame,
  contentFilter: () => ({ kind: 'blocked' }),
};
