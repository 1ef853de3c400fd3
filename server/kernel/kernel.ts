import { randomUUID } from "node:crypto";
import { getDb, poolOf, type PrismaClient } from "@/server/db/client";
import { withTenantSql } from "@/server/db/scope";
import { AppError } from "@/server/errors";
import type { Approver } from "./access/approval";
import type { AccessDecision } from "./access/decide";
import type { AccessResource } from "./access/entities";
import type { AccessEvaluator } from "./access/evaluator";
import {
  directoryStatement,
  parseDirectory,
  principalAgentIds,
  principalUserIds,
  resolvePrincipal,
  resourceUserIds,
  verifyApprovals,
  type ApprovalRef,
  type Directory,
  type PrincipalRef,
  type ResolvedPrincipal,
  type Unresolved,
} from "./access/principals";
import { ACTION_INFO, type ActionName } from "./access/schema";
import { ensureLoaded, liveEvaluator } from "./access/store";
import { lockChainStatement, parseLockedChain } from "./audit/chain";
import { appendAuditBatch } from "./audit/log";
import type { JsonValue } from "./audit/canonical-json";
import { auditEntryInput, type AuditEntryInput } from "./audit/entry";
import { PrincipalBatcher } from "./access/principal-batcher";
import { AuditBatcher } from "./audit/batcher";
import { GroupCommit } from "./group-commit";
import { agentKeyOf, callModel, type ModelResult, type ModelSyscall } from "./model-call";
import { modelProviderFromEnv, type ModelProvider } from "./models";
import { appScheduler } from "./scheduler/app";
import { connectorPoolDefaults, ensurePool } from "./scheduler/pools";
import { SyscallCancelled, type Scheduler } from "./scheduler/scheduler";
import { poolSql } from "./scheduler/store";
import { brokerCall, type Brokered, type BrokeredCall } from "./tools/broker";
import { installedTools } from "./tools/installed";
import type { ToolAction, ToolRegistry } from "./tools/registry";

/** Who is asking, in which tenant: named by server code (a workflow, a route), never by an agent. */
export type KernelContext = { tenantId: string; principal: PrincipalRef };

/** One request to act on the world. `resource` carries the attributes policies look at. */
export type Syscall = {
  action: ActionName;
  resource: AccessResource;
  /** How people call the resource, e.g. "Boardroom" or "Figma for Bob". */
  resourceLabel?: string;
  input: unknown;
  /** Approvals already given for this very request (verified against memberships). */
  approvals?: readonly ApprovalRef[];
  /** Passed to the connector so a retried syscall does not repeat its effect. */
  idempotencyKey?: string;
  /** How urgent it is, for the connector pool's policy: priority 0–9 (9 most urgent), a deadline. */
  schedule?: { priority?: number; deadline?: Date };
  /** Aborting while the syscall waits for its turn takes it out of the queue. */
  signal?: AbortSignal;
};

/** Who resolves a conflict that a connector action escalates (issue 7's requests make it a task). */
const ESCALATE_TO = "role:admin" satisfies Approver;

export type SyscallResult =
  /** `replayed`: an earlier call with the same idempotency key succeeded; this is its stored output. */
  | { status: "succeeded"; syscallId: string; output: unknown; replayed: boolean; reasons: string[] }
  | { status: "denied"; syscallId: string; reasons: string[]; explanation: string | null }
  | { status: "approval_required"; syscallId: string; approvers: Approver[]; reasons: string[] }
  | { status: "failed"; syscallId: string; reasons: string[]; error: string }
  /**
   * Allowed, but a business object it needs (`resource`, a lease such as
   * `room:r-1@2026-12-01T09:00:00.000Z/2026-12-01T10:00:00.000Z`) is held by another call: nothing
   * was done, so the agent or workflow can re-plan. `escalatedTo` is set when the action's conflict
   * policy hands such conflicts to a person.
   */
  | {
      status: "conflict";
      syscallId: string;
      resource: string;
      heldBy: { syscallId: string; label: string | null };
      escalatedTo: typeof ESCALATE_TO | null;
      reasons: string[];
    };

export type Authorized = { syscallId: string; outcome: Decided; principal: ResolvedPrincipal | Unresolved };

type Pending = { ctx: KernelContext; syscall: Syscall };
/** One caller's share of a batch: a bad syscall fails its caller alone, not the batch. */
type Decision = { ok: true; authorized: Authorized } | { ok: false; error: unknown };

/** Thrown inside a batch's transaction to roll it back when the tenant's policies must be reloaded. */
class StalePolicies extends Error {}

/** The most syscalls decided and audited in one transaction. */
const MAX_BATCH = 64;

export type Decided =
  { kind: "refused"; reasons: string[]; explanation: string } | { kind: "decided"; decision: AccessDecision };

const APPROVER_WORDS = (approver: Approver) =>
  approver === "manager"
    ? "their manager"
    : `an ${approver.slice("role:".length)}`.replace(/^an ([^aeiou])/, "a $1");

/**
 * The kernel's one entry point: every action by an agent, a workflow or a user-triggered automation
 * is authorized by the access manager, then executed through the tool manager, and audited at both
 * steps. The decision and its audit entry are one transaction; the connector call runs after it
 * commits (a slow connector must not hold the tenant's audit chain), and its outcome is a second
 * entry. Nothing else in Tenet may call a connector driver (eslint.config.mjs).
 */
export class Kernel {
  constructor(
    private readonly options: {
      db: () => PrismaClient;
      tools: ToolRegistry;
      evaluator?: AccessEvaluator;
      now?: () => Date;
      /** This process's scheduler; every model call and connector call waits its turn in it. */
      scheduler: () => Scheduler;
      /** The model provider model calls go to. */
      models: () => ModelProvider;
    },
  ) {
    this.audit = new AuditBatcher(options.db);
    this.principals = new PrincipalBatcher(options.db);
  }

  /** Who a model call is from, looked up with group commit per tenant. */
  private readonly principals: PrincipalBatcher;

  /** Outcome entries of model calls, group-committed per tenant. */
  private readonly audit: AuditBatcher;

  /** Connector pools this process has made sure exist. */
  private readonly pools = new Set<string>();

  /**
   * A model call: waits its turn in the model's pool (the pool's policy and limits decide when), is
   * retried by the scheduler on the provider's 429s and outages, and is audited (model-call.ts).
   */
  generate(ctx: KernelContext, syscall: ModelSyscall): Promise<ModelResult> {
    return callModel(
      {
        principals: this.principals,
        scheduler: this.options.scheduler,
        models: this.options.models,
        audit: this.audit,
      },
      ctx,
      syscall,
    );
  }

  /** The connector's pool, created with defaults the first time one of its actions runs. */
  private async connectorPool(connector: string): Promise<string> {
    const definition = connectorPoolDefaults(connector);
    if (!this.pools.has(definition.id)) {
      await ensurePool(poolSql(poolOf(this.options.db())), definition);
      this.pools.add(definition.id);
    }
    return definition.id;
  }

  /** Runs an allowed tool call in its connector's pool: it waits its turn like any shared resource. */
  private async scheduled(
    ctx: KernelContext,
    syscall: Syscall,
    tool: ToolAction,
    call: () => Promise<BrokeredCall>,
  ): Promise<BrokeredCall> {
    const poolId = await this.connectorPool(tool.connector);
    try {
      const { value } = await this.options.scheduler().run(
        {
          poolId,
          tenantId: ctx.tenantId,
          agentKey: agentKeyOf(ctx.principal),
          runId: ctx.principal.type === "agent" ? (ctx.principal.runId ?? null) : null,
          label: syscall.action,
          priority: syscall.schedule?.priority,
          deadline: syscall.schedule?.deadline ?? null,
        },
        async () => ({ kind: "done", value: await call() }),
        { signal: syscall.signal },
      );
      return value;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const message =
        error instanceof SyscallCancelled ? "The syscall was cancelled before it ran" : error.message;
      return {
        result: { status: "failed", kind: "failed", error: message, leases: [], reclaimed: [] },
        settle: null,
      };
    }
  }

  private now() {
    return this.options.now?.() ?? new Date();
  }

  /** Syscalls waiting for their tenant's next batch, and whether one is in flight. */
  private readonly decisions = new GroupCommit<Pending, Decision>(
    (tenantId, batch) => this.authorizeBatch(tenantId, batch),
    MAX_BATCH,
  );

  /**
   * The access half of a syscall: resolve the principal, verify approvals, decide, and audit the
   * decision, in one transaction. Returns the decision; nothing is executed.
   *
   * Group commit: syscalls of one tenant that arrive while its previous batch is in flight are
   * decided together in the next transaction, with one directory read and one audit INSERT. A
   * tenant's appends are serialised by its chain lock anyway, so batching costs a lone caller
   * nothing and lets concurrent callers share the round trips.
   */
  async authorize(ctx: KernelContext, syscall: Syscall): Promise<Authorized> {
    const decision = await this.decisions.submit(ctx.tenantId, { ctx, syscall });
    if (!decision.ok) throw decision.error;
    return decision.authorized;
  }

  private async authorizeBatch(tenantId: string, batch: Pending[], reloaded = false): Promise<Decision[]> {
    const decisions: Decision[] = [];
    const evaluator = this.options.evaluator ?? liveEvaluator;
    try {
      const opening = [
        directoryStatement(
          tenantId,
          batch.flatMap(({ ctx, syscall }) => [
            ...principalUserIds(ctx.principal),
            ...resourceUserIds(syscall.resource),
            ...(syscall.approvals ?? []).map((a) => a.userId),
          ]),
          batch.flatMap(({ ctx }) => principalAgentIds(ctx.principal)),
        ),
        // Locked up front, in the same round trip: the batch then holds the chain while it decides.
        lockChainStatement(tenantId),
      ];
      await withTenantSql(
        this.options.db(),
        tenantId,
        async (sql, [directoryRows = [], chainRows = []]) => {
          const now = this.now();
          const directory = parseDirectory(directoryRows);
          const chain = parseLockedChain(chainRows, tenantId);
          // Reloading validates the whole policy set, which takes a while: never while holding the
          // tenant's chain. Give the lock back, reload, and come again (once; a change that lands
          // in between is then loaded under the lock, which is rare and still correct).
          if (!reloaded && evaluator.version(tenantId) !== directory.accessVersion) throw new StalePolicies();
          await ensureLoaded(sql, tenantId, now, evaluator, directory.accessVersion);
          const entries: AuditEntryInput[] = [];
          for (const item of batch) {
            // One caller's bad syscall (say, a resource of the wrong type) fails that caller alone.
            try {
              const syscallId = randomUUID();
              const principal = resolvePrincipal(directory, item.ctx.principal);
              const outcome = this.decide(evaluator, item.ctx, item.syscall, directory, principal, now);
              const entry = auditEntryInput.parse(
                this.decisionEntry(item.ctx, item.syscall, syscallId, principal, outcome),
              );
              entries.push(entry);
              decisions.push({ ok: true, authorized: { syscallId, outcome, principal } });
            } catch (error) {
              decisions.push({ ok: false, error });
            }
          }
          await appendAuditBatch(sql, tenantId, entries, chain);
        },
        opening,
      );
    } catch (error) {
      if (!(error instanceof StalePolicies)) throw error;
      await withTenantSql(this.options.db(), tenantId, (sql) =>
        ensureLoaded(sql, tenantId, this.now(), evaluator),
      );
      return this.authorizeBatch(tenantId, batch, true);
    }
    return decisions;
  }

  async call(ctx: KernelContext, syscall: Syscall): Promise<SyscallResult> {
    const { syscallId, outcome, principal } = await this.authorize(ctx, syscall);
    if (outcome.kind === "refused")
      return { status: "denied", syscallId, reasons: outcome.reasons, explanation: outcome.explanation };
    const { decision } = outcome;
    if (decision.decision === "deny")
      return {
        status: "denied",
        syscallId,
        reasons: decision.reasons,
        explanation: decision.explanation ?? null,
      };
    if (decision.decision === "require-approval")
      return {
        status: "approval_required",
        syscallId,
        approvers: decision.approvers,
        reasons: decision.reasons,
      };

    const tool = this.options.tools.find(syscall.action);
    const resolved = "problem" in principal ? null : principal;
    const { result, settle } = tool
      ? await this.scheduled(ctx, syscall, tool, () =>
          brokerCall(this.options.db(), tool, syscall.input, {
            tenantId: ctx.tenantId,
            syscallId,
            idempotencyKey: syscall.idempotencyKey ?? null,
            holder: resolved && holderLabel(resolved),
          }),
        )
      : noConnector(syscall.action);

    const escalatedTo = result.status === "conflict" && result.escalated ? ESCALATE_TO : null;
    const entry: AuditEntryInput = {
      ...this.actorOf(ctx, principal),
      action: "syscall.completed",
      resource: this.resourceOf(syscall),
      outcome: result.status,
      reasons: decision.reasons,
      detail: {
        syscallId,
        request: this.requestPhrase(syscall),
        connector: tool?.connector ?? null,
        ...outcomeDetail(result, escalatedTo),
      },
    };
    // The call's end is recorded (and its leases released) in the transaction that audits it.
    try {
      await withTenantSql(this.options.db(), ctx.tenantId, async (sql) => {
        await settle?.(sql);
        await appendAuditBatch(sql, ctx.tenantId, [entry]);
      });
    } catch (error) {
      // The outcome could not be audited: still give the leases back rather than leave others
      // waiting for their expiry, then report the failure.
      if (settle) await withTenantSql(this.options.db(), ctx.tenantId, settle).catch(() => undefined);
      throw error;
    }

    switch (result.status) {
      case "succeeded":
        return {
          status: "succeeded",
          syscallId,
          output: result.output,
          replayed: result.replayedFrom !== null,
          reasons: decision.reasons,
        };
      case "failed":
        return { status: "failed", syscallId, reasons: decision.reasons, error: result.error };
      case "conflict":
        return {
          status: "conflict",
          syscallId,
          resource: result.resource,
          heldBy: result.heldBy,
          escalatedTo,
          reasons: decision.reasons,
        };
    }
  }

  private decide(
    evaluator: AccessEvaluator,
    ctx: KernelContext,
    syscall: Syscall,
    directory: Directory,
    principal: ResolvedPrincipal | Unresolved,
    now: Date,
  ): Decided {
    if ("problem" in principal)
      return { kind: "refused", reasons: [principal.problem], explanation: principal.message };
    const approvals = verifyApprovals(directory, principal, syscall.approvals ?? []);
    if (!approvals.ok)
      return { kind: "refused", reasons: ["invalid-approval"], explanation: approvals.message };

    const related = resourceUserIds(syscall.resource).flatMap((id) => directory.members.get(id) ?? []);
    const decision = evaluator.decide(
      ctx.tenantId,
      {
        principal: principal.access,
        action: syscall.action,
        resource: syscall.resource,
        context: { effect: ACTION_INFO[syscall.action].effect, now, approvals: approvals.approvers },
      },
      { users: related },
    );
    return { kind: "decided", decision };
  }

  private actorOf(ctx: KernelContext, principal: ResolvedPrincipal | { problem: string }) {
    const ref = ctx.principal;
    const resolved = "problem" in principal ? null : principal;
    const actor: Pick<AuditEntryInput, "actor" | "onBehalfOf"> =
      ref.type === "user"
        ? { actor: { type: "user", id: ref.userId, label: resolved?.label ?? "Unknown user" } }
        : {
            actor: { type: "agent", id: ref.agentId, label: resolved?.label ?? "Unknown agent" },
            onBehalfOf: { id: ref.actingForUserId, label: resolved?.actingFor?.label ?? "unknown user" },
          };
    return actor;
  }

  private resourceOf(syscall: Syscall) {
    return {
      type: auditResourceType(syscall.resource.type),
      id: syscall.resource.id,
      label: syscall.resourceLabel ?? null,
    };
  }

  private requestPhrase(syscall: Syscall) {
    const { label } = ACTION_INFO[syscall.action];
    return syscall.resourceLabel ? `${label}: ${syscall.resourceLabel}` : label;
  }

  private decisionEntry(
    ctx: KernelContext,
    syscall: Syscall,
    syscallId: string,
    principal: ResolvedPrincipal | { problem: string },
    outcome: Decided,
  ): AuditEntryInput {
    const decision = outcome.kind === "decided" ? outcome.decision : null;
    const resolved = "problem" in principal ? null : principal;
    return {
      ...this.actorOf(ctx, principal),
      action: "syscall.decided",
      resource: this.resourceOf(syscall),
      outcome:
        decision === null || decision.decision === "deny"
          ? "denied"
          : decision.decision === "allow"
            ? "allowed"
            : "approval_required",
      reasons: outcome.kind === "refused" ? outcome.reasons : outcome.decision.reasons,
      detail: {
        syscallId,
        syscall: syscall.action,
        request: this.requestPhrase(syscall),
        effect: ACTION_INFO[syscall.action].effect,
        approver:
          decision?.decision === "require-approval"
            ? decision.approvers.map(APPROVER_WORDS).join(" and ")
            : null,
        explanation:
          outcome.kind === "refused"
            ? outcome.explanation
            : decision?.decision === "deny"
              ? (decision.explanation ?? null)
              : null,
        approvals: (syscall.approvals ?? []).map((a) => ({ approver: a.approver, userId: a.userId })),
        skill: resolved?.skill ? { ...resolved.skill } : null,
        runId: ctx.principal.type === "agent" ? (ctx.principal.runId ?? null) : null,
        idempotencyKey: syscall.idempotencyKey ?? null,
        input: toDetail(syscall.input),
      },
    };
  }
}

/** How a lease holder is named to whoever it blocks: "Agent Room bot (for Alice)" or "Alice". */
const holderLabel = (principal: ResolvedPrincipal) =>
  principal.actingFor ? `Agent ${principal.label} (for ${principal.actingFor.label})` : principal.label;

/** What a `syscall.completed` entry records of the connector call (audit/sentence.ts reads it). */
function outcomeDetail(result: Brokered, escalatedTo: string | null) {
  if (result.status === "conflict")
    return {
      error: result.error,
      conflict: { resource: result.resource, heldBy: result.heldBy, escalatedTo },
    };
  // Leases only for actions that take them, and taken-over leases only when there were any.
  const leases = {
    ...(result.leases.length > 0 && { leases: result.leases }),
    ...(result.reclaimed.length > 0 && { reclaimed: result.reclaimed }),
  };
  return result.status === "succeeded"
    ? {
        output: toDetail(result.output),
        replayed: result.replayedFrom !== null,
        ...(result.replayedFrom !== null && { replayedFrom: result.replayedFrom }),
        ...leases,
      }
    : { error: result.error, errorKind: result.kind, ...leases };
}

const noConnector = (action: ActionName): BrokeredCall => ({
  result: {
    status: "failed",
    kind: "failed",
    error: `No installed connector provides ${action}`,
    leases: [],
    reclaimed: [],
  },
  settle: null,
});

/** Connector inputs and outputs as audit detail: JSON values only (audit/detail.ts redacts secrets). */
function toDetail(value: unknown): JsonValue {
  const json = JSON.stringify(value);
  return json === undefined ? null : (JSON.parse(json) as JsonValue);
}

/** "TimeOffRequest" → "time_off_request", the audit log's resource type spelling. */
const auditResourceType = (type: string) => type.replace(/(?<!^)([A-Z])/g, "_$1").toLowerCase();

let models: ModelProvider | undefined;
const appModelProvider = () => (models ??= modelProviderFromEnv());

/** The app's kernel: the shared database client, the installed connectors, the configured model. */
export const kernel = new Kernel({
  db: getDb,
  tools: installedTools,
  scheduler: appScheduler,
  models: appModelProvider,
});
