import type { ChatRequest, FinishReason, JsonObject } from '../../api/chat.js';

/**
 * OpenAI `response_format` json_object / json_schema on wire formats without a JSON mode that
 * every model accepts (Anthropic Messages, Bedrock Converse).
 *
 * Switchyard declares one extra tool whose input schema is the requested schema and makes the
 * model call it. The tool's input is handed back to the client as the message content text, and
 * the finish reason becomes "stop", so the client sees an ordinary JSON answer and never the
 * synthetic tool.
 *
 * Tool inputs must be JSON objects: a schema whose root is not an object (an array, a string...)
 * is wrapped as {"value": <schema>} and unwrapped again on the way back.
 *
 * This module is the part every wire format shares; each adapter's `json-mode.ts` turns the plan
 * into its own tool declaration.
 */
export interface JsonToolPlan {
  toolName: string;
  description: string;
  /** Always an object schema. */
  schema: JsonObject;
  /** True when the schema root was not an object and the answer lives under `value`. */
  wrapped: boolean;
}

const PREFERRED_NAME = 'json';
const FALLBACK_NAME = 'switchyard_json_response';
const DEFAULT_DESCRIPTION = 'Respond with a JSON object. Call this tool exactly once with the whole answer as its input.';

/** Pure function of the request, so request building and response decoding derive the same plan. */
export function jsonToolPlan(req: ChatRequest): JsonToolPlan | undefined {
  const rf = req.response_format;
  if (!rf || (rf.type !== 'json_object' && rf.type !== 'json_schema')) return undefined;
  // A client tool already called "json" keeps its name; the synthetic one steps aside.
  const taken = (req.tools ?? []).some((t) => t.function.name === PREFERRED_NAME);
  const toolName = taken ? FALLBACK_NAME : PREFERRED_NAME;
  let schema: JsonObject = { type: 'object' };
  let description = DEFAULT_DESCRIPTION;
  let wrapped = false;
  if (rf.type === 'json_schema') {
    const requested = rf.json_schema.schema;
    if (rf.json_schema.description) description = rf.json_schema.description;
    if (requested && requested.type === 'object') schema = requested;
    else if (requested) {
      schema = { type: 'object', properties: { value: requested }, required: ['value'] };
      wrapped = true;
    }
  }
  return { toolName, description, schema, wrapped };
}

/** True when a tool call named `name` is the synthetic JSON tool rather than one of the client's. */
export function isJsonToolCall(plan: JsonToolPlan | undefined, name: string): plan is JsonToolPlan {
  return plan !== undefined && name === plan.toolName;
}

/** The forced tool's input as the text the client asked for. */
export function jsonToolText(plan: JsonToolPlan, input: unknown): string {
  if (plan.wrapped && input !== null && typeof input === 'object' && 'value' in input) {
    return JSON.stringify((input as { value: unknown }).value);
  }
  return JSON.stringify(input ?? {});
}

/**
 * A wrapped answer streamed as partial JSON can only be unwrapped once whole. Input that does not
 * parse (the model was cut short) is handed over as written rather than dropped.
 */
export function jsonToolTextFromBuffer(plan: JsonToolPlan, buffer: string): string {
  let input: unknown;
  try {
    input = JSON.parse(buffer);
  } catch {
    return buffer;
  }
  return jsonToolText(plan, input);
}

/**
 * The model "called a tool" only to answer in JSON: when it called none of the client's tools,
 * the client sees an ordinary stop.
 */
export function finishAfterJsonTool<F extends FinishReason | null>(finish: F, answeredByJsonTool: boolean, clientToolCalls: number): F | 'stop' {
  return finish === 'tool_calls' && answeredByJsonTool && clientToolCalls === 0 ? 'stop' : finish;
}
