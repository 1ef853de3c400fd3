/** The OpenAI provider over real HTTP, against the mock OpenAI server (./mock-openai-server.ts). */
import { inspect } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eventually } from "@/server/testing/eventually";
import { startMockOpenAI, type MockOpenAI } from "./mock-openai-server";
import { OpenAIProvider } from "./openai";
import {
  estimatePromptTokens,
  ProviderError,
  ProviderRateLimited,
  ProviderUnavailable,
  type CompletionRequest,
} from "./provider";

const KEY = "sk-mock-4f1c2a9e7b3d";
const request: CompletionRequest = {
  messages: [
    { role: "system", content: "You book rooms." },
    { role: "user", content: "Book room r-401 for Tuesday at 10:00." },
  ],
  maxTokens: 40,
};

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

describe("OpenAIProvider against the mock server", () => {
  let server: MockOpenAI;
  const provider = (options: { apiKey?: string; baseUrl?: string; timeoutMs?: number } = {}) =>
    new OpenAIProvider({ baseUrl: server.url, apiKey: KEY, model: "gpt-4o-mini", ...options });

  beforeAll(async () => {
    server = await startMockOpenAI({ apiKey: KEY, latencyPerTokenMs: 0.05, baseLatencyMs: 1, capacity: 8 });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.release();
    server.resetStats();
  });

  it("completes, with usage from the response, deterministically", async () => {
    const result = await provider().complete(request, {});
    expect(result.model).toBe("gpt-4o-mini");
    expect(result.finishReason).toBe("length");
    expect(result.usage).toEqual({
      promptTokens: estimatePromptTokens(request.messages),
      completionTokens: 40,
      totalTokens: estimatePromptTokens(request.messages) + 40,
    });
    expect(result.text).toHaveLength(160);
    // The scheduler's estimate is exactly what the server counted against its token limit.
    expect(provider().estimateTokens(request)).toBe(server.stats().log[0]?.reservedTokens);
    expect(await provider().complete(request, {})).toEqual(result);
    expect((await provider().complete({ ...request, model: "tenet-mock-1" }, {})).model).toBe("tenet-mock-1");
    expect(server.stats()).toMatchObject({ requests: 3, served: 3 });
  });

  it("turns a 429 into ProviderRateLimited with the server's retry time", async () => {
    const limited = await startMockOpenAI({
      apiKey: KEY,
      latencyPerTokenMs: 0,
      capacity: 8,
      requestsPerMinute: 1,
    });
    try {
      const client = new OpenAIProvider({ baseUrl: limited.url, apiKey: KEY, model: "gpt-4o-mini" });
      await client.complete(request, {});
      const error = await failure(client.complete(request, {}));
      expect(error).toBeInstanceOf(ProviderRateLimited);
      if (!(error instanceof ProviderRateLimited)) return;
      expect(error.retryable).toBe(true);
      expect(error.message).toMatch(/answered 429: Rate limit reached for gpt-4o-mini on requests per min/);
      expect(error.retryAfterMs).toBeGreaterThan(0);
      expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
    } finally {
      await limited.close();
    }
  });

  it("turns a wrong key into ProviderError that does not contain the key", async () => {
    const wrong = "sk-wrong-9d8c7b6a5f4e";
    const error = await failure(provider({ apiKey: wrong }).complete(request, {}));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: 401, retryable: false });
    const shown = `${String(error)} ${inspect(error, { depth: 10 })}`;
    expect(shown).toMatch(/Incorrect API key provided/);
    expect(shown).not.toContain(wrong);
    expect(server.stats().unauthorized).toBe(1);
  });

  it("turns a wrong base URL's 404 into ProviderError", async () => {
    const error = await failure(provider({ baseUrl: server.url.replace(/\/v1$/, "") }).complete(request, {}));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      status: 404,
      message: expect.stringMatching(/Invalid URL \(POST \/chat\/completions\)/) as string,
    });
  });

  it("turns a 500 into ProviderUnavailable, and the next call succeeds", async () => {
    server.failNext(1, 500);
    const error = await failure(provider().complete(request, {}));
    expect(error).toBeInstanceOf(ProviderUnavailable);
    expect(error).toMatchObject({ status: 500, retryable: true });
    await expect(provider().complete(request, {})).resolves.toMatchObject({ finishReason: "length" });
  });

  it("turns a refused connection into ProviderUnavailable", async () => {
    const gone = await startMockOpenAI({ latencyPerTokenMs: 0, capacity: 1 });
    await gone.close();
    const error = await failure(
      new OpenAIProvider({ baseUrl: gone.url, apiKey: KEY, model: "m" }).complete(request, {}),
    );
    expect(error).toBeInstanceOf(ProviderUnavailable);
    expect(error).toMatchObject({ status: null, message: expect.stringMatching(/ECONNREFUSED/) as string });
  });

  it("gives up when the signal aborts, with the signal's reason, and the server sees the client leave", async () => {
    server.hold();
    const controller = new AbortController();
    const call = provider().complete(request, { signal: controller.signal });
    await eventually(
      () => Promise.resolve(server.stats().inFlight),
      (n) => n === 1,
      { what: "the request in flight" },
    );
    const reason = new Error("run cancelled");
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    await eventually(
      () => Promise.resolve(server.stats()),
      (s) => s.aborted === 1 && s.inFlight === 0,
      {
        what: "the server to see the client leave",
      },
    );
  });

  it("turns its own time limit into ProviderUnavailable", async () => {
    server.hold();
    const error = await failure(provider({ timeoutMs: 200 }).complete(request, {}));
    expect(error).toBeInstanceOf(ProviderUnavailable);
    expect(error).toMatchObject({
      status: null,
      message: expect.stringMatching(/did not answer within 200 ms/) as string,
    });
  });
});
