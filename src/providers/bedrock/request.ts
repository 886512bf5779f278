import type { ChatMessage, ChatRequest, ContentPart, TextPart } from '../../api/chat.js';
import { contentText } from '../../api/chat.js';
import type { Target } from '../../config/types.js';
import { GatewayError, invalid } from '../../core/errors.js';
import { isRecord, parseJson, parseToolArguments } from '../../core/json.js';
import type { UpstreamRequest } from '../../core/upstream.js';
import { dataUrlBase64, parseDataUrl } from '../shared/data-url.js';
import { requestHeaders } from '../shared/headers.js';
import { unsupportedPart } from '../shared/parts.js';
import { jsonModePlan } from './json-mode.js';
import type {
  ConverseBody,
  ConverseContentBlock,
  ConverseImageFormat,
  ConverseInferenceConfig,
  ConverseMessage,
  ConverseToolChoice,
  ConverseToolConfig,
  ConverseToolResultContent,
  ConverseToolSpec,
  JsonValue,
} from './wire.js';

/**
 * OpenAI chat request → Bedrock Converse request. The URL carries the model id; SigV4 is applied by
 * transport afterwards, so nothing here touches credentials.
 */

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' } as const;
const STREAM_HEADERS = { 'content-type': 'application/json', accept: 'application/vnd.amazon.eventstream' } as const;

export function converseUrl(target: Target, stream: boolean): string {
  return `${target.provider.baseUrl}/model/${encodeURIComponent(target.model.id)}/${stream ? 'converse-stream' : 'converse'}`;
}

export function buildChatRequest(req: ChatRequest, target: Target, stream: boolean): UpstreamRequest {
  return {
    method: 'POST',
    url: converseUrl(target, stream),
    headers: requestHeaders(target.provider, stream ? STREAM_HEADERS : JSON_HEADERS),
    body: JSON.stringify(buildConverseBody(req)),
  };
}

export function buildConverseBody(req: ChatRequest): ConverseBody {
  if (req.n != null && req.n > 1) {
    throw new GatewayError('capability_unsupported', 'Bedrock Converse returns one choice per request; n > 1 is not supported', { param: 'n' });
  }
  const system: { text: string }[] = [];
  const messages: ConverseMessage[] = [];
  const append = (role: ConverseMessage['role'], blocks: ConverseContentBlock[]): void => {
    if (blocks.length === 0) return;
    // Converse wants strictly alternating turns: tool results and user text share one user turn.
    const last = messages.at(-1);
    if (last && last.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  req.messages.forEach((m, i) => {
    switch (m.role) {
      case 'system':
      case 'developer': {
        const text = contentText(m.content);
        if (text !== '') system.push({ text });
        break;
      }
      case 'user':
        append('user', userBlocks(m.content, i));
        break;
      case 'assistant':
        append('assistant', assistantBlocks(m, i));
        break;
      case 'tool':
        append('user', [{ toolResult: { toolUseId: m.tool_call_id, content: toolResultContent(m.content) } }]);
        break;
    }
  });

  const body: ConverseBody = { messages };
  if (system.length > 0) body.system = system;
  const inference = inferenceConfig(req);
  if (inference) body.inferenceConfig = inference;
  const toolConfig = toolConfigOf(req, messages);
  if (toolConfig) body.toolConfig = toolConfig;
  return body;
}

function userBlocks(content: string | ContentPart[], i: number): ConverseContentBlock[] {
  if (typeof content === 'string') return [{ text: content }];
  return content.map((part, j): ConverseContentBlock => {
    if (part.type === 'text') return { text: part.text };
    if (part.type === 'image_url') return imageBlock(part.image_url.url, i, j);
    throw unsupportedPart(part.type, `messages[${i}].content[${j}].type`, 'Bedrock Converse');
  });
}

function assistantBlocks(m: Extract<ChatMessage, { role: 'assistant' }>, i: number): ConverseContentBlock[] {
  const blocks: ConverseContentBlock[] = [];
  const parts: TextPart[] = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : (m.content ?? []);
  // Converse rejects blank text blocks, which OpenAI clients send beside tool calls ("content": "").
  for (const p of parts) if (p.text.trim() !== '') blocks.push({ text: p.text });
  (m.tool_calls ?? []).forEach((call, k) => {
    blocks.push({
      toolUse: {
        toolUseId: call.id,
        name: call.function.name,
        input: toolInput(call.function.arguments, `messages[${i}].tool_calls[${k}].function.arguments`),
      },
    });
  });
  return blocks;
}

function toolInput(args: string, param: string): JsonValue {
  const parsed = parseToolArguments(args);
  if (parsed === undefined) throw invalid(param, 'tool call arguments must be valid JSON to be sent to Bedrock');
  return parsed as JsonValue;
}

/** A result that is a JSON object goes as `json` (models see structure); anything else as text. */
function toolResultContent(content: string | TextPart[]): ConverseToolResultContent[] {
  const text = contentText(content);
  const trimmed = text.trim();
  const parsed = trimmed.startsWith('{') ? parseJson(trimmed) : undefined;
  // Not JSON after all: send it as the text it is.
  return isRecord(parsed) ? [{ json: parsed as JsonValue }] : [{ text }];
}

// A Map, because the key is the client's: on a plain object `constructor` would be found.
const IMAGE_FORMATS: ReadonlyMap<string, ConverseImageFormat> = new Map([
  ['image/png', 'png'],
  ['image/jpeg', 'jpeg'],
  ['image/jpg', 'jpeg'],
  ['image/gif', 'gif'],
  ['image/webp', 'webp'],
]);

function imageBlock(url: string, i: number, j: number): ConverseContentBlock {
  const param = `messages[${i}].content[${j}].image_url`;
  const dataUrl = parseDataUrl(url);
  const bytes = dataUrl?.base64 ? dataUrlBase64(dataUrl) : undefined;
  if (!dataUrl || bytes === undefined) {
    throw new GatewayError('capability_unsupported', 'Bedrock Converse accepts images only as base64 data: URLs, not remote URLs', { param });
  }
  const format = IMAGE_FORMATS.get(dataUrl.mediaType.toLowerCase());
  if (!format) {
    throw new GatewayError('capability_unsupported', `Bedrock Converse does not accept ${dataUrl.mediaType} images (png, jpeg, gif, webp only)`, { param });
  }
  return { image: { format, source: { bytes } } };
}

function inferenceConfig(req: ChatRequest): ConverseInferenceConfig | undefined {
  const cfg: ConverseInferenceConfig = {};
  const maxTokens = req.max_completion_tokens ?? req.max_tokens;
  if (maxTokens != null) cfg.maxTokens = maxTokens;
  if (req.temperature != null) cfg.temperature = req.temperature;
  if (req.top_p != null) cfg.topP = req.top_p;
  if (req.stop != null) {
    const stops = typeof req.stop === 'string' ? [req.stop] : req.stop;
    if (stops.length > 0) cfg.stopSequences = stops;
  }
  return Object.keys(cfg).length > 0 ? cfg : undefined;
}

/**
 * tools + tool_choice (+ JSON mode) → toolConfig.
 *
 * Converse has no "none" tool choice. With tool_choice "none" the client's tools are left out, so
 * the model cannot call them, except when the history already holds tool blocks: Converse then
 * insists on a toolConfig, and the declared tools (or placeholders named after the tools in the
 * history) are sent with the default (auto) choice.
 */
function toolConfigOf(req: ChatRequest, messages: ConverseMessage[]): ConverseToolConfig | undefined {
  const choice = req.tool_choice;
  const declared: ConverseToolSpec[] = (req.tools ?? []).map((t) => ({
    toolSpec: {
      name: t.function.name,
      ...(t.function.description ? { description: t.function.description } : {}),
      inputSchema: { json: (t.function.parameters as JsonValue | undefined) ?? { type: 'object', properties: {} } },
    },
  }));
  const offered = choice === 'none' ? [] : declared;
  const plan = jsonModePlan(req);

  let toolChoice: ConverseToolChoice | undefined;
  const tools = [...offered];
  if (plan) {
    tools.push(plan.tool);
    if (typeof choice === 'object') toolChoice = { tool: { name: choice.function.name } };
    // With the client's tools on offer the model must call one of them or the JSON tool.
    else toolChoice = offered.length > 0 ? { any: {} } : { tool: { name: plan.toolName } };
  } else if (offered.length > 0) {
    if (choice === 'auto') toolChoice = { auto: {} };
    else if (choice === 'required') toolChoice = { any: {} };
    else if (typeof choice === 'object') toolChoice = { tool: { name: choice.function.name } };
  }

  if (tools.length === 0) {
    const used = toolNamesInHistory(messages);
    if (used.size === 0) return undefined;
    if (declared.length > 0) return { tools: declared };
    return {
      tools: [...used].map((name) => ({
        toolSpec: { name, description: 'A tool used earlier in this conversation.', inputSchema: { json: { type: 'object' } } },
      })),
    };
  }
  return toolChoice ? { tools, toolChoice } : { tools };
}

function toolNamesInHistory(messages: ConverseMessage[]): Set<string> {
  const names = new Set<string>();
  let results = false;
  for (const m of messages) {
    for (const b of m.content) {
      if ('toolUse' in b) names.add(b.toolUse.name);
      if ('toolResult' in b) results = true;
    }
  }
  // A tool result whose call is not in the history still needs some toolConfig.
  if (results && names.size === 0) names.add('tool');
  return names;
}
