import {
  type AnthropicContentBlock,
  type AnthropicImageBlock,
  type AnthropicImageMediaType,
  type AnthropicMessageParam,
  type AnthropicTextBlock,
  IMAGE_MEDIA_TYPES,
  toolInput,
} from '../../api/anthropic.js';
import type { ChatMessage, ContentPart, TextPart, ToolCall } from '../../api/chat.js';
import { GatewayError, invalid } from '../../core/errors.js';
import { dataUrlBase64, parseDataUrl } from '../shared/data-url.js';
import { unsupportedPart } from '../shared/parts.js';

export interface ConvertedMessages {
  system: string | AnthropicTextBlock[] | undefined;
  messages: AnthropicMessageParam[];
}

/**
 * OpenAI messages → Anthropic `system` + alternating `messages`.
 *
 * - system/developer messages, wherever they appear, are hoisted into the top-level `system`.
 * - tool messages become tool_result blocks in a user turn; since they precede any user text
 *   of the same turn, the merge below keeps tool_result blocks first, as Anthropic requires.
 * - consecutive turns of the same role are merged into one.
 * - empty text blocks and turns left empty are dropped: Anthropic rejects both.
 * - a final assistant turn is kept as a prefill, with trailing whitespace trimmed (Anthropic
 *   rejects a final assistant text ending in whitespace).
 */
export function convertMessages(messages: readonly ChatMessage[]): ConvertedMessages {
  const systemBlocks: AnthropicTextBlock[] = [];
  const out: { role: 'user' | 'assistant'; blocks: AnthropicContentBlock[] }[] = [];

  const push = (role: 'user' | 'assistant', blocks: AnthropicContentBlock[]): void => {
    if (blocks.length === 0) return;
    const last = out[out.length - 1];
    if (last && last.role === role) last.blocks.push(...blocks);
    else out.push({ role, blocks });
  };

  messages.forEach((msg, i) => {
    switch (msg.role) {
      case 'system':
      case 'developer':
        systemBlocks.push(...textBlocks(msg.content));
        break;
      case 'user':
        push('user', userBlocks(msg.content, i));
        break;
      case 'assistant':
        push('assistant', assistantBlocks(msg.content, msg.tool_calls, msg.refusal));
        break;
      case 'tool': {
        const text = textBlocks(msg.content);
        const block: AnthropicContentBlock = { type: 'tool_result', tool_use_id: msg.tool_call_id };
        if (text.length === 1 && text[0]) block.content = text[0].text;
        else if (text.length > 1) block.content = text;
        push('user', [block]);
        break;
      }
      default:
        throw invalid(`messages[${i}].role`, `Unsupported role "${(msg as { role: unknown }).role}".`);
    }
  });

  trimPrefill(out);

  return {
    system: systemBlocks.length === 0 ? undefined : systemBlocks.length === 1 ? systemBlocks[0]?.text : systemBlocks,
    messages: out.map(({ role, blocks }) => ({ role, content: collapse(blocks) })),
  };
}

function textBlocks(content: string | readonly TextPart[] | ContentPart[] | null | undefined): AnthropicTextBlock[] {
  if (content == null) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  const blocks: AnthropicTextBlock[] = [];
  for (const part of content) if (part.type === 'text' && part.text !== '') blocks.push({ type: 'text', text: part.text });
  return blocks;
}

function userBlocks(content: string | ContentPart[], i: number): AnthropicContentBlock[] {
  if (typeof content === 'string') return textBlocks(content);
  const blocks: AnthropicContentBlock[] = [];
  content.forEach((part, j) => {
    if (part.type === 'text') {
      if (part.text !== '') blocks.push({ type: 'text', text: part.text });
    } else if (part.type === 'image_url') {
      blocks.push(imageBlock(part.image_url.url, `messages[${i}].content[${j}].image_url.url`));
    } else {
      throw unsupportedPart(part.type, `messages[${i}].content[${j}].type`, 'Anthropic');
    }
  });
  return blocks;
}

function assistantBlocks(
  content: string | TextPart[] | null | undefined,
  toolCalls: ToolCall[] | undefined,
  refusal: string | null | undefined,
): AnthropicContentBlock[] {
  const blocks: AnthropicContentBlock[] = textBlocks(content);
  if (blocks.length === 0 && refusal) blocks.push({ type: 'text', text: refusal });
  for (const call of toolCalls ?? []) {
    blocks.push({ type: 'tool_use', id: call.id, name: call.function.name, input: toolInput(call.function.arguments) });
  }
  return blocks;
}

function imageBlock(url: string, param: string): AnthropicImageBlock {
  const dataUrl = parseDataUrl(url);
  if (dataUrl) {
    const mediaType = dataUrl.mediaType.toLowerCase();
    if (!IMAGE_MEDIA_TYPES.has(mediaType)) {
      throw new GatewayError(
        'capability_unsupported',
        `Image media type "${mediaType || 'unknown'}" is not supported by Anthropic; use image/jpeg, image/png, image/gif or image/webp.`,
        { param },
      );
    }
    const data = dataUrlBase64(dataUrl);
    if (data === undefined) throw invalid(param, 'Image data URL is not valid percent-encoding.');
    return { type: 'image', source: { type: 'base64', media_type: mediaType as AnthropicImageMediaType, data } };
  }
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  throw invalid(param, 'Image URL must be an http(s) URL or a base64 data: URL.');
}

function trimPrefill(out: { role: 'user' | 'assistant'; blocks: AnthropicContentBlock[] }[]): void {
  const last = out[out.length - 1];
  if (last?.role !== 'assistant') return;
  const tail = last.blocks[last.blocks.length - 1];
  if (tail?.type !== 'text') return;
  tail.text = tail.text.trimEnd();
  if (tail.text === '') last.blocks.pop();
  if (last.blocks.length === 0) out.pop();
}

/** A turn that is a single text block is sent in the plain string form. */
function collapse(blocks: AnthropicContentBlock[]): string | AnthropicContentBlock[] {
  const only = blocks[0];
  return blocks.length === 1 && only?.type === 'text' ? only.text : blocks;
}
