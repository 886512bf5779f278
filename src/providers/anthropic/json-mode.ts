import type { AnthropicTool } from '../../api/anthropic.js';
import type { ChatRequest } from '../../api/chat.js';
import { type JsonToolPlan, jsonToolPlan } from '../shared/json-tool.js';

/**
 * OpenAI `response_format` json_object / json_schema on Anthropic, as a forced tool call (see
 * ../shared/json-tool.ts). The 2023-06-01 Messages API has no JSON mode that every model accepts.
 */
export interface JsonModePlan extends JsonToolPlan {
  tool: AnthropicTool;
}

export function jsonModePlan(req: ChatRequest): JsonModePlan | undefined {
  const plan = jsonToolPlan(req);
  return plan && { ...plan, tool: { name: plan.toolName, description: plan.description, input_schema: plan.schema } };
}
