import type { ChatRequest, JsonObject } from '../../api/chat.js';
import type { ConverseToolSpec, JsonValue } from './wire.js';

/**
 * OpenAI `response_format` json_object / json_schema on Bedrock.
 *
 * Converse has no JSON mode that every model accepts, so Switchyard declares one extra tool whose
 * input schema is the requested schema and steers the model into calling it (toolChoice `tool`,
 * or `any` when the client's own tools are also on offer). The tool's input is handed back to the
 * client as the message content text, with finish reason "stop", so the client sees an ordinary
 * JSON answer and never the synthetic tool.
 *
 * Tool inputs must be JSON objects: a schema whose root is not an object is wrapped as
 * {"value": <schema>} and unwrapped on the way back.
 */
export interface JsonModePlan {
  toolName: string;
  tool: ConverseToolSpec;
  /** True when the schema root was not an object and the answer lives under `value`. */
  wrapped: boolean;
}

const PREFERRED_NAME = 'json';
const FALLBACK_NAME = 'switchyard_json_response';

/** Pure function of the request, so request building and response decoding derive the same plan. */
export function jsonModePlan(req: ChatRequest): JsonModePlan | undefined {
  const rf = req.response_format;
  if (!rf || (rf.type !== 'json_object' && rf.type !== 'json_schema')) return undefined;
  // A client tool already called "json" keeps its name; the synthetic one steps aside.
  const taken = (req.tools ?? []).some((t) => t.function.name === PREFERRED_NAME);
  const toolName = taken ? FALLBACK_NAME : PREFERRED_NAME;
  let schema: JsonObject = { type: 'object' };
  let description = 'Respond with a JSON object. Call this tool exactly once with the whole answer as its input.';
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
  return { toolName, wrapped, tool: { toolSpec: { name: toolName, description, inputSchema: { json: schema as JsonValue } } } };
}

/** The forced tool's input as the text the client asked for. */
export function jsonModeText(plan: JsonModePlan, input: unknown): string {
  if (plan.wrapped && input !== null && typeof input === 'object' && 'value' in input) {
    return JSON.stringify((input as { value: unknown }).value);
  }
  return JSON.stringify(input ?? {});
}
