/**
 * How the classifier reads a conversation: the size and shape of its messages (exact character
 * counts without building the text) and scanning a message's content from its head or its tail,
 * text part by text part.
 */
import type { ChatMessage, ContentPart } from '../api/chat.js';
import { scan } from './classify-scan.js';
import type { ScanState } from './classify-state.js';

export type Content = string | readonly ContentPart[] | null | undefined;

/** Exact character count of a content's text, without building the text. */
function textLength(content: Content): number {
  if (content == null) return 0;
  if (typeof content === 'string') return content.length;
  let n = 0;
  for (const part of content) if (part.type === 'text' && typeof part.text === 'string') n += part.text.length;
  return n;
}

function hasImage(content: Content): boolean {
  if (content == null || typeof content === 'string') return false;
  for (const part of content) if (part.type === 'image_url') return true;
  return false;
}

function messageChars(msg: ChatMessage): number {
  let n = textLength(msg.content);
  // Tool-call arguments are part of the prompt the next model call reads.
  if (msg.role === 'assistant' && Array.isArray(msg.tool_calls)) {
    for (const call of msg.tool_calls) n += call.function?.arguments?.length ?? 0;
  }
  return n;
}

/** Scans up to `budget` characters from the start of a content; returns how many it scanned. */
export function scanHead(content: Content, budget: number, st: ScanState): number {
  if (content == null || budget <= 0) return 0;
  if (typeof content === 'string') {
    const n = Math.min(content.length, budget);
    scan(content, 0, n, st);
    return n;
  }
  let used = 0;
  for (const part of content) {
    if (used >= budget) break;
    if (part.type !== 'text' || typeof part.text !== 'string') continue;
    const n = Math.min(part.text.length, budget - used);
    scan(part.text, 0, n, st);
    used += n;
  }
  return used;
}

/** Scans the last `budget` characters of a content; returns how many it scanned. */
export function scanTail(content: Content, budget: number, st: ScanState): number {
  if (content == null || budget <= 0) return 0;
  if (typeof content === 'string') {
    const n = Math.min(content.length, budget);
    scan(content, content.length - n, content.length, st);
    return n;
  }
  let used = 0;
  for (let p = content.length - 1; p >= 0 && used < budget; p--) {
    const part = content[p]!;
    if (part.type !== 'text' || typeof part.text !== 'string') continue;
    const n = Math.min(part.text.length, budget - used);
    scan(part.text, part.text.length - n, part.text.length, st);
    used += n;
  }
  return used;
}

/** What the classifier needs of the messages before reading any text. */
export interface MessageShape {
  /** Characters of text in all messages (text parts and tool-call arguments). */
  chars: number;
  /** Characters of system and developer messages. */
  systemChars: number;
  userTurns: number;
  /** Any user message has an image part. */
  hasImages: boolean;
  lastUser: ChatMessage | undefined;
  lastUserChars: number;
}

export function measureMessages(messages: readonly ChatMessage[]): MessageShape {
  const shape: MessageShape = { chars: 0, systemChars: 0, userTurns: 0, hasImages: false, lastUser: undefined, lastUserChars: 0 };
  for (const msg of messages) {
    const n = messageChars(msg);
    shape.chars += n;
    if (msg.role === 'user') {
      shape.userTurns++;
      shape.lastUser = msg;
      shape.lastUserChars = n;
      if (!shape.hasImages) shape.hasImages = hasImage(msg.content);
    } else if (msg.role === 'system' || msg.role === 'developer') {
      shape.systemChars += n;
    }
  }
  return shape;
}
