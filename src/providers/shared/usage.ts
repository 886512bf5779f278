import { type Usage, usageOf } from '../../api/chat.js';

/** A usage counter as a number: missing, null or non-finite counters count as 0. */
export function tokenCount(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/**
 * Usage for wire formats that count cached prompt tokens apart from the uncached input
 * (Anthropic, Bedrock). OpenAI's prompt_tokens includes cached input, and both cache reads and
 * cache writes are input the prompt consisted of, so both are added back; the read share is
 * reported as cached_tokens, the write share as cache_write_tokens.
 *
 * `cacheRead` / `cacheWrite` are undefined when the provider did not report them;
 * prompt_tokens_details appears when either was reported.
 */
export function usageWithCache(input: number, output: number, cacheRead: number | undefined, cacheWrite: number | undefined): Usage {
  const read = cacheRead ?? 0;
  const reported = cacheRead !== undefined || cacheWrite !== undefined;
  const usage = usageOf(input + read + (cacheWrite ?? 0), output, reported ? read : undefined);
  if (cacheWrite !== undefined && usage.prompt_tokens_details) usage.prompt_tokens_details.cache_write_tokens = cacheWrite;
  return usage;
}
