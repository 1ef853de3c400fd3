/**
 * What the kernel's scheduler needs from a language model: one call (`complete`), an estimate of what
 * that call will cost before it is made (`estimateTokens`, debited from tokens-per-minute budgets),
 * and failures sorted into the three kinds the scheduler acts on differently (see the error classes).
 */

export type ChatRole = "system" | "user" | "assistant" | "tool";

export type ChatMessage = { role: ChatRole; content: string };

export type CompletionRequest = {
  /** Overrides the provider's configured model for this call. */
  model?: string;
  messages: ChatMessage[];
  /** The most completion tokens the model may produce; also what a provider reserves against its limit. */
  maxTokens: number;
  temperature?: number;
};

export type Completion = {
  text: string;
  /** The model that answered, as the provider names it. */
  model: string;
  /** As the provider reports it: "stop", "length" (maxTokens reached), "content_filter", … */
  finishReason: string;
  usage: { promptTokens: number; completionTokens: number; totalTokens: number };
};

export type CompletionOptions = {
  /** Aborting rejects the call with the signal's reason (not a provider error), as fetch does. */
  signal?: AbortSignal;
};

export interface ModelProvider {
  /** Which provider this is ("openai", "local"); the scheduler keys its rate-limit budgets by it. */
  readonly id: string;
  /** The model used when a request names none. */
  readonly model: string;
  /**
   * Rejects with ProviderRateLimited, ProviderUnavailable or ProviderError when the provider fails,
   * and with the signal's reason when aborted.
   */
  complete(request: CompletionRequest, options: CompletionOptions): Promise<Completion>;
  /** Prompt tokens (estimated, on the high side) plus `maxTokens`: what the call can cost at most. */
  estimateTokens(request: CompletionRequest): number;
}

/**
 * Tokens added by the chat format around each message (role and separators). OpenAI's cookbook counts
 * 3 for its current models and 4 for older ones; the higher figure keeps the estimate conservative.
 */
export const MESSAGE_OVERHEAD_TOKENS = 4;
/** Tokens that prime the assistant's reply, counted once per request (OpenAI's cookbook: 3). */
export const REPLY_PRIMING_TOKENS = 3;

/**
 * Tokens in a text, estimated without a tokenizer: four ASCII characters per token (the usual figure
 * for English with BPE tokenizers), and one token for every other UTF-16 unit, because CJK text and
 * emoji run close to one token per character or more, where chars/4 would undercount badly.
 */
export function estimateTextTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) < 128) ascii++;
    else other++;
  }
  return Math.ceil(ascii / 4) + other;
}

/** The prompt's tokens as a provider would count them: each message's content plus the format's overhead. */
export function estimatePromptTokens(messages: readonly Pick<ChatMessage, "content">[]): number {
  let tokens = REPLY_PRIMING_TOKENS;
  for (const message of messages) tokens += MESSAGE_OVERHEAD_TOKENS + estimateTextTokens(message.content);
  return tokens;
}

/**
 * The most a request can cost: its prompt plus every completion token it allows. Providers reserve
 * `max_tokens` against a tokens-per-minute limit when the request arrives (OpenAI's rate-limit guide),
 * so this is the figure the scheduler must debit before the call, not the usage reported after it.
 */
export function estimateRequestTokens(request: CompletionRequest): number {
  return estimatePromptTokens(request.messages) + request.maxTokens;
}

/**
 * Why a model call failed, in the terms the scheduler acts on. The three kinds are siblings, not a
 * hierarchy, so `instanceof ProviderError` means "do not retry" and nothing else.
 */
export abstract class ProviderFailure extends Error {
  /** Whether the same request may succeed if sent again later. */
  abstract readonly retryable: boolean;

  constructor(
    message: string,
    /** The HTTP status the provider answered with; null when there was no answer. */
    readonly status: number | null,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/** HTTP 429: the provider's rate limit or capacity was reached; retry after `retryAfterMs` when known. */
export class ProviderRateLimited extends ProviderFailure {
  override readonly name = "ProviderRateLimited";
  override readonly retryable = true;

  constructor(
    message: string,
    /** From `retry-after-ms`, else `Retry-After` (seconds or an HTTP-date); null when it said neither. */
    readonly retryAfterMs: number | null,
    options: { status?: number; cause?: unknown } = {},
  ) {
    super(message, options.status ?? 429, { cause: options.cause });
  }
}

/** The provider could not answer (5xx, 408/409, connection refused or reset, timeout): retryable. */
export class ProviderUnavailable extends ProviderFailure {
  override readonly name = "ProviderUnavailable";
  override readonly retryable = true;
}

/** The provider refused the request itself (400, 401, 403, 404, …): sending it again will not help. */
export class ProviderError extends ProviderFailure {
  override readonly name = "ProviderError";
  override readonly retryable = false;
}

type HeaderSource = { get(name: string): string | null };

/**
 * How long a 429 or 503 asks the client to wait, in milliseconds, or null when it does not say.
 * `retry-after-ms` (OpenAI and Azure OpenAI send it, possibly fractional) wins over `Retry-After`,
 * which is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3); a date in the past means now.
 */
export function parseRetryAfter(headers: HeaderSource, now: number = Date.now()): number | null {
  const ms = headers.get("retry-after-ms")?.trim();
  if (ms && /^\d+(?:\.\d+)?$/.test(ms)) return Number(ms);

  const value = headers.get("retry-after")?.trim();
  if (!value) return null;
  // RFC 9110 allows only whole seconds; some servers send fractions, which cost nothing to accept.
  if (/^\d+(?:\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  // Anything else must be a date. Only text with a letter in it is tried: Date.parse reads "12-1" or
  // a lone negative number as a date, which no server means.
  if (!/[a-z]/i.test(value)) return null;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}
