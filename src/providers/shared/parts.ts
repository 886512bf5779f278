import { GatewayError } from '../../core/errors.js';

/** The refusal every non-OpenAI adapter gives for a content part its wire format cannot carry. */
export function unsupportedPart(type: string, param: string, provider: string, accepted = 'text and image_url'): GatewayError {
  return new GatewayError('capability_unsupported', `${param} is a '${type}' part; ${provider} accepts ${accepted} parts`, { param });
}
