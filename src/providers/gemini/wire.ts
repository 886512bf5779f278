import { GatewayError } from '../../core/errors.js';
import { isRecord } from '../../core/json.js';

/**
 * The subset of the Gemini REST (v1beta) wire format Switchyard speaks. Field names are the REST
 * JSON names (camelCase), which match @google/genai's TypeScript names.
 */

export interface GeminiFunctionCall {
  name?: string;
  args?: Record<string, unknown>;
  id?: string;
}

export interface GeminiFunctionResponse {
  name: string;
  response: Record<string, unknown>;
  id?: string;
}

export interface GeminiPart {
  text?: string;
  thought?: boolean;
  thoughtSignature?: string;
  inlineData?: { mimeType: string; data: string };
  fileData?: { mimeType?: string; fileUri: string };
  functionCall?: GeminiFunctionCall;
  functionResponse?: GeminiFunctionResponse;
}

export type GeminiRole = 'user' | 'model';

export interface GeminiContent {
  role?: GeminiRole;
  parts?: GeminiPart[];
}

export interface GeminiFunctionDeclaration {
  name: string;
  description?: string;
  parametersJsonSchema?: unknown;
}

export type GeminiFunctionCallingMode = 'AUTO' | 'ANY' | 'NONE';

export interface GeminiGenerationConfig {
  temperature?: number;
  topP?: number;
  maxOutputTokens?: number;
  stopSequences?: string[];
  seed?: number;
  candidateCount?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  responseMimeType?: string;
  responseJsonSchema?: unknown;
}

export interface GeminiRequestBody {
  contents: GeminiContent[];
  systemInstruction?: { parts: { text: string }[] };
  tools?: { functionDeclarations: GeminiFunctionDeclaration[] }[];
  toolConfig?: { functionCallingConfig: { mode: GeminiFunctionCallingMode; allowedFunctionNames?: string[] } };
  generationConfig?: GeminiGenerationConfig;
}

export interface GeminiUsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
  toolUsePromptTokenCount?: number;
  totalTokenCount?: number;
}

export interface GeminiCandidate {
  index?: number;
  content?: GeminiContent;
  finishReason?: string;
}

export interface GeminiResponse {
  candidates?: GeminiCandidate[];
  promptFeedback?: { blockReason?: string };
  usageMetadata?: GeminiUsageMetadata;
  modelVersion?: string;
  responseId?: string;
}

export interface GeminiErrorBody {
  error: { code?: number; message?: string; status?: string; details?: unknown[] };
}

/** Gemini sometimes wraps an error body in a one-element array. */
export function unwrapError(body: unknown): GeminiErrorBody['error'] | undefined {
  const b = Array.isArray(body) ? (body[0] as unknown) : body;
  if (!isRecord(b) || !isRecord(b.error)) return undefined;
  return b.error as GeminiErrorBody['error'];
}

/**
 * Path prefix for a model: plain ids live under `models/`, tuned models carry their own collection
 * (`tunedModels/x`). Each segment is percent-encoded, and a `.` or `..` segment refused, so a model
 * id can never reach another path on the provider's host (ingress refuses such ids first).
 */
export function modelPath(id: string): string {
  const segments = id.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new GatewayError('invalid_request', `model id ${JSON.stringify(id)} is not a valid Gemini model path`, { param: 'model' });
  }
  const path = segments.map(encodeURIComponent).join('/');
  return segments.length > 1 ? path : `models/${path}`;
}

export function apiUrl(baseUrl: string, modelId: string, method: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/v1beta/${modelPath(modelId)}:${method}`;
}
