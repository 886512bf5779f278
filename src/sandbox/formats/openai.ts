import { completionTokens, countWords, replyText } from '../reply.js';
import type { Dialogue, ErrorSpec, Frame, HttpReply, RenderContext, Reply, ToolSpec } from '../types.js';
import { arrayOf, type ChatFormat, contextNumbers, isObj, jsonReply, num, type Obj, RequestError, retryHeaders, sseData, str, textContent } from './format.js';

function parseTools(body: Obj): ToolSpec[] {
  const tools: ToolSpec[] = [];
  for (const t of arrayOf(body.tools)) {
    const fn = isObj(t) ? t.function : undefined;
    const name = isObj(fn) ? str(fn.name) : undefined;
    if (isObj(fn) && name) tools.push({ name, parameters: fn.parameters });
  }
  return tools;
}

function parseChat(body: unknown, model: string, stream: boolean): Dialogue {
  if (!isObj(body)) throw new RequestError('The request body must be a JSON object.');
  const messages = arrayOf(body.messages).filter(isObj);
  if (messages.length === 0) throw new RequestError("Invalid 'messages': empty array. Expected an array with minimum length 1.");

  let words = 0;
  let lastUserText = '';
  for (const m of messages) {
    const text = textContent(m.content);
    words += countWords(text);
    if (m.role === 'user') lastUserText = text;
  }
  const lastRole = messages[messages.length - 1]?.role;
  const toolResults: string[] = [];
  for (let i = messages.length - 1; i >= 0 && messages[i]?.role === 'tool'; i--) {
    toolResults.unshift(textContent(messages[i]?.content));
  }

  const choice = body.tool_choice;
  const forced = isObj(choice) && isObj(choice.function) ? str(choice.function.name) : undefined;
  const format = body.response_format;
  let json: Dialogue['json'] = null;
  if (isObj(format) && format.type === 'json_object') json = {};
  if (isObj(format) && format.type === 'json_schema') {
    const spec = format.json_schema;
    json = isObj(spec) && spec.schema !== undefined ? { schema: spec.schema } : {};
  }
  const streamOptions = body.stream_options;

  return {
    format: 'openai',
    model,
    stream,
    lastUserText,
    last: lastRole === 'tool' ? 'tool' : lastRole === 'assistant' ? 'assistant' : 'user',
    toolResults,
    tools: parseTools(body),
    toolsAllowed: choice !== 'none',
    forcedTools: forced ? [forced] : [],
    parallelTools: body.parallel_tool_calls !== false,
    json,
    promptWords: words,
    maxTokens: num(body.max_completion_tokens) ?? num(body.max_tokens),
    includeUsage: isObj(streamOptions) && streamOptions.include_usage === true,
  };
}

function usage(reply: Reply, ctx: RenderContext): Obj {
  const completion = completionTokens(reply);
  return {
    prompt_tokens: ctx.promptTokens,
    completion_tokens: completion,
    total_tokens: ctx.promptTokens + completion,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function finishReason(reply: Reply): string {
  if (reply.kind === 'tools') return 'tool_calls';
  if (reply.kind === 'blocked') return 'content_filter';
  return reply.finish === 'refusal' ? 'content_filter' : reply.finish;
}

function response(reply: Reply, ctx: RenderContext): unknown {
  const message: Obj = { role: 'assistant', content: reply.kind === 'text' ? replyText(reply) : null, refusal: null, annotations: [] };
  if (reply.kind === 'tools') {
    message.tool_calls = reply.calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.args) } }));
  }
  return {
    id: ctx.id,
    object: 'chat.completion',
    created: ctx.created,
    model: ctx.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(reply) }],
    usage: usage(reply, ctx),
    service_tier: 'default',
    system_fingerprint: 'fp_sandbox',
  };
}

function frames(reply: Reply, ctx: RenderContext): Frame[] {
  const chunk = (delta: Obj, finish: string | null = null): string => {
    const c: Obj = {
      id: ctx.id,
      object: 'chat.completion.chunk',
      created: ctx.created,
      model: ctx.model,
      service_tier: 'default',
      system_fingerprint: 'fp_sandbox',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    };
    // With include_usage every chunk carries usage: null until the final usage-only chunk.
    if (ctx.includeUsage) c.usage = null;
    return sseData(c);
  };
  const out: Frame[] = [];
  if (reply.kind === 'tools') {
    out.push({ bytes: chunk({ role: 'assistant', content: null }), kind: 'meta' });
    reply.calls.forEach((call, index) => {
      out.push({ bytes: chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }), kind: 'meta' });
      for (const fragment of call.fragments) {
        out.push({ bytes: chunk({ tool_calls: [{ index, function: { arguments: fragment } }] }), kind: 'content' });
      }
    });
  } else {
    out.push({ bytes: chunk({ role: 'assistant', content: '', refusal: null }), kind: 'meta' });
    if (reply.kind === 'text') for (const token of reply.tokens) out.push({ bytes: chunk({ content: token }), kind: 'content' });
  }
  out.push({ bytes: chunk({}, finishReason(reply)), kind: 'meta' });
  if (ctx.includeUsage) {
    const last = {
      id: ctx.id,
      object: 'chat.completion.chunk',
      created: ctx.created,
      model: ctx.model,
      service_tier: 'default',
      system_fingerprint: 'fp_sandbox',
      choices: [],
      usage: usage(reply, ctx),
    };
    out.push({ bytes: sseData(last), kind: 'meta' });
  }
  out.push({ bytes: 'data: [DONE]\n\n', kind: 'terminal' });
  return out;
}

function malformedFrame(ctx: RenderContext): string {
  return `data: {"id":"${ctx.id}","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"\n\n`;
}

const MESSAGES: Record<ErrorSpec['kind'], { type: string; code: string | null; param: string | null; message: string }> = {
  rate_limit: {
    type: 'requests',
    code: 'rate_limit_exceeded',
    param: null,
    message: 'Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again later.',
  },
  server: { type: 'server_error', code: null, param: null, message: 'The server had an error while processing your request. Sorry about that!' },
  unavailable: { type: 'server_error', code: null, param: null, message: 'The engine is currently overloaded, please try again later.' },
  overloaded: { type: 'server_error', code: null, param: null, message: 'The engine is currently overloaded, please try again later.' },
  bad_gateway: { type: 'server_error', code: null, param: null, message: 'Bad gateway.' },
  timeout: { type: 'server_error', code: null, param: null, message: 'Request timed out.' },
  context_length: { type: 'invalid_request_error', code: 'context_length_exceeded', param: 'messages', message: '' },
  content_filter: {
    type: 'invalid_request_error',
    code: 'content_filter',
    param: 'prompt',
    message: 'The response was filtered due to the prompt triggering the content management policy. Please modify your prompt and retry.',
  },
  prefill: {
    type: 'invalid_request_error',
    code: null,
    param: 'messages',
    message: 'This model does not support assistant message prefill. The conversation must end with a user message.',
  },
  invalid_request: { type: 'invalid_request_error', code: null, param: null, message: 'Invalid request.' },
  unauthorized: { type: 'invalid_request_error', code: 'invalid_api_key', param: null, message: 'Incorrect API key provided.' },
  not_found: { type: 'invalid_request_error', code: 'unknown_url', param: null, message: 'Unknown request URL.' },
};

function error(spec: ErrorSpec): HttpReply {
  const base = MESSAGES[spec.kind];
  let message = spec.message ?? base.message;
  if (spec.kind === 'context_length') {
    const { used, max } = contextNumbers(spec.promptTokens, 128_000);
    message = `This model's maximum context length is ${max} tokens. However, your messages resulted in ${used} tokens. Please reduce the length of the messages.`;
  }
  return jsonReply(spec.status, { error: { message, type: base.type, param: base.param, code: base.code } }, retryHeaders(spec, true));
}

export const openaiFormat: ChatFormat = {
  name: 'openai',
  toolIdPrefix: 'call_sandbox',
  idPrefix: 'chatcmpl-sandbox',
  parseChat,
  error,
  response,
  frames,
  malformedFrame,
  contentFilter: () => ({ kind: 'content_filter', status: 400 }),
};
