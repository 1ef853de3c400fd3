/**
 * The provider's reading of answers, with fetch stubbed (no I/O); the same paths over real HTTP, against
 * the mock server, are in openai.integration.test.ts.
 */
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { type FetchLike, OpenAIProvider } from "./openai";
import {
  estimatePromptTokens,
  ProviderError,
  ProviderRateLimited,
  ProviderUnavailable,
  type CompletionRequest,
} from "./provider";

const KEY = "sk-test-0123456789abcdef";
const request: CompletionRequest = { messages: [{ role: "user", content: "Hello there" }], maxTokens: 50 };

function stub(status: number, body: string, headers: Record<string, string> = {}) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch: FetchLike = (url, init) => {
    calls.push({ url, init });
    return Promise.resolve(new Response(body, { status, headers }));
  };
  const provider = new OpenAIProvider({
    baseUrl: "https://llm.example.com/v1/",
    apiKey: KEY,
    model: "m-1",
    fetch,
  });
  return { provider, calls };
}

const completion = (extra: object = {}) =>
  JSON.stringify({
    id: "c1",
    object: "chat.completion",
    model: "m-1-2025",
    choices: [{ index: 0, message: { role: "assistant", content: "Hi!" }, finish_reason: "stop" }],
    usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 },
    ...extra,
  });

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

describe("OpenAIProvider", () => {
  it("sends one chat-completions request and reads text, model and usage from the answer", async () => {
    const { provider, calls } = stub(200, completion());
    const result = await provider.complete({ ...request, temperature: 0.2 }, {});
    expect(result).toEqual({
      text: "Hi!",
      model: "m-1-2025",
      finishReason: "stop",
      usage: { promptTokens: 9, completionTokens: 2, totalTokens: 11 },
    });
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.url).toBe("https://llm.example.com/v1/chat/completions");
    expect(call?.init.method).toBe("POST");
    expect(new Headers(call?.init.headers).get("authorization")).toBe(`Bearer ${KEY}`);
    const body = call?.init.body;
    expect(typeof body === "string" ? JSON.parse(body) : body).toEqual({
      model: "m-1",
      messages: request.messages,
      max_tokens: 50,
      temperature: 0.2,
    });
  });

  it("estimates usage when a compatible server leaves it out, and reads a null content as empty", async () => {
    const { provider } = stub(
      200,
      completion({
        usage: undefined,
        choices: [{ index: 0, message: { role: "assistant", content: null }, finish_reason: "tool_calls" }],
      }),
    );
    const result = await provider.complete(request, {});
    expect(result.text).toBe("");
    expect(result.finishReason).toBe("tool_calls");
    expect(result.usage.promptTokens).toBe(estimatePromptTokens(request.messages));
    expect(result.usage.completionTokens).toBe(0);
  });

  it("refuses a 200 that is not a chat completion, as not retryable", async () => {
    const error = await failure(stub(200, "<html>Welcome</html>").provider.complete(request, {}));
    expect(error).toBeInstanceOf(ProviderError);
    expect(String(error)).toMatch(/not a chat completion/);
  });

  it.each([
    [400, ProviderError],
    [401, ProviderError],
    [403, ProviderError],
    [404, ProviderError],
    [408, ProviderUnavailable],
    [409, ProviderUnavailable],
    [500, ProviderUnavailable],
    [503, ProviderUnavailable],
    [429, ProviderRateLimited],
  ])("sorts HTTP %i by whether a retry can help", async (status, kind) => {
    const body = JSON.stringify({
      error: { message: `status ${status}`, type: "x", param: null, code: null },
    });
    const error = await failure(stub(status, body, { "retry-after": "2" }).provider.complete(request, {}));
    expect(error).toBeInstanceOf(kind);
    expect(error).toMatchObject({
      status,
      message: `https://llm.example.com answered ${status}: status ${status}`,
    });
    if (error instanceof ProviderRateLimited) expect(error.retryAfterMs).toBe(2000);
  });

  it("never puts the key in an error, even when the server echoes it", async () => {
    const body = JSON.stringify({ error: { message: `Incorrect API key provided: ${KEY}.` } });
    const error = await failure(stub(401, body).provider.complete(request, {}));
    expect(error).toBeInstanceOf(ProviderError);
    expect(String(error)).toContain("Incorrect API key provided: [redacted].");
    expect(String(error)).not.toContain(KEY);
    expect(inspect(stub(200, "").provider, { depth: 5 })).not.toContain(KEY);
    expect(JSON.stringify(stub(200, "").provider)).not.toContain(KEY);
  });

  it("reads other servers' error shapes, and falls back to the status line", async () => {
    const vllm = JSON.stringify({ object: "error", message: "model not found", type: "NotFoundError" });
    expect(String(await failure(stub(404, vllm).provider.complete(request, {})))).toContain(
      "answered 404: model not found",
    );
    expect(
      String(await failure(stub(502, "<html>Bad Gateway</html>").provider.complete(request, {}))),
    ).toContain("answered 502: HTTP 502");
    const long = JSON.stringify({ error: "x".repeat(5000) });
    const message = String(await failure(stub(400, long).provider.complete(request, {})));
    expect(message.length).toBeLessThan(700);
  });

  it("reports a network failure as unavailable, naming the cause", async () => {
    const fetch: FetchLike = () =>
      Promise.reject(
        new TypeError("fetch failed", { cause: Object.assign(new Error("connect"), { code: "ECONNRESET" }) }),
      );
    const provider = new OpenAIProvider({
      baseUrl: "https://llm.example.com/v1",
      apiKey: KEY,
      model: "m",
      fetch,
    });
    const error = await failure(provider.complete(request, {}));
    expect(error).toBeInstanceOf(ProviderUnavailable);
    expect(error).toMatchObject({
      status: null,
      message: "Could not reach https://llm.example.com: ECONNRESET",
    });
  });
});
