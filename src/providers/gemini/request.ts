import type { ChatRequest, ToolChoice } from '../../api/chat.js';
import type { Target } from '../../config/types.js';
import type { UpstreamRequest } from '../../core/upstream.js';
import { requestHeaders } from '../shared/headers.js';
import { convertMessages } from './contents.js';
import { toGeminiJsonSchema } from './schema.js';
import type { GeminiGenerationConfig, GeminiRequestBody } from './wire.js';
import { apiUrl } from './wire.js';

const JSON_HEADERS = { 'content-type': 'application/json' } as const;

export function buildChatRequest(req: ChatRequest, target: Target, stream: boolean): UpstreamRequest {
  const url = stream
    ? `${apiUrl(target.provider.baseUrl, target.model.id, 'streamGenerateContent')}?alt=sse`
    : apiUrl(target.provider.baseUrl, target.model.id, 'generateContent');
  return {
    method: 'POST',
    url,
    // Auth (x-goog-api-key) is added by transport; the provider's static headers are ours to send.
    headers: requestHeaders(target.provider, JSON_HEADERS),
    body: JSON.stringify(buildGenerateContentBody(req)),
  };
}

/** OpenAI chat request → Gemini generateContent body. */
export function buildGenerateContentBody(req: ChatRequest): GeminiRequestBody {
  const { systemInstruction, contents } = convertMessages(req.messages);
  const body: GeminiRequestBody = { contents };
  if (systemInstruction) body.systemInstruction = systemInstruction;

  const tools = req.tools ?? [];
  if (tools.length > 0) {
    body.tools = [
      {
        functionDeclarations: tools.map(({ function: fn }) => ({
          name: fn.name,
          ...(fn.description ? { description: fn.description } : {}),
          ...(fn.parameters ? { parametersJsonSchema: toGeminiJsonSchema(fn.parameters) } : {}),
        })),
      },
    ];
    if (req.tool_choice !== undefined) body.toolConfig = { functionCallingConfig: functionCallingConfig(req.tool_choice) };
  }

  const generationConfig = buildGenerationConfig(req);
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;
  return body;
}

function functionCallingConfig(choice: ToolChoice): NonNullable<GeminiRequestBody['toolConfig']>['functionCallingConfig'] {
  if (choice === 'none') return { mode: 'NONE' };
  if (choice === 'auto') return { mode: 'AUTO' };
  if (choice === 'required') return { mode: 'ANY' };
  return { mode: 'ANY', allowedFunctionNames: [choice.function.name] };
}

function buildGenerationConfig(req: ChatRequest): GeminiGenerationConfig {
  const config: GeminiGenerationConfig = {};
  if (req.temperature != null) config.temperature = req.temperature;
  if (req.top_p != null) config.topP = req.top_p;
  const maxTokens = req.max_completion_tokens ?? req.max_tokens;
  if (maxTokens != null) config.maxOutputTokens = maxTokens;
  if (req.stop != null) {
    const stops = (typeof req.stop === 'string' ? [req.stop] : req.stop).filter((s) => s !== '');
    if (stops.length > 0) config.stopSequences = stops;
  }
  if (req.seed != null) config.seed = req.seed;
  if (req.n != null && req.n !== 1) config.candidateCount = req.n;
  if (req.presence_penalty != null) config.presencePenalty = req.presence_penalty;
  if (req.frequency_penalty != null) config.frequencyPenalty = req.frequency_penalty;

  const format = req.response_format;
  if (format?.type === 'json_object') {
    config.responseMimeType = 'application/json';
  } else if (format?.type === 'json_schema') {
    config.responseMimeType = 'application/json';
    // responseJsonSchema rather than responseSchema for the reason given in schema.ts.
    if (format.json_schema.schema) config.responseJsonSchema = toGeminiJsonSchema(format.json_schema.schema);
  }
  return config;
}
