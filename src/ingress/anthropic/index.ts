/** Anthropic Messages API ingress: lets Anthropic SDK clients call Switchyard's POST /v1/messages. */
export { messagesToChatRequest } from './request.js';
export { chatResponseToMessage, anthropicUsage, stopReasonOf } from './response.js';
export { ChunksToAnthropicEvents, type ChunksToAnthropicEventsOptions } from './events.js';
export { errorEvent, toAnthropicErrorBody, anthropicErrorType, encodeAnthropicSSE } from './errors.js';
export type { AnthropicSSE, AnthropicMessage, AnthropicResponseUsage, AnthropicErrorBody, AnthropicErrorType, AnthropicStopReason } from './types.js';
