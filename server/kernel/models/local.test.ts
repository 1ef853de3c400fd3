import { describe, expect, it } from "vitest";
import { LOCAL_MODEL, LocalProvider } from "./local";
import {
  estimatePromptTokens,
  estimateTextTokens,
  type ChatMessage,
  type CompletionRequest,
} from "./provider";

const system: ChatMessage = {
  role: "system",
  content: "You can use facilities.room.book and facilities.ticket.create. Answer in ReAct format.",
};
const ask = (content: string, extra: ChatMessage[] = []): CompletionRequest => ({
  messages: [system, { role: "user", content }, ...extra],
  maxTokens: 200,
});

describe("LocalProvider", () => {
  const provider = new LocalProvider();

  it("answers the same request with the same text, and different requests differently", async () => {
    const first = await provider.complete(ask("Book room r-401 for Tuesday"), {});
    const again = await new LocalProvider().complete(ask("Book room r-401 for Tuesday"), {});
    expect(again).toEqual(first);
    const texts = new Set<string>();
    for (let i = 0; i < 10; i++) texts.add((await provider.complete(ask(`Book room r-${i}`), {})).text);
    expect(texts.size).toBe(10);
  });

  it("acts with an action the prompt offers, then gives a final answer after observing", async () => {
    const first = await provider.complete(ask("Book room r-401 for Tuesday"), {});
    expect(first.text).toMatch(
      /^Thought: .+\nAction: (facilities\.room\.book|facilities\.ticket\.create)\nAction Input: \{/,
    );
    expect(first.model).toBe(LOCAL_MODEL);
    expect(first.finishReason).toBe("stop");

    // Three observations are as many as it ever takes before answering.
    const observed: ChatMessage[] = [];
    for (let i = 0; i < 3; i++)
      observed.push({ role: "assistant", content: first.text }, { role: "tool", content: `ok ${i}` });
    const last = await provider.complete(ask("Book room r-401 for Tuesday", observed), {});
    expect(last.text).toMatch(
      /^Thought: I have what I need from 3 observations\.\nFinal answer: Book room r-401/,
    );
  });

  it("answers at once when the prompt offers no actions", async () => {
    const reply = await provider.complete(
      { messages: [{ role: "user", content: "Hello" }], maxTokens: 100 },
      {},
    );
    expect(reply.text).toMatch(/^Thought: I have what I need\.\nFinal answer: Hello: /);
  });

  it("counts usage with the scheduler's estimator and keeps within maxTokens", async () => {
    const request = ask("Book room r-401 for Tuesday");
    const reply = await provider.complete(request, {});
    expect(reply.usage).toEqual({
      promptTokens: estimatePromptTokens(request.messages),
      completionTokens: estimateTextTokens(reply.text),
      totalTokens: estimatePromptTokens(request.messages) + estimateTextTokens(reply.text),
    });
    expect(provider.estimateTokens(request)).toBe(estimatePromptTokens(request.messages) + 200);

    const short = await provider.complete({ ...request, maxTokens: 5 }, {});
    expect(short.finishReason).toBe("length");
    expect(short.usage.completionTokens).toBeLessThanOrEqual(5);
    expect(reply.text.startsWith(short.text)).toBe(true);
  });

  it("uses the configured model unless the request names one", async () => {
    const named = new LocalProvider({ model: "demo-2" });
    expect(named.model).toBe("demo-2");
    expect((await named.complete(ask("x"), {})).model).toBe("demo-2");
    expect((await named.complete({ ...ask("x"), model: "other" }, {})).model).toBe("other");
  });

  it("rejects with the signal's reason when aborted, also during its latency", async () => {
    const slow = new LocalProvider({ latencyMs: 60_000 });
    const controller = new AbortController();
    const call = slow.complete(ask("x"), { signal: controller.signal });
    const reason = new Error("agent cancelled");
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    await expect(provider.complete(ask("x"), { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });
});
