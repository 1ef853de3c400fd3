/**
 * A model that runs in the process, for demos and tests: no network, no key, and the same request
 * always gets the same answer (derived from a hash of the request), so a demo run can be replayed and
 * a test can assert on it. Replies are ReAct-shaped ("Thought: … Action: …" or "Final answer: …") and
 * pick their actions from the ones the prompt names, so an agent loop driven by it looks plausible.
 * Usage is counted with the same estimator the scheduler budgets with.
 */
import { createHash } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import {
  type Completion,
  type CompletionOptions,
  type CompletionRequest,
  type ModelProvider,
  estimatePromptTokens,
  estimateRequestTokens,
  estimateTextTokens,
} from "./provider";

export const LOCAL_MODEL = "tenet-local-1";

export type LocalProviderOptions = {
  /** Defaults to LOCAL_MODEL. */
  model?: string;
  /** Defaults to "local". */
  id?: string;
  /** Every call takes this long (0 by default), so demos and schedulers see time pass. */
  latencyMs?: number;
};

/** Kernel action names as prompts list them (`facilities.room.book`). */
const ACTION_NAME = /\b[a-z]+\.[a-z_]+\.[a-z_]+\b/g;
const CLOSINGS = [
  "Everything the request needed is in place.",
  "The request is handled; nothing else is pending.",
  "Done, and the result has been recorded.",
  "Completed as asked; no follow-up is needed.",
];

export class LocalProvider implements ModelProvider {
  readonly id: string;
  readonly model: string;
  readonly #latencyMs: number;

  constructor(options: LocalProviderOptions = {}) {
    this.id = options.id ?? "local";
    this.model = options.model ?? LOCAL_MODEL;
    this.#latencyMs = options.latencyMs ?? 0;
  }

  estimateTokens(request: CompletionRequest): number {
    return estimateRequestTokens(request);
  }

  async complete(request: CompletionRequest, { signal }: CompletionOptions = {}): Promise<Completion> {
    signal?.throwIfAborted();
    if (this.#latencyMs > 0) await sleep(this.#latencyMs, signal);
    const model = request.model ?? this.model;
    const full = localReply(request, model);
    const text = truncateToTokens(full, request.maxTokens);
    const promptTokens = estimatePromptTokens(request.messages);
    const completionTokens = estimateTextTokens(text);
    return {
      text,
      model,
      finishReason: text.length < full.length ? "length" : "stop",
      usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens },
    };
  }
}

/** The reply before it is cut to maxTokens; a pure function of the request and the model. */
export function localReply(request: CompletionRequest, model: string): string {
  const digest = createHash("sha256")
    .update(JSON.stringify([model, request.temperature ?? null, request.messages]))
    .digest();
  const pick = (byte: number, n: number) => (digest[byte] ?? 0) % n;

  const lastUser = request.messages.findLast((m) => m.role === "user")?.content ?? "";
  const task = summarize(lastUser) || "the request";
  const actions = [...new Set(request.messages.flatMap((m) => m.content.match(ACTION_NAME) ?? []))];
  const observations = request.messages.filter((m) => m.role === "tool").length;

  // With no actions offered it answers at once; otherwise it acts one to three times, then answers.
  const action = actions.length > 0 ? actions[pick(0, actions.length)] : undefined;
  if (action === undefined || observations >= 1 + pick(1, 3)) {
    const seen = observations === 1 ? "1 observation" : `${observations} observations`;
    return [
      `Thought: I have what I need${observations > 0 ? ` from ${seen}` : ""}.`,
      `Final answer: ${task}: ${CLOSINGS[pick(2, CLOSINGS.length)]}`,
    ].join("\n");
  }
  return [
    `Thought: To handle "${task}" I should use ${action} and check its result.`,
    `Action: ${action}`,
    `Action Input: ${JSON.stringify({ request: task, step: observations + 1 })}`,
  ].join("\n");
}

/** The first line of a message, shortened to something that reads well inside a sentence. */
function summarize(text: string): string {
  const line = text.trim().split("\n", 1)[0]?.trim() ?? "";
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}

/** The longest prefix of `text` whose estimated token count is at most `maxTokens`. */
function truncateToTokens(text: string, maxTokens: number): string {
  if (estimateTextTokens(text) <= maxTokens) return text;
  let ascii = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) < 128) ascii++;
    else other++;
    if (Math.ceil(ascii / 4) + other > maxTokens) return text.slice(0, i);
  }
  return text;
}

/** Waits `ms`; when aborted, rejects with the signal's reason, as the OpenAI provider does. */
async function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch (error) {
    signal?.throwIfAborted();
    throw error;
  }
}
