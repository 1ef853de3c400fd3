/**
 * A model provider for any server speaking OpenAI's chat-completions protocol (OpenAI,
 * vLLM, Ollama, LiteLLM, …): one non-streaming `POST {baseUrl}/chat/completions` per call.
 * https://platform.openai.com/docs/api-reference/chat/create
 */
import { z } from "zod";
import {
  type Completion,
  type CompletionOptions,
  type CompletionRequest,
  type ModelProvider,
  ProviderError,
  ProviderRateLimited,
  ProviderUnavailable,
  estimatePromptTokens,
  estimateRequestTokens,
  estimateTextTokens,
  parseRetryAfter,
} from "./provider";

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export type OpenAIProviderOptions = {
  /** The API's base URL, e.g. `https://api.openai.com/v1` (a trailing slash is fine). */
  baseUrl: string;
  apiKey: string;
  /** The model used when a request names none. */
  model: string;
  /** Defaults to "openai". */
  id?: string;
  /** A call that has not been answered in full by then fails as ProviderUnavailable. Default 120 s. */
  timeoutMs?: number;
  /** Defaults to the global fetch; unit tests pass a stub. */
  fetch?: FetchLike;
};

const completionBody = z.object({
  model: z.string(),
  choices: z
    .array(
      z.object({
        // null when the model answered with tool calls or a refusal instead of text.
        message: z.object({ content: z.string().nullish() }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: z
    .object({
      prompt_tokens: z.number().int().nonnegative(),
      completion_tokens: z.number().int().nonnegative(),
      total_tokens: z.number().int().nonnegative(),
    })
    .nullish(),
});

/** OpenAI's `{error:{message}}`, plus the shapes some compatible servers use instead. */
const errorBody = z.union([
  z.object({ error: z.object({ message: z.string().min(1) }) }),
  z.object({ error: z.string().min(1) }),
  z.object({ message: z.string().min(1) }),
]);

/** Error messages are cut here: a proxy's error page must not flood logs and audit entries. */
const MAX_MESSAGE_LENGTH = 500;

export class OpenAIProvider implements ModelProvider {
  readonly id: string;
  readonly model: string;
  readonly #url: string;
  readonly #origin: string;
  /** A private field, so the key never shows up when the provider is logged or serialized. */
  readonly #apiKey: string;
  readonly #timeoutMs: number;
  readonly #fetch: FetchLike;

  constructor(options: OpenAIProviderOptions) {
    this.id = options.id ?? "openai";
    this.model = options.model;
    const base = options.baseUrl.replace(/\/+$/, "");
    this.#url = `${base}/chat/completions`;
    this.#origin = new URL(base).origin;
    this.#apiKey = options.apiKey;
    this.#timeoutMs = options.timeoutMs ?? 120_000;
    this.#fetch = options.fetch ?? ((url, init) => fetch(url, init));
  }

  estimateTokens(request: CompletionRequest): number {
    return estimateRequestTokens(request);
  }

  async complete(request: CompletionRequest, { signal }: CompletionOptions = {}): Promise<Completion> {
    signal?.throwIfAborted();
    // One controller for the caller's signal and the time limit. (AbortSignal.any would do, but on
    // Node 20 it keeps every combined signal alive for as long as a long-lived caller signal lives.)
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(() => controller.abort(), this.#timeoutMs);
    try {
      let response: Response;
      let text: string;
      try {
        response = await this.#fetch(this.#url, {
          method: "POST",
          headers: {
            authorization: `Bearer ${this.#apiKey}`,
            "content-type": "application/json",
            accept: "application/json",
          },
          body: JSON.stringify({
            model: request.model ?? this.model,
            messages: request.messages,
            max_tokens: request.maxTokens,
            temperature: request.temperature,
          }),
          signal: controller.signal,
        });
        text = await response.text();
      } catch (error) {
        throw this.#unreachable(error, signal, controller.signal);
      }
      if (!response.ok) throw this.#refusal(response, text);
      return this.#completion(request, text);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** The request got no full answer: the caller gave up, the time limit passed, or the network failed. */
  #unreachable(error: unknown, callerSignal: AbortSignal | undefined, signal: AbortSignal): unknown {
    if (callerSignal?.aborted) return callerSignal.reason;
    if (signal.aborted)
      return new ProviderUnavailable(`${this.#origin} did not answer within ${this.#timeoutMs} ms`, null, {
        cause: error,
      });
    // fetch reports network failures as TypeError("fetch failed") with the system error as its cause.
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const code =
      cause instanceof Error && "code" in cause && typeof cause.code === "string" ? cause.code : null;
    const detail = code ?? (cause instanceof Error ? cause.message : String(cause));
    return new ProviderUnavailable(this.#redact(`Could not reach ${this.#origin}: ${detail}`), null, {
      cause: error,
    });
  }

  /** A non-2xx answer, sorted by whether sending the request again can help. */
  #refusal(response: Response, text: string): Error {
    const status = response.status;
    const said = this.#errorMessage(text) ?? `HTTP ${status} ${response.statusText}`.trim();
    const message = this.#redact(`${this.#origin} answered ${status}: ${said}`);
    if (status === 429) return new ProviderRateLimited(message, parseRetryAfter(response.headers));
    // The statuses OpenAI's own SDK retries (openai-node `shouldRetry`): request timeout, lock
    // conflict, and every server error.
    if (status === 408 || status === 409 || status >= 500) return new ProviderUnavailable(message, status);
    return new ProviderError(message, status);
  }

  #errorMessage(text: string): string | null {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return null;
    }
    const parsed = errorBody.safeParse(json);
    if (!parsed.success) return null;
    const body = parsed.data;
    const message =
      "message" in body ? body.message : typeof body.error === "string" ? body.error : body.error.message;
    return message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH)}…` : message;
  }

  #completion(request: CompletionRequest, text: string): Completion {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = completionBody.safeParse(json);
    if (!parsed.success)
      // Not retryable: a server that answers 200 with something else (a web page behind a wrong base
      // URL, a different API) will answer the same way next time.
      throw new ProviderError(
        `${this.#origin} answered with something that is not a chat completion (is the base URL the API's, e.g. ending in /v1?): ${z.prettifyError(parsed.error).replace(/\n/g, "; ")}`,
        200,
      );
    const { model, choices, usage } = parsed.data;
    const [choice] = choices;
    const content = choice?.message.content ?? "";
    // Some compatible servers omit usage; then it is estimated the way the scheduler estimated it.
    const promptTokens = usage?.prompt_tokens ?? estimatePromptTokens(request.messages);
    const completionTokens = usage?.completion_tokens ?? estimateTextTokens(content);
    return {
      text: content,
      model,
      finishReason: choice?.finish_reason ?? "unknown",
      usage: {
        promptTokens,
        completionTokens,
        totalTokens: usage?.total_tokens ?? promptTokens + completionTokens,
      },
    };
  }

  /** Servers sometimes echo what they were sent; the key must never reach an error message or log. */
  #redact(message: string): string {
    return message.split(this.#apiKey).join("[redacted]");
  }
}
