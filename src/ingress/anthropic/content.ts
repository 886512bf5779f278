import type { AssistantMessage, ChatMessage, ContentPart, ImagePart, TextPart, ToolCall, ToolMessage } from '../../api/chat.js';
import { GatewayError, invalid } from '../../core/errors.js';
import { isRecord } from '../../core/json.js';

const USER_BLOCKS = 'text, image, tool_result';
const ASSISTANT_BLOCKS = 'text, tool_use, thinking, redacted_thinking';
/** Anthropic block types that are real but have no OpenAI-chat counterpart. */
const UNSUPPORTED_BLOCKS = new Set([
  'document',
  'search_result',
  'server_tool_use',
  'web_search_tool_result',
  'web_fetch_tool_result',
  'code_execution_tool_result',
  'bash_code_execution_tool_result',
  'text_editor_code_execution_tool_result',
  'tool_search_tool_result',
  'container_upload',
]);

/** Anthropic `system` (string or text blocks) → a system message, or nothing when empty. */
export function systemMessage(system: unknown): ChatMessage | undefined {
  if (system === undefined || system === null) return undefined;
  if (typeof system === 'string') return system === '' ? undefined : { role: 'system', content: system };
  if (!Array.isArray(system)) throw invalid('system', 'system must be a string or an array of text blocks.');
  const parts = system.map((block, j) => textPart(block, `system[${j}]`, 'system accepts only text blocks.'));
  if (parts.length === 0) return undefined;
  return { role: 'system', content: parts.length === 1 && parts[0] ? parts[0].text : parts };
}

/**
 * One Anthropic user turn → OpenAI messages. tool_result blocks become role:"tool" messages,
 * emitted before the rest of the turn, because OpenAI wants tool answers directly after the
 * assistant message that called them. Images inside a tool_result cannot live in a tool message,
 * so they open the user message that follows.
 */
export function userMessages(content: unknown, i: number): ChatMessage[] {
  if (typeof content === 'string') return [{ role: 'user', content }];
  const blocks = blockArray(content, i);
  const tools: ToolMessage[] = [];
  const toolImages: ImagePart[] = [];
  const parts: ContentPart[] = [];
  blocks.forEach((block, j) => {
    const param = `messages[${i}].content[${j}]`;
    switch (block.type) {
      case 'text':
        parts.push(textPart(block, param, ''));
        break;
      case 'image':
        parts.push(imagePart(block, param));
        break;
      case 'tool_result': {
        const { message, images } = toolResult(block, param);
        tools.push(message);
        toolImages.push(...images);
        break;
      }
      default:
        throw unsupportedBlock(block.type, `${param}.type`, 'user', USER_BLOCKS);
    }
  });
  const rest = [...toolImages, ...parts];
  const out: ChatMessage[] = [...tools];
  if (rest.length > 0 || tools.length === 0) out.push({ role: 'user', content: collapse(rest) });
  return out;
}

/** One Anthropic assistant turn → one OpenAI assistant message. Thinking blocks are dropped. */
export function assistantMessage(content: unknown, i: number): AssistantMessage {
  if (typeof content === 'string') return { role: 'assistant', content };
  const blocks = blockArray(content, i);
  let text = '';
  const calls: ToolCall[] = [];
  blocks.forEach((block, j) => {
    const param = `messages[${i}].content[${j}]`;
    switch (block.type) {
      case 'text':
        text += textPart(block, param, '').text;
        break;
      case 'tool_use': {
        if (typeof block.id !== 'string' || block.id === '') throw invalid(`${param}.id`, 'tool_use.id must be a non-empty string.');
        if (typeof block.name !== 'string' || block.name === '') throw invalid(`${param}.name`, 'tool_use.name must be a non-empty string.');
        if (block.input !== undefined && !isRecord(block.input)) throw invalid(`${param}.input`, 'tool_use.input must be an object.');
        calls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
        break;
      }
      case 'thinking':
      case 'redacted_thinking':
        break;
      default:
        throw unsupportedBlock(block.type, `${param}.type`, 'assistant', ASSISTANT_BLOCKS);
    }
  });
  const message: AssistantMessage = { role: 'assistant', content: text === '' && calls.length > 0 ? null : text };
  if (calls.length > 0) message.tool_calls = calls;
  return message;
}

type Block = Record<string, unknown> & { type: string };

function blockArray(content: unknown, i: number): Block[] {
  if (!Array.isArray(content)) throw invalid(`messages[${i}].content`, 'content must be a string or an array of content blocks.');
  return content.map((block, j) => {
    if (!isRecord(block) || typeof block.type !== 'string') {
      throw invalid(`messages[${i}].content[${j}]`, 'Each content block must be an object with a string "type".');
    }
    return block as Block;
  });
}

function unsupportedBlock(type: string, param: string, role: string, allowed: string): GatewayError {
  if (UNSUPPORTED_BLOCKS.has(type)) {
    return new GatewayError('capability_unsupported', `Content block type "${type}" is not supported by Switchyard; ${role} messages accept ${allowed}.`, {
      param,
    });
  }
  return invalid(param, `Invalid content block type "${type}" in a ${role} message; allowed: ${allowed}.`);
}

function textPart(block: unknown, param: string, context: string): TextPart {
  if (!isRecord(block) || block.type !== 'text') throw invalid(`${param}.type`, context || 'Expected a text block.');
  if (typeof block.text !== 'string') throw invalid(`${param}.text`, 'text block needs a string "text".');
  return { type: 'text', text: block.text };
}

function imagePart(block: Record<string, unknown>, param: string): ImagePart {
  const source = block.source;
  if (!isRecord(source)) throw invalid(`${param}.source`, 'image block needs a "source" object.');
  if (source.type === 'base64') {
    if (typeof source.media_type !== 'string' || !/^image\/[\w.+-]+$/.test(source.media_type)) {
      throw invalid(`${param}.source.media_type`, 'media_type must be an image type: image/jpeg, image/png, image/gif or image/webp.');
    }
    if (typeof source.data !== 'string') throw invalid(`${param}.source.data`, 'base64 image source needs string "data".');
    return { type: 'image_url', image_url: { url: `data:${source.media_type};base64,${source.data}` } };
  }
  if (source.type === 'url') {
    if (typeof source.url !== 'string' || !/^https?:\/\//i.test(source.url)) throw invalid(`${param}.source.url`, 'url image source needs an http(s) "url".');
    return { type: 'image_url', image_url: { url: source.url } };
  }
  if (source.type === 'file') {
    throw new GatewayError('capability_unsupported', 'File-id image sources are not supported; send base64 or url sources.', {
      param: `${param}.source.type`,
    });
  }
  throw invalid(`${param}.source.type`, 'image source type must be "base64" or "url".');
}

/**
 * tool_result → a tool message. OpenAI has no error flag on tool results, so an `is_error`
 * result is marked in its text ("Error: ...") for the model to see.
 */
function toolResult(block: Record<string, unknown>, param: string): { message: ToolMessage; images: ImagePart[] } {
  if (typeof block.tool_use_id !== 'string' || block.tool_use_id === '') {
    throw invalid(`${param}.tool_use_id`, 'tool_result.tool_use_id must be a non-empty string.');
  }
  let text = '';
  const images: ImagePart[] = [];
  const content = block.content;
  if (typeof content === 'string') text = content;
  else if (Array.isArray(content)) {
    content.forEach((inner, k) => {
      const p = `${param}.content[${k}]`;
      if (isRecord(inner) && inner.type === 'image') images.push(imagePart(inner, p));
      else if (isRecord(inner) && inner.type === 'text') text += textPart(inner, p, '').text;
      else throw invalid(`${p}.type`, 'tool_result content blocks must be text or image.');
    });
  } else if (content !== undefined && content !== null) {
    throw invalid(`${param}.content`, 'tool_result.content must be a string or an array of text/image blocks.');
  }
  if (block.is_error === true) text = text === '' ? 'Error' : `Error: ${text}`;
  return { message: { role: 'tool', tool_call_id: block.tool_use_id, content: text }, images };
}

function collapse(parts: ContentPart[]): string | ContentPart[] {
  const only = parts[0];
  return parts.length === 1 && only?.type === 'text' ? only.text : parts;
}
