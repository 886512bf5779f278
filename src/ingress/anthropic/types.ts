import type { AnthropicStopReason, AnthropicTextBlock, AnthropicToolUseBlock } from '../../api/anthropic.js';

/** One Anthropic SSE event as the HTTP layer writes it: `event: <event>\ndata: <json>\n\n`. */
export interface AnthropicSSE {
  event: string;
  data: Record<string, unknown>;
}

export interface AnthropicResponseUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

/** The non-streaming `POST /v1/messages` response Switchyard returns. */
export interface AnthropicMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  content: Array<AnthropicTextBlock | AnthropicToolUseBlock>;
  model: string;
  stop_reason: AnthropicStopReason;
  stop_sequence: null;
  usage: AnthropicResponseUsage;
}

export type { AnthropicErrorBody, AnthropicErrorType, AnthropicStopReason } from '../../api/anthropic.js';
