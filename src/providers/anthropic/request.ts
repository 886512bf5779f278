import type { AnthropicRequestBody, AnthropicTool, AnthropicToolChoice } from '../../api/anthropic.js';
import type { ChatRequest, FunctionTool, ToolChoice } from '../../api/chat.js';
import type { Target } from '../../config/types.js';
import { GatewayError } from '../../core/errors.js';
import { jsonModePlan } from './json-mode.js';
import { convertMessages } from './messages.js';

/** Anthropic requires max_tokens; this is the last resort when neither request nor model says. */
export const DEFAULT_MAX_TOKENS = 4096;

/** OpenAI chat request → Anthropic Messages request body. Throws GatewayError on what Anthropic cannot express. */
export function buildMessagesBody(req: ChatRequest, target: Target, stream: boolean): AnthropicRequestBody {
  if (req.n != null && req.n > 1) {
    throw new GatewayError('capability_unsupported', 'Anthropic returns one choice per request; n must be 1.', { param: 'n' });
  }
  const { system, messages } = convertMessages(req.messages);
  const body: AnthropicRequestBody = {
    model: target.model.id,
    max_tokens: req.max_completion_tokens ?? req.max_tokens ?? target.model.maxOutputTokens ?? DEFAULT_MAX_TOKENS,
    messages,
  };
  if (system !== undefined) body.system = system;

  applyTools(body, req);

  if (req.stop != null) {
    const stops = (typeof req.stop === 'string' ? [req.stop] : req.stop).filter((s) => s !== '');
    if (stops.length > 0) body.stop_sequences = stops;
  }
  // OpenAI allows temperature up to 2, Anthropic up to 1: clamp rather than fail the request.
  if (req.temperature != null) body.temperature = Math.min(1, Math.max(0, req.temperature));
  if (req.top_p != null) body.top_p = req.top_p;
  if (req.user) body.metadata = { user_id: req.user };
  if (stream) body.stream = true;
  return body;
}

function applyTools(body: AnthropicRequestBody, req: ChatRequest): void {
  const tools: AnthropicTool[] = (req.tools ?? []).map(toAnthropicTool);
  const noParallel = req.parallel_tool_calls === false;
  const plan = jsonModePlan(req);
  let choice: AnthropicToolChoice | undefined;

  if (plan) {
    const clientMayCallTools = tools.length > 0 && req.tool_choice !== 'none';
    if (!clientMayCallTools) choice = { type: 'tool', name: plan.toolName, disable_parallel_tool_use: true };
    else if (typeof req.tool_choice === 'object') choice = mapToolChoice(req.tool_choice, noParallel);
    // With client tools in play the model must either call one of them or answer through the
    // JSON tool, so "auto" becomes "any".
    else choice = { type: 'any', ...(noParallel ? { disable_parallel_tool_use: true } : {}) };
    // Client tools stay declared even when they cannot be called: history may hold tool_use blocks.
    tools.push(plan.tool);
  } else if (tools.length > 0) {
    if (req.tool_choice !== undefined) choice = mapToolChoice(req.tool_choice, noParallel);
    else if (noParallel) choice = { type: 'auto', disable_parallel_tool_use: true };
  }

  if (tools.length > 0) body.tools = tools;
  if (choice && tools.length > 0) body.tool_choice = choice;
}

function toAnthropicTool(tool: FunctionTool): AnthropicTool {
  const { name, description, parameters } = tool.function;
  // Anthropic insists on an object schema; a tool without parameters takes an empty object.
  const input_schema = parameters ? { type: 'object', ...parameters } : { type: 'object', properties: {} };
  return description ? { name, description, input_schema } : { name, input_schema };
}

function mapToolChoice(choice: ToolChoice, noParallel: boolean): AnthropicToolChoice {
  if (choice === 'none') return { type: 'none' };
  const extra = noParallel ? { disable_parallel_tool_use: true } : {};
  if (choice === 'auto') return { type: 'auto', ...extra };
  if (choice === 'required') return { type: 'any', ...extra };
  return { type: 'tool', name: choice.function.name, ...extra };
}
