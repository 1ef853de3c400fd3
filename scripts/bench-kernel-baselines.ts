/**
 * The two baselines of `npm run bench:kernel` (scripts/bench-kernel.ts). They are the benchmark's
 * own stand-ins for what agents do without Tenet, not product code:
 *
 * - direct: every agent calls the model endpoint itself, over the same OpenAI provider, and on a 429
 *   waits and sends again; its tool calls go straight to the tool.
 * - AIOS-style: the scheduling of AIOS (github.com/agiresearch/AIOS, aios/scheduler/fifo_scheduler.py
 *   and aios/tool/manager.py): model calls wait in one FIFO queue; a loop sleeps for the batch
 *   interval, takes everything queued, sends it all at once and waits for the slowest answer before
 *   sleeping again; tool calls run one at a time behind a global lock. AIOS knows nothing of the
 *   provider's capacity; the calls of a batch refused with 429 go to the front of the queue for the
 *   next batch (AIOS itself would hand the error to the agent).
 */
import { performance } from "node:perf_hooks";
import { setTimeout as delay } from "node:timers/promises";
import {
  ProviderRateLimited,
  ProviderUnavailable,
  type CompletionRequest,
  type ModelProvider,
} from "@/server/kernel/models/provider";
import { lookupEmployee, type Backend, type EmployeeLookup, type Sample } from "./bench-kernel-workload";

/** Exponential backoff with full jitter, in ms: a random wait below min(cap, base·2^attempt). */
export type Backoff = { baseMs: number; capMs: number };

const retryable = (error: unknown) =>
  error instanceof ProviderRateLimited || error instanceof ProviderUnavailable;

/** The tool called in place, timing its run. */
async function runTool(input: EmployeeLookup, sample: Sample) {
  const start = performance.now();
  sample.dispatchedAt = start;
  const record = await lookupEmployee(input);
  sample.serviceMs = performance.now() - start;
  return record;
}

/**
 * (a) direct. After a 429 the agent waits for exponential backoff with full jitter, and never less
 * than the server's Retry-After (`retry-after-ms`, which the mock sends as the time until its next
 * place frees up); then it sends the request again, as often as it takes.
 */
export function directBackend(provider: ModelProvider, backoff: Backoff, signal: AbortSignal): Backend {
  return {
    async model(_agent, request, sample) {
      for (let attempt = 0; ; attempt++) {
        const start = performance.now();
        try {
          const completion = await provider.complete(request, { signal });
          sample.dispatchedAt = start;
          sample.serviceMs = performance.now() - start;
          return completion.text;
        } catch (error) {
          if (!retryable(error)) throw error;
          if (error instanceof ProviderRateLimited) {
            sample.rejected++;
            sample.reachedAgent++;
          }
          sample.retries++;
          const jittered = Math.random() * Math.min(backoff.capMs, backoff.baseMs * 2 ** attempt);
          const asked = error instanceof ProviderRateLimited ? (error.retryAfterMs ?? 0) : 0;
          await delay(Math.max(asked, jittered), undefined, { signal });
        }
      }
    },
    tool: (_agent, input, sample) => runTool(input, sample),
  };
}

type Queued = {
  request: CompletionRequest;
  sample: Sample;
  resolve: (text: string) => void;
  reject: (error: unknown) => void;
};

/** (b) AIOS-style. `stop()` ends the batching loop once the agents are done. */
export class AiosStyleBackend implements Backend {
  readonly #queue: Queued[] = [];
  /** The global tool lock: each tool call starts when the one before it (in arrival order) ended. */
  #toolTail: Promise<unknown> = Promise.resolve();
  #active = true;
  readonly #loop: Promise<void>;
  batches = 0;

  constructor(
    private readonly provider: ModelProvider,
    private readonly intervalMs: number,
    private readonly signal: AbortSignal,
  ) {
    this.#loop = this.#batching();
    // At the run's time limit the queued calls are dropped; the agents waiting for them stop.
    signal.addEventListener("abort", () => {
      for (const queued of this.#queue.splice(0)) queued.reject(signal.reason);
    });
  }

  model(_agent: unknown, request: CompletionRequest, sample: Sample): Promise<string> {
    return new Promise((resolve, reject) => this.#queue.push({ request, sample, resolve, reject }));
  }

  tool(_agent: unknown, input: EmployeeLookup, sample: Sample): Promise<unknown> {
    const run = this.#toolTail.then(() => runTool(input, sample));
    this.#toolTail = run.catch(() => undefined);
    return run;
  }

  async stop(): Promise<void> {
    this.#active = false;
    await this.#loop;
  }

  async #batching(): Promise<void> {
    while (this.#active && !this.signal.aborted) {
      await delay(this.intervalMs);
      const batch = this.#queue.splice(0);
      if (batch.length === 0) continue;
      this.batches++;
      const sentAt = performance.now();
      const answers = await Promise.all(
        batch.map((queued) =>
          this.provider.complete(queued.request, { signal: this.signal }).then(
            (completion) => ({ ok: true as const, text: completion.text, ms: performance.now() - sentAt }),
            (error: unknown) => ({ ok: false as const, error }),
          ),
        ),
      );
      // Everyone in the batch hears back now, after its slowest call.
      const again: Queued[] = [];
      batch.forEach((queued, i) => {
        const answer = answers[i];
        if (!answer) return;
        if (answer.ok) {
          queued.sample.dispatchedAt = sentAt;
          queued.sample.serviceMs = answer.ms;
          queued.resolve(answer.text);
        } else if (retryable(answer.error)) {
          if (answer.error instanceof ProviderRateLimited) queued.sample.rejected++;
          queued.sample.retries++;
          again.push(queued);
        } else queued.reject(answer.error);
      });
      // Refused calls are older than anything queued meanwhile: first in the next batch.
      this.#queue.unshift(...again);
    }
  }
}
