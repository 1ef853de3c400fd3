import { createHash, randomUUID } from "node:crypto";
import { AppError } from "@/server/errors";
import type { PrincipalBatcher } from "./access/principal-batcher";
import type { PrincipalRef, ResolvedPrincipal } from "./access/principals";
import type { AuditBatcher } from "./audit/batcher";
import type { AuditEntryInput } from "./audit/entry";
import {
  ProviderFailure,
  ProviderRateLimited,
  ProviderUnavailable,
  type Completion,
  type CompletionRequest,
  type ModelProvider,
} from "./models/provider";
import { SyscallCancelled, type Attempt, type Scheduler, type Timings } from "./scheduler/scheduler";

/** The pool every model call goes through unless it names another (migration …_kernel_scheduler). */
export const DEFAULT_MODEL_POOL = "model:default";

/** A model call by an agent or a person: the request, and how urgent it is. */
export type ModelSyscall = {
  request: CompletionRequest;
  poolId?: string;
  /** 0–9, 9 the most urgent (priority policy). */
  priority?: number;
  /** When the answer is needed by (deadline policy). */
  deadline?: Date;
  signal?: AbortSignal;
};

export type ModelResult =
  | { status: "succeeded"; syscallId: string; completion: Completion; timings: Timings }
  | { status: "denied"; syscallId: string; reasons: string[]; explanation: string }
  | { status: "cancelled"; syscallId: string }
  | { status: "failed"; syscallId: string; error: string };

type Deps = {
  principals: PrincipalBatcher;
  scheduler: () => Scheduler;
  models: () => ModelProvider;
  audit: AuditBatcher;
};

/** How much of a prompt and a reply the audit log keeps: enough to read what happened, not a transcript. */
const EXCERPT_CHARS = 500;
const excerpt = (text: string) => (text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text);

/** The agent's id, or "user:<id>": whom the scheduler's fairness and round robin count syscalls for. */
export const agentKeyOf = (principal: PrincipalRef) =>
  principal.type === "agent" ? principal.agentId : `user:${principal.userId}`;

/**
 * A model call as a syscall: the principal must exist (an enabled agent of the tenant, or a member),
 * the call waits its turn in the model's pool (the pool's policy and limits decide when), a 429 or an
 * outage of the provider is retried by the scheduler after a backoff, never shown to the caller, and
 * the call is audited with who asked, what for (an excerpt), the reply's excerpt, tokens and waits.
 * Model calls change nothing in the world, so no Cedar policy gates them; what they cost is governed
 * by the pool's limits.
 */
export async function callModel(
  deps: Deps,
  ctx: { tenantId: string; principal: PrincipalRef },
  syscall: ModelSyscall,
): Promise<ModelResult> {
  const syscallId = randomUUID();
  const provider = deps.models();
  const poolId = syscall.poolId ?? DEFAULT_MODEL_POOL;
  const principal = await deps.principals.resolve(ctx.tenantId, ctx.principal);
  const model = syscall.request.model ?? provider.model;
  const base = (
    who: ResolvedPrincipal | null,
  ): Pick<AuditEntryInput, "actor" | "onBehalfOf" | "resource"> => {
    const ref = ctx.principal;
    return {
      ...(ref.type === "user"
        ? { actor: { type: "user" as const, id: ref.userId, label: who?.label ?? "Unknown user" } }
        : {
            actor: { type: "agent" as const, id: ref.agentId, label: who?.label ?? "Unknown agent" },
            onBehalfOf: { id: ref.actingForUserId, label: who?.actingFor?.label ?? "unknown user" },
          }),
      resource: { type: "model", id: model, label: model },
    };
  };
  const lastMessage = syscall.request.messages.at(-1)?.content ?? "";
  const common = {
    syscallId,
    pool: poolId,
    model,
    provider: provider.id,
    runId: ctx.principal.type === "agent" ? (ctx.principal.runId ?? null) : null,
    promptSha256: createHash("sha256").update(JSON.stringify(syscall.request.messages)).digest("hex"),
    prompt: excerpt(lastMessage),
  };

  if ("problem" in principal) {
    await deps.audit.append(ctx.tenantId, {
      ...base(null),
      action: "model.called",
      outcome: "denied",
      reasons: [principal.problem],
      detail: { ...common, explanation: principal.message },
    });
    return { status: "denied", syscallId, reasons: [principal.problem], explanation: principal.message };
  }

  const attempt = async (): Promise<Attempt<Completion>> => {
    try {
      return { kind: "done", value: await provider.complete(syscall.request, { signal: syscall.signal }) };
    } catch (error) {
      if (error instanceof ProviderRateLimited)
        return { kind: "rate_limited", retryAfterMs: error.retryAfterMs };
      if (error instanceof ProviderUnavailable) return { kind: "rate_limited", retryAfterMs: null };
      throw error;
    }
  };
  let outcome: ModelResult;
  let timings: Timings | null = null;
  try {
    const ran = await deps.scheduler().run(
      {
        poolId,
        tenantId: ctx.tenantId,
        agentKey: agentKeyOf(ctx.principal),
        runId: common.runId,
        label: "model call",
        priority: syscall.priority,
        deadline: syscall.deadline ?? null,
        tokens: provider.estimateTokens(syscall.request),
      },
      attempt,
      { signal: syscall.signal },
    );
    timings = ran.timings;
    outcome = { status: "succeeded", syscallId, completion: ran.value, timings: ran.timings };
  } catch (error) {
    if (error instanceof SyscallCancelled) outcome = { status: "cancelled", syscallId };
    else if (error instanceof AppError || error instanceof ProviderFailure)
      outcome = { status: "failed", syscallId, error: error.message };
    else throw error;
  }

  await deps.audit.append(ctx.tenantId, {
    ...base(principal),
    action: "model.called",
    outcome: outcome.status === "succeeded" ? "succeeded" : "failed",
    detail: {
      ...common,
      ...(outcome.status === "succeeded"
        ? {
            reply: excerpt(outcome.completion.text),
            finishReason: outcome.completion.finishReason,
            // Not "…Tokens": the audit log redacts keys that look like secrets ("token").
            usage: {
              prompt: outcome.completion.usage.promptTokens,
              completion: outcome.completion.usage.completionTokens,
            },
          }
        : { error: outcome.status === "failed" ? outcome.error : "cancelled before it ran" }),
      ...(timings
        ? {
            queuedMs: Math.round(timings.queuedMs),
            attempts: timings.attempts,
            rateLimited: timings.rateLimited,
          }
        : {}),
    },
  });
  return outcome;
}
