import type { ChatRequest } from '../../api/chat.js';
import { type JsonToolPlan, jsonToolPlan } from '../shared/json-tool.js';
import type { ConverseToolSpec, JsonValue } from './wire.js';

/**
 * OpenAI `response_format` json_object / json_schema on Bedrock, as a forced tool call (see
 * ../shared/json-tool.ts). Converse has no JSON mode that every model accepts; the request steers
 * the model into the tool with toolChoice `tool`, or `any` when the client's own tools are also
 * on offer.
 */
export interface JsonModePlan extends JsonToolPlan {
  tool: ConverseToolSpec;
}

export function jsonModePlan(req: ChatRequest): JsonModePlan | undefined {
  const plan = jsonToolPlan(req);
  return plan && { ...plan, tool: { toolSpec: { name: plan.toolName, description: plan.description, inputSchema: { json: plan.schema as JsonValue } } } };
}
