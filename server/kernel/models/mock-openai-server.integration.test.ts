/**
 * The mock OpenAI server over real HTTP: its protocol, and that its capacity and per-minute limits
 * hold, measured at the server. Tests wait on the server's state, never on time.
 */
import { afterEach, describe, expect, it } from "vitest";
import { eventually } from "@/server/testing/eventually";
import { startMockOpenAI, type MockOpenAI, type MockOpenAIOptions } from "./mock-openai-server";
import { OpenAIProvider } from "./openai";
import { ProviderRateLimited, type CompletionRequest } from "./provider";

const KEY = "sk-mock-key";
const servers: MockOpenAI[] = [];
async function start(options: Partial<MockOpenAIOptions> = {}) {
  const server = await startMockOpenAI({ apiKey: KEY, latencyPerTokenMs: 0, capacity: 100, ...options });
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const client = (server: MockOpenAI) =>
  new OpenAIProvider({ baseUrl: server.url, apiKey: KEY, model: "gpt-4o-mini" });
/** Prompt estimate 3 + 4 + 1 = 8 tokens. */
const hi = (maxTokens: number): CompletionRequest => ({
  messages: [{ role: "user", content: "hi" }],
  maxTokens,
});

function post(
  server: MockOpenAI,
  body: string,
  headers: Record<string, string> = { authorization: `Bearer ${KEY}` },
) {
  return fetch(`${server.url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
}

/** Settles every call, sorting outcomes by kind. */
async function settle(calls: Promise<unknown>[]) {
  const results = await Promise.allSettled(calls);
  return {
    ok: results.filter((r) => r.status === "fulfilled").length,
    limited: results.flatMap((r) =>
      r.status === "rejected" && r.reason instanceof ProviderRateLimited ? [r.reason] : [],
    ),
    other: results.flatMap((r) =>
      r.status === "rejected" && !(r.reason instanceof ProviderRateLimited) ? [r.reason as unknown] : [],
    ),
  };
}

describe("mock OpenAI server: capacity", () => {
  it("serves at most `capacity` at once and refuses exactly the excess with 429", async () => {
    const server = await start({ capacity: 4 });
    server.hold();
    // Settled as they go, so the six refusals are handled while the four wait.
    const settled = settle(Array.from({ length: 10 }, (_, i) => client(server).complete(hi(10 + i), {})));
    await eventually(
      () => Promise.resolve(server.stats()),
      (s) => s.requests === 10,
      { what: "all ten requests" },
    );
    expect(server.stats()).toMatchObject({ inFlight: 4, rejected429: 6, rejectedForCapacity: 6 });
    server.release();
    const outcome = await settled;
    expect(outcome.ok).toBe(4);
    expect(outcome.limited).toHaveLength(6);
    expect(outcome.other).toEqual([]);
    for (const error of outcome.limited) expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(server.stats()).toMatchObject({
      served: 4,
      rejected429: 6,
      maxConcurrentObserved: 4,
      inFlight: 0,
    });
  });

  it("never exceeds capacity under a flood of clients that retry when told to", async () => {
    // Each answer takes long enough that 200 clients sent at once overlap even on a busy machine.
    const server = await start({ capacity: 5, baseLatencyMs: 40, latencyPerTokenMs: 0.01, log: false });
    const agent = async (i: number) => {
      for (;;) {
        try {
          return await client(server).complete(hi(20 + (i % 7)), {});
        } catch (error) {
          if (!(error instanceof ProviderRateLimited)) throw error;
          await new Promise((resolve) => setTimeout(resolve, error.retryAfterMs ?? 5));
        }
      }
    };
    const outcome = await settle(Array.from({ length: 200 }, (_, i) => agent(i)));
    expect(outcome.ok).toBe(200);
    const stats = server.stats();
    expect(stats.served).toBe(200);
    expect(stats.maxConcurrentObserved).toBeLessThanOrEqual(5);
    expect(stats.rejected429).toBe(stats.requests - 200);
    expect(stats.rejected429).toBeGreaterThan(0);
    expect(stats.log).toEqual([]);
  });
});

describe("mock OpenAI server: per-minute limits", () => {
  it("accepts requestsPerMinute requests in a window and refuses the rest with Retry-After", async () => {
    const server = await start({ requestsPerMinute: 3 });
    const outcome = await settle(Array.from({ length: 5 }, () => client(server).complete(hi(5), {})));
    expect(outcome.ok).toBe(3);
    expect(outcome.limited).toHaveLength(2);
    for (const error of outcome.limited) {
      expect(error.retryAfterMs).toBeGreaterThan(0);
      expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
    }
    expect(server.stats()).toMatchObject({ rejectedForRequestsPerMinute: 2, maxRequestsInWindow: 3 });

    const raw = await post(
      server,
      JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
    );
    expect(raw.status).toBe(429);
    expect(Number(raw.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Number(raw.headers.get("retry-after-ms"))).toBeGreaterThan(0);
    expect(raw.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(await raw.json()).toMatchObject({ error: { type: "requests", code: "rate_limit_exceeded" } });
  });

  it("counts prompt estimate plus max_tokens against tokensPerMinute, as OpenAI does", async () => {
    const server = await start({ tokensPerMinute: 100 });
    // 8 + 30 = 38 tokens each: two fit in 100, a third does not.
    const outcome = await settle(Array.from({ length: 3 }, () => client(server).complete(hi(30), {})));
    expect(outcome.ok).toBe(2);
    expect(outcome.limited).toHaveLength(1);
    expect(outcome.limited[0]?.retryAfterMs).toBeGreaterThan(0);
    // A smaller request still fits: 76 + 8 + 16 = 100.
    await expect(client(server).complete(hi(16), {})).resolves.toMatchObject({
      usage: { completionTokens: 16 },
    });
    expect(server.stats()).toMatchObject({ rejectedForTokensPerMinute: 1, maxTokensInWindow: 100 });

    // Larger than the whole limit: refused with no time to wait for, since waiting will not help.
    const tooLarge = await settle([client(server).complete(hi(200), {})]);
    expect(tooLarge.limited[0]?.message).toMatch(/Request too large/);
    expect(tooLarge.limited[0]?.retryAfterMs).toBeNull();
  });

  it("admits again once the window has slid past earlier requests, never exceeding the limit", async () => {
    const server = await start({ requestsPerMinute: 2, tokensPerMinute: 1_000, windowMs: 300 });
    const c = client(server);
    await c.complete(hi(5), {});
    await c.complete(hi(5), {});
    const [refused] = (await settle([c.complete(hi(5), {})])).limited;
    expect(refused?.retryAfterMs).toBeLessThanOrEqual(300);
    await eventually(
      () =>
        c.complete(hi(5), {}).then(
          () => true,
          () => false,
        ),
      (accepted) => accepted,
      { what: "the window to admit another request" },
    );
    const stats = server.stats();
    expect(stats.served).toBe(3);
    expect(stats.maxRequestsInWindow).toBeLessThanOrEqual(2);
    expect(stats.maxTokensInWindow).toBeLessThanOrEqual(1_000);
  });

  it("keeps its limits across resetStats, as a provider would", async () => {
    const server = await start({ requestsPerMinute: 1 });
    await client(server).complete(hi(5), {});
    server.resetStats();
    expect((await settle([client(server).complete(hi(5), {})])).limited).toHaveLength(1);
    expect(server.stats()).toMatchObject({ requests: 1, served: 0, rejected429: 1, maxRequestsInWindow: 0 });
  });
});

describe("mock OpenAI server: protocol", () => {
  it("answers OpenAI-shaped chat completions, the same text for the same request", async () => {
    const server = await start({ completionTokens: "varied" });
    const body = JSON.stringify({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "hello" }],
      max_tokens: 50,
    });
    const first = await post(server, body);
    expect(first.status).toBe(200);
    const json = (await first.json()) as {
      object: string;
      choices: { message: { role: string; content: string }; finish_reason: string }[];
      usage: { completion_tokens: number };
    };
    expect(json.object).toBe("chat.completion");
    expect(json.choices[0]?.message.role).toBe("assistant");
    expect(json.usage.completion_tokens).toBeGreaterThanOrEqual(25);
    expect(json.usage.completion_tokens).toBeLessThanOrEqual(50);
    expect(json.choices[0]?.message.content).toHaveLength(json.usage.completion_tokens * 4);
    const again = (await (await post(server, body)).json()) as typeof json;
    expect(again.choices[0]?.message.content).toBe(json.choices[0]?.message.content);
  });

  it("refuses a missing or wrong key with 401, and a malformed body with 400", async () => {
    const server = await start();
    const good = JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] });
    const missing = await post(server, good, {});
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({
      error: {
        type: "invalid_request_error",
        message: expect.stringMatching(/didn't provide an API key/) as string,
      },
    });
    const wrong = await post(server, good, { authorization: "Bearer sk-other" });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: { code: "invalid_api_key" } });

    const notJson = await post(server, "{");
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({
      error: { message: expect.stringMatching(/could not parse the JSON/) as string },
    });
    const noMessages = await post(server, JSON.stringify({ model: "m", messages: [] }));
    expect(noMessages.status).toBe(400);
    expect(await noMessages.json()).toMatchObject({ error: { param: "messages" } });
    const badRole = await post(
      server,
      JSON.stringify({ model: "m", messages: [{ role: "robot", content: "x" }] }),
    );
    expect(await badRole.json()).toMatchObject({ error: { param: "messages.0.role" } });

    expect(server.stats()).toMatchObject({ requests: 5, unauthorized: 2, invalid: 3, served: 0 });
  });

  it("lists models at GET /v1/models and answers 404 elsewhere", async () => {
    const server = await start({ models: ["a-model"] });
    const models = await fetch(`${server.url}/models`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(await models.json()).toEqual({
      object: "list",
      data: [{ id: "a-model", object: "model", created: 1_700_000_000, owned_by: "tenet-mock" }],
    });
    expect((await fetch(`${server.url}/models`)).status).toBe(401);
    const elsewhere = await fetch(`${server.url}/embeddings`, { method: "POST", body: "{}" });
    expect(elsewhere.status).toBe(404);
  });

  it("logs each request's arrival, start, end and tokens", async () => {
    const server = await start({ capacity: 1 });
    server.hold();
    const first = client(server).complete(hi(12), {});
    await eventually(
      () => Promise.resolve(server.stats().inFlight),
      (n) => n === 1,
    );
    const second = await settle([client(server).complete(hi(12), {})]);
    expect(second.limited).toHaveLength(1);
    server.release();
    await first;
    const [served, refused] = server.stats().log;
    expect(served).toMatchObject({
      status: 200,
      promptTokens: 8,
      completionTokens: 12,
      reservedTokens: 20,
      rejectedFor: null,
    });
    expect(refused).toMatchObject({ status: 429, startMs: null, reservedTokens: 0, rejectedFor: "capacity" });
    if (!served?.startMs) throw new Error("the served request has no start");
    expect(served.arrivalMs).toBeLessThanOrEqual(served.startMs);
    expect(served.startMs).toBeLessThanOrEqual(served.endMs);
  });
});
