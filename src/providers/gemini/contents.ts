import type { AssistantMessage, ChatMessage, ToolMessage, UserMessage } from '../../api/chat.js';
import { contentText } from '../../api/chat.js';
import { GatewayError } from '../../core/errors.js';
import { isRecord, parseJson, parseToolArguments } from '../../core/json.js';
import { unsupportedPart } from '../shared/parts.js';
import { imagePart } from './media.js';
import { decodeToolCallId, UNSIGNED_SIGNATURE } from './tool-ids.js';
import type { GeminiContent, GeminiPart, GeminiRole } from './wire.js';

export interface ConvertedMessages {
  systemInstruction?: { parts: { text: string }[] };
  contents: GeminiContent[];
}

/**
 * OpenAI messages → Gemini `systemInstruction` + `contents`.
 *
 * Gemini has one system instruction, so system/developer messages anywhere in the conversation
 * are gathered into it in order. Consecutive turns of the same role are merged because Gemini
 * expects user and model turns to alternate; tool results are user-role turns, so a batch of
 * results (and any user text right after them) becomes a single turn.
 */
export function convertMessages(messages: readonly ChatMessage[]): ConvertedMessages {
  const system: { text: string }[] = [];
  const contents: GeminiContent[] = [];
  // tool_call_id → function name; later calls win if a client reuses ids across turns.
  const callNames = new Map<string, string>();

  const push = (role: GeminiRole, parts: GeminiPart[]): void => {
    if (parts.length === 0) return;
    const last = contents[contents.length - 1];
    if (last && last.role === role && last.parts) last.parts.push(...parts);
    else contents.push({ role, parts });
  };

  messages.forEach((msg, i) => {
    switch (msg.role) {
      case 'system':
      case 'developer': {
        const text = contentText(msg.content);
        if (text !== '') system.push({ text });
        break;
      }
      case 'user':
        push('user', userParts(msg, `messages[${i}].content`));
        break;
      case 'assistant':
        push('model', assistantParts(msg, callNames));
        break;
      case 'tool':
        push('user', [toolResultPart(msg, callNames, i)]);
        break;
      default:
        throw new GatewayError('invalid_request', 'Unsupported message role.', { param: `messages[${i}].role` });
    }
  });

  return system.length > 0 ? { systemInstruction: { parts: system }, contents } : { contents };
}

function userParts(msg: UserMessage, param: string): GeminiPart[] {
  if (typeof msg.content === 'string') return msg.content === '' ? [] : [{ text: msg.content }];
  const parts: GeminiPart[] = [];
  msg.content.forEach((part, j) => {
    if (part.type === 'text') {
      if (part.text !== '') parts.push({ text: part.text });
    } else if (part.type === 'image_url') {
      parts.push(imagePart(part, `${param}[${j}]`));
    } else {
      throw unsupportedPart(part.type, `${param}[${j}].type`, 'Gemini');
    }
  });
  return parts;
}

function assistantParts(msg: AssistantMessage, callNames: Map<string, string>): GeminiPart[] {
  const parts: GeminiPart[] = [];
  const text = contentText(msg.content);
  if (text !== '') parts.push({ text });
  (msg.tool_calls ?? []).forEach((call, j) => {
    callNames.set(call.id, call.function.name);
    const { signature } = decodeToolCallId(call.id);
    const part: GeminiPart = { functionCall: { name: call.function.name, args: parseArgs(call.function.arguments) } };
    // Gemini validates the signature of the first call in a turn; history it did not sign gets
    // the documented bypass value rather than a 400.
    if (signature) part.thoughtSignature = signature;
    else if (j === 0) part.thoughtSignature = UNSIGNED_SIGNATURE;
    parts.push(part);
  });
  return parts;
}

/** Gemini wants args as an object; OpenAI carries a JSON string that models sometimes leave empty. */
function parseArgs(args: string): Record<string, unknown> {
  const parsed = parseToolArguments(args);
  // Invalid JSON from an earlier turn is still history the model should see, not a reason to fail.
  if (parsed === undefined) return { arguments: args };
  return isRecord(parsed) ? parsed : { value: parsed };
}

function toolResultPart(msg: ToolMessage, callNames: Map<string, string>, i: number): GeminiPart {
  const name = callNames.get(msg.tool_call_id);
  if (name === undefined) {
    throw new GatewayError('invalid_request', 'Tool message does not answer any earlier assistant tool call.', {
      param: `messages[${i}].tool_call_id`,
    });
  }
  return { functionResponse: { name, response: toolResponse(contentText(msg.content)) } };
}

/** Gemini needs a JSON object; a JSON object result is passed as such, anything else is wrapped. */
function toolResponse(text: string): Record<string, unknown> {
  const parsed = parseJson(text);
  return isRecord(parsed) ? parsed : { content: text };
}
