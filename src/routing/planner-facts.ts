/**
 * What planning learns about a request that costs work to learn (its classification, its prompt
 * tokens): each part is worked out at most once per plan, and only when something reads it.
 */
import type { ChatRequest } from '../api/chat.js';
import { type Classification, classify } from './classify.js';
import type { RouteDecision } from './planner-types.js';
import { countPromptTokens, isTokenizerLoaded, promptTokenUpperBound } from './tokens.js';

export class RequestFacts {
  /** Set once something has read it. */
  classification: Classification | undefined;
  upper: number | undefined;
  counted: number | undefined;

  constructor(readonly request: ChatRequest) {}

  classified(): Classification {
    this.classification ??= classify(this.request);
    return this.classification;
  }

  /** A cheap upper bound on the prompt tokens (UTF-8 bytes plus allowances). */
  upperBound(): number {
    this.upper ??= promptTokenUpperBound(this.request);
    return this.upper;
  }

  /** Prompt tokens counted with the tokenizer: only when a decision hinges on them. */
  promptTokens(): number {
    this.counted ??= countPromptTokens(this.request);
    return this.counted;
  }

  /**
   * Prompt tokens for ranking by cost, which needs proportions, not exact counts: a quarter of the
   * byte bound is close for prose and costs nothing.
   */
  approxTokens(): number {
    return Math.ceil(this.upperBound() / 4);
  }

  /** The prompt tokens as far as planning needed to know them, for the decision. */
  report(): RouteDecision['promptTokens'] {
    if (this.counted !== undefined) return { value: this.counted, how: isTokenizerLoaded() ? 'tokenizer' : 'estimate' };
    if (this.upper !== undefined) return { value: this.upper, how: 'upper_bound' };
    return undefined;
  }
}
