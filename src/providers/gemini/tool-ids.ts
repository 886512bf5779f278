/**
 * Gemini's thinking models attach an opaque `thoughtSignature` to the first functionCall part of a
 * turn and reject (HTTP 400) a later request whose history replays that call without it. OpenAI's
 * tool_call has no field for it, and the only thing every client reliably echoes back unchanged
 * is the tool call id — so the signature travels inside the id, after a separator that neither
 * our generated ids nor Gemini's call ids contain.
 */
const SEPARATOR = '__gsig__';

/**
 * Gemini documents this value for history it did not sign (calls made by another model or
 * written by the client): it skips signature validation instead of failing the request.
 */
export const UNSIGNED_SIGNATURE = 'skip_thought_signature_validator';

export function encodeToolCallId(baseId: string, signature: string | undefined): string {
  return signature ? `${baseId}${SEPARATOR}${signature}` : baseId;
}

export function decodeToolCallId(id: string): { baseId: string; signature?: string } {
  const at = id.indexOf(SEPARATOR);
  if (at < 0) return { baseId: id };
  const signature = id.slice(at + SEPARATOR.length);
  return signature ? { baseId: id.slice(0, at), signature } : { baseId: id.slice(0, at) };
}

/**
 * Ids for calls Gemini returned without one. Unique per response (the request id) so a client that
 * keys tool results by id across a whole conversation never sees two calls share one.
 */
export function generatedToolCallId(requestId: string, n: number): string {
  const tail = requestId.replace(/[^A-Za-z0-9]/g, '').slice(-12);
  return tail ? `call_${tail}_${n}` : `call_${n}`;
}
