import { createHash } from 'node:crypto';

export const DEFAULT_DIMENSIONS = 8;
const MAX_DIMENSIONS = 4096;

/**
 * A unit vector derived from a hash of the input: the same text always embeds the same way,
 * different texts almost surely differ, so caches and similarity tests have something real to chew on.
 */
export function embed(input: string, dimensions: number = DEFAULT_DIMENSIONS): number[] {
  const dims = Math.min(MAX_DIMENSIONS, Math.max(1, Math.floor(dimensions)));
  const values: number[] = [];
  for (let block = 0; values.length < dims; block++) {
    const digest = createHash('sha256').update(`${block}:${input}`).digest();
    for (let i = 0; i + 4 <= digest.length && values.length < dims; i += 4) {
      values.push(digest.readUInt32LE(i) / 0xffffffff - 0.5);
    }
  }
  const norm = Math.sqrt(values.reduce((s, v) => s + v * v, 0)) || 1;
  return values.map((v) => Math.round((v / norm) * 1e6) / 1e6);
}

/** OpenAI's encoding_format "base64": little-endian float32 bytes. */
export function toBase64(vector: readonly number[]): string {
  const buf = Buffer.alloc(vector.length * 4);
  vector.forEach((v, i) => {
    buf.writeFloatLE(v, i * 4);
  });
  return buf.toString('base64');
}
