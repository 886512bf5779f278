import type { ChatMessage, ChatRequest, FunctionTool, JsonObject, ToolChoice } from '../../api/chat.js';
import { checkModelName } from '../../api/validate.js';
import { GatewayError, invalid } from '../../core/errors.js';
import { isRecord } from '../../core/json.js';
import { assistantMessage, systemMessage, userMessages } from './content.js';

/**
 * A `POST /v1/messages` body (Anthropic Messages API) → the canonical OpenAI chat request.
 * Validation errors name the field and what it accepts, as GatewayError('invalid_request').
 * Parameters with no OpenAI counterpart (top_k, thinking, cache_control, service_tier...) are
 * dropped: they tune how a model answers, not what the answer must be.
 */
export function messagesToChatRequest(body: unknown): ChatRequest {
  if (!isRecord(body)) throw new GatewayError('invalid_request', 'Request body must be a JSON object.');
  const model = requiredModel(body);
  const maxTokens = requiredMaxTokens(body);
  const messages = chatMessages(body);

  const req: ChatRequest = { model, messages, max_tokens: maxTokens };
  applySampling(req, body);
  applyTools(req, body);
  applyOutputFormat(req, body);
  applyMetadata(req, body);
  applyStream(req, body);
  return req;
}

function requiredModel(body: Record<string, unknown>): string {
  const model = body.model;
  if (typeof model !== 'string' || model === '') throw invalid('model', 'model: Field required (a non-empty string).');
  checkModelName(model, 'model');
  return model;
}

function requiredMaxTokens(body: Record<string, unknown>): number {
  const maxTokens = body.max_tokens;
  if (maxTokens === undefined) throw invalid('max_tokens', 'max_tokens: Field required (a positive integer).');
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
    throw invalid('max_tokens', 'max_tokens must be a positive integer.');
  }
  return maxTokens;
}

/** The top-level `system` becomes the first message, ahead of the conversation. */
function chatMessages(body: Record<string, unknown>): ChatMessage[] {
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw invalid('messages', 'messages must be a non-empty array of {role, content}.');
  }
  const messages: ChatMessage[] = [];
  const system = systemMessage(body.system);
  if (system) messages.push(system);
  (body.messages as unknown[]).forEach((m, i) => {
    messages.push(...turnMessages(m, i));
  });
  return messages;
}

/** One Anthropic turn → the chat messages it becomes: a user turn carrying tool results becomes several. */
function turnMessages(m: unknown, i: number): ChatMessage[] {
  if (!isRecord(m)) throw invalid(`messages[${i}]`, 'Each message must be an object with role and content.');
  if (m.content === undefined) throw invalid(`messages[${i}].content`, 'content: Field required.');
  switch (m.role) {
    case 'user':
      return userMessages(m.content, i);
    case 'assistant':
      return [assistantMessage(m.content, i)];
    case 'system': {
      // Newer API versions allow system turns inside messages.
      const sys = systemMessage(m.content);
      return sys ? [sys] : [];
    }
    default:
      throw invalid(`messages[${i}].role`, `Invalid role ${JSON.stringify(m.role)}; allowed: "user", "assistant".`);
  }
}

function applyMetadata(req: ChatRequest, body: Record<string, unknown>): void {
  if (body.metadata === undefined || body.metadata === null) return;
  if (!isRecord(body.metadata)) throw invalid('metadata', 'metadata must be an object.');
  const userId = body.metadata.user_id;
  if (userId !== undefined && userId !== null && typeof userId !== 'string') throw invalid('metadata.user_id', 'metadata.user_id must be a string.');
  if (typeof userId === 'string' && userId !== '') req.user = userId;
}

function applyStream(req: ChatRequest, body: Record<string, unknown>): void {
  if (body.stream === undefined || body.stream === null) return;
  if (typeof body.stream !== 'boolean') throw invalid('stream', 'stream must be a boolean.');
  if (body.stream) {
    req.stream = true;
    // Anthropic streams always end with usage, so the gateway must ask for it.
    req.stream_options = { include_usage: true };
  }
}

function numberIn(body: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw invalid(key, `${key} must be a number between ${min} and ${max}.`);
  return v;
}

function applySampling(req: ChatRequest, body: Record<string, unknown>): void {
  const temperature = numberIn(body, 'temperature', 0, 1);
  if (temperature !== undefined) req.temperature = temperature;
  const topP = numberIn(body, 'top_p', 0, 1);
  if (topP !== undefined) req.top_p = topP;
  if (body.top_k !== undefined && body.top_k !== null && (typeof body.top_k !== 'number' || !Number.isInteger(body.top_k) || body.top_k < 0)) {
    throw invalid('top_k', 'top_k must be a non-negative integer.');
  }
  const stops = body.stop_sequences;
  if (stops !== undefined && stops !== null) {
    if (!Array.isArray(stops) || !stops.every((s): s is string => typeof s === 'string')) {
      throw invalid('stop_sequences', 'stop_sequences must be an array of strings.');
    }
    if (stops.length > 0) req.stop = stops;
  }
}

function applyTools(req: ChatRequest, body: Record<string, unknown>): void {
  if (body.tools !== undefined && body.tools !== null) {
    if (!Array.isArray(body.tools)) throw invalid('tools', 'tools must be an array.');
    if (body.tools.length > 0) req.tools = body.tools.map(toFunctionTool);
  }
  const choice = body.tool_choice;
  if (choice === undefined || choice === null) return;
  if (!isRecord(choice)) throw invalid('tool_choice', 'tool_choice must be an object with type auto, any, tool or none.');
  let mapped: ToolChoice;
  switch (choice.type) {
    case 'auto':
      mapped = 'auto';
      break;
    case 'any':
      mapped = 'required';
      break;
    case 'none':
      mapped = 'none';
      break;
    case 'tool':
      if (typeof choice.name !== 'string' || choice.name === '') throw invalid('tool_choice.name', 'tool_choice of type "tool" needs a tool name.');
      mapped = { type: 'function', function: { name: choice.name } };
      break;
    default:
      throw invalid('tool_choice.type', `Invalid tool_choice.type ${JSON.stringify(choice.type)}; allowed: auto, any, tool, none.`);
  }
  req.tool_choice = mapped;
  if (choice.disable_parallel_tool_use === true) req.parallel_tool_calls = false;
}

function toFunctionTool(tool: unknown, k: number): FunctionTool {
  const param = `tools[${k}]`;
  if (!isRecord(tool)) throw invalid(param, 'Each tool must be an object.');
  if (tool.type !== undefined && tool.type !== null && tool.type !== 'custom') {
    throw new GatewayError(
      'capability_unsupported',
      `Anthropic server tool ${JSON.stringify(tool.type)} is not supported; only custom tools (name, input_schema) are.`,
      {
        param: `${param}.type`,
      },
    );
  }
  if (typeof tool.name !== 'string' || tool.name === '') throw invalid(`${param}.name`, 'tool name must be a non-empty string.');
  if (!isRecord(tool.input_schema)) throw invalid(`${param}.input_schema`, 'input_schema must be a JSON Schema object.');
  const fn: FunctionTool['function'] = { name: tool.name, parameters: tool.input_schema as JsonObject };
  if (typeof tool.description === 'string') fn.description = tool.description;
  if (typeof tool.strict === 'boolean') fn.strict = tool.strict;
  return { type: 'function', function: fn };
}

/** `output_config.format` (structured outputs) → response_format json_schema. */
function applyOutputFormat(req: ChatRequest, body: Record<string, unknown>): void {
  const config = body.output_config;
  if (!isRecord(config) || config.format === undefined || config.format === null) return;
  const format = config.format;
  if (!isRecord(format) || format.type !== 'json_schema' || !isRecord(format.schema)) {
    throw invalid('output_config.format', 'output_config.format must be {type: "json_schema", schema: {...}}.');
  }
  req.response_format = { type: 'json_schema', json_schema: { name: 'response', schema: format.schema as JsonObject } };
}
