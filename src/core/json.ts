/** A JSON object (not null, not an array). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON text → its value; undefined when the text is not JSON (JSON.parse never yields undefined). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * OpenAI tool-call `arguments` → value. The arguments are a string the model wrote: empty means
 * "no arguments" ({}); undefined when it is not JSON (e.g. cut short by finish_reason "length").
 * What to do with a non-object or non-JSON value is each wire format's own policy.
 */
export function parseToolArguments(args: string): unknown {
  return args.trim() === '' ? {} : parseJson(args);
}
