import { completionTokens, countWords, replyText, tokenize } from '../reply.js';
import type { Dialogue, ErrorSpec, Frame, HttpReply, RenderContext, Reply, ToolSpec } from '../types.js';
import { arrayOf, type ChatFormat, contextNumbers, isObj, jsonReply, num, type Obj, RequestError, retryHeaders, sseData, str, textContent } from './format.js';

function toolResultsOf(content: unknown): string[] {
  return arrayOf(content)
    .filter((b): b is Obj => isObj(b) && b.type === 'tool_result')
    .map((b) => textContent(b.content));
}

function parseTools(body: Obj): ToolSpec[] {
  const tools: ToolSpec[] = [];
  for (const t of arrayOf(body.tools)) {
    const name = isObj(t) ? str(t.name) : undefined;
    // Server tools (web search, ...) carry a `type` and no input_schema; only client tools are callable here.
    if (isObj(t) && name && t.input_schema !== undefined) tools.push({ name, parameters: t.input_schema });
  }
  return tools;
}

function jsonRequest(body: Obj): Dialogue['json'] {
  const config = body.output_config;
  const format = isObj(config) ? config.format : body.output_format;
  if (isObj(format) && format.type === 'json_schema') return { schema: format.schema };
  return null;
}

function parseChat(body: unknown, model: string, stream: boolean): Dialogue {
  if (!isObj(body)) throw new RequestError('The request body must be a JSON object.');
  const messages = arrayOf(body.messages).filter(isObj);
  if (messages.length === 0) throw new RequestError('messages: at least one message is required');
  const maxTokens = num(body.max_tokens);
  if (maxTokens === null) throw new RequestError('max_tokens: Field required');

  let words = countWords(textContent(body.system));
  let lastUserText = '';
  for (const m of messages) {
    const text = textContent(m.content);
    words += countWords(text) + toolResultsOf(m.content).reduce((n, r) => n + countWords(r), 0);
    if (m.role === 'user' && text !== '') lastUserText = text;
  }
  const lastMessage = messages[messages.length - 1];
  const toolResults = lastMessage?.role === 'user' ? toolResultsOf(lastMessage.content) : [];
  const choice = body.tool_choice;
  const choiceType = isObj(choice) ? choice.type : undefined;
  const forced = choiceType === 'tool' && isObj(choice) ? str(choice.name) : undefined;

  return {
    format: 'anthropic',
    model,
    stream,
    lastUserText,
    last: lastMessage?.role === 'assistant' ? 'assistant' : toolResults.length > 0 ? 'tool' : 'user',
    toolResults,
    tools: parseTools(body),
    toolsAllowed: choiceType !== 'none',
    forcedTools: forced ? [forced] : [],
    parallelTools: !(isObj(choice) && choice.disable_parallel_tool_use === true),
    json: jsonRequest(body),
    promptWords: words,
    maxTokens,
    includeUsage: false,
  };
}

function stopReason(reply: Reply): string {
  if (reply.kind === 'tools') return 'tool_use';
  if (reply.kind === 'blocked') return 'refusal';
  return reply.finish === 'stop' ? 'end_turn' : reply.finish === 'length' ? 'max_tokens' : 'refusal';
}

function stopDetails(reply: Reply): Obj | null {
  return stopReason(reply) === 'refusal' ? { type: 'refusal', category: null, explanation: null } : null;
}

function usage(ctx: RenderContext, output: number): Obj {
  return { input_tokens: ctx.promptTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: output, service_tier: 'standard' };
}

function response(reply: Reply, ctx: RenderContext): unknown {
  const content =
    reply.kind === 'tools' ? reply.calls.map((c) => ({ type: 'tool_use', id: c.id, name: c.name, input: c.args })) : [{ type: 'text', text: replyText(reply) }];
  return {
    id: ctx.id,
    type: 'message',
    role: 'assistant',
    model: ctx.model,
    content,
    stop_reason: stopReason(reply),
    stop_sequence: null,
    stop_details: stopDetails(reply),
    usage: usage(ctx, completionTokens(reply)),
  };
}

function frames(reply: Reply, ctx: RenderContext): Frame[] {
  const ev = (type: string, data: Obj): string => sseData({ type, ...data }, type);
  const out: Frame[] = [];
  const start = {
    id: ctx.id,
    type: 'message',
    role: 'assistant',
    model: ctx.model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: usage(ctx, 1),
  };
  out.push({ bytes: ev('message_start', { message: start }), kind: 'meta' });
  const ping = { bytes: ev('ping', {}), kind: 'meta' } as const;
  if (reply.kind === 'tools') {
    reply.calls.forEach((call, index) => {
      out.push({ bytes: ev('content_block_start', { index, content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} } }), kind: 'meta' });
      if (index === 0) out.push(ping);
      for (const partial_json of call.fragments) {
        out.push({ bytes: ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } }), kind: 'content' });
      }
      out.push({ bytes: ev('content_block_stop', { index }), kind: 'meta' });
    });
  } else {
    out.push({ bytes: ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }), kind: 'meta' });
    out.push(ping);
    if (reply.kind === 'text') {
      for (const text of reply.tokens) out.push({ bytes: ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }), kind: 'content' });
    }
    out.push({ bytes: ev('content_block_stop', { index: 0 }), kind: 'meta' });
  }
  const delta = { stop_reason: stopReason(reply), stop_sequence: null, stop_details: stopDetails(reply) };
  const finalUsage = { input_tokens: ctx.promptTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: completionTokens(reply) };
  out.push({ bytes: ev('message_delta', { delta, usage: finalUsage }), kind: 'meta' });
  out.push({ bytes: ev('message_stop', {}), kind: 'terminal' });
  return out;
}

function malformedFrame(): string {
  return 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_del\n\n';
}

const ERRORS: Record<ErrorSpec['kind'], { type: string; message: string }> = {
  rate_limit: { type: 'rate_limit_error', message: 'This request would exceed the rate limit for your organization. Please try again later.' },
  server: { type: 'api_error', message: 'Internal server error' },
  unavailable: { type: 'overloaded_error', message: 'Overloaded' },
  overloaded: { type: 'overloaded_error', message: 'Overloaded' },
  bad_gateway: { type: 'api_error', message: 'Bad gateway' },
  timeout: { type: 'timeout_error', message: 'Request timed out' },
  context_length: { type: 'invalid_request_error', message: '' },
  content_filter: { type: 'invalid_request_error', message: 'Output blocked by content filtering policy' },
  prefill: {
    type: 'invalid_request_error',
    message: 'This model does not support assistant message prefill. The conversation must end with a user message.',
  },
  invalid_request: { type: 'invalid_request_error', message: 'Invalid request' },
  unauthorized: { type: 'authentication_error', message: 'invalid x-api-key' },
  not_found: { type: 'not_found_error', message: 'Not found' },
};

let errorSeq = 0;

function error(spec: ErrorSpec): HttpReply {
  const base = ERRORS[spec.kind];
  let message = spec.message ?? base.message;
  if (spec.kind === 'context_length') {
    const { used, max } = contextNumbers(spec.promptTokens, 200_000);
    message = `prompt is too long: ${used} tokens > ${max} maximum`;
  }
  const requestId = `req_sandbox${(++errorSeq).toString().padStart(6, '0')}`;
  return jsonReply(
    spec.status,
    { type: 'error', error: { type: base.type, message }, request_id: requestId },
    {
      'request-id': requestId,
      ...retryHeaders(spec, false),
    },
  );
}

export const anthropicFormat: ChatFormat = {
  name: 'anthropic',
  toolIdPrefix: 'toolu_sandbox',
  idPrefix: 'msg_sandbox',
  parseChat,
  error,
  response,
  frames,
  malformedFrame,
  // Anthropic does not reject filtered prompts; the model declines and says why in stop_reason.
  contentFilter: () => ({ kind: 'text', tokens: tokenize('I cannot help with that request.'), finish: 'refusal', json: false }),
};
