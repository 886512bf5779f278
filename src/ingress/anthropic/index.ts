/** Anthropic Messages API ingress: lets Anthropic SDK clients call Switchyard's POST /v1/messages. */

export { anthropicErrorType, encodeAnthropicSSE, errorEvent, toAnthropicErrorBody } from './errors.js';
export { ChunksToAnthropicEvents, type ChunksToAnthropicEventsOptions } from './events.js';
export { messagesToChatRequest } from './request.js';
export { anthropicUsage, chatResponseToMessage, stopReasonOf } from './response.js';
export type { AnthropicErrorBody, AnthropicErrorType, AnthropicMessage, AnthropicResponseUsage, AnthropicSSE, AnthropicStopReason } from './types.js';
