import { randomUUID } from "node:crypto";
import { z } from "zod";
import { poolOf, type PrismaClient } from "@/server/db/client";
import { withTenant, withTenantSql } from "@/server/db/scope";
import { AppError, notFound } from "@/server/errors";
import { approverWords, type Approver } from "./access/approval";
import type { AccessDecision } from "./access/decide";
import type { AccessResource } from "./access/entities";
import type { AccessEvaluator } from "./access/evaluator";
import {
  approvalDelegationIds,
  approvalsDetail,
  approvalUserIds,
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
import { ACTION_INFO, type ActionName, type Effect } from "./access/schema";
import { ensureLoaded, liveEvaluator } from "./access/store";
import { lockChainStatement, parseLockedChain } from "./audit/chain";
import { appendAudit, appendAuditBatch, userActor } from "./audit/log";
import type { JsonValue } from "./audit/canonical-json";
import { auditEntryInput, type AuditEntryInput } from "./audit/entry";
import { PrincipalBatcher } from "./access/principal-batcher";
import { AuditBatcher } from "./audit/batcher";
import { GroupCommit } from "./group-commit";
import { agentKeyOf, callModel, type ModelResult, type ModelSyscall } from "./model-call";
import type { ModelProvider } from "./models";
import { connectorPoolDefaults, ensurePool } from "./scheduler/pools";
import { SyscallCancelled, type Scheduler } from "./scheduler/scheduler";
import { poolSql } from "./scheduler/store";
import { brokerCall, type Brokered, type BrokeredCall } from "./tools/broker";
import { loadConnection, tenantScope } from "./tools/connection";
import { checkInput, RETRYABLE_FAILURES, withinTimeLimit } from "./tools/manager";
import { redactText, redactValue, secretsOf } from "./tools/redact";
import type { ToolAction, ToolActor, ToolChange, ToolConnection, ToolRegistry } from "./tools/registry";

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
  /**
   * The tenant's connection the action runs with (server/connections), for actions of connectors that
   * are not built-in; its credentials reach the driver for this call only. Ignored by built-in ones.
   */
  connectionId?: string;
};

/** A person, as the principal of what only people do (testing a connection). */
export type UserKernelContext = { tenantId: string; principal: Extract<PrincipalRef, { type: "user" }> };

/**
 * What a syscall would do, for an approver to see before saying yes: the access decision it would
 * get now, the connector's one-line description, and the changes its dry run computed without
 * writing anything. `syscallId` names this preview in the audit log (`syscall.previewed`).
 */
export type SyscallPreview = {
  syscallId: string;
  action: ActionName;
  connector: string;
  effect: Effect;
  reversible: boolean;
  /** The action that would undo this one. */
  compensation: ActionName | null;
  description: string;
  changes: ToolChange[];
  warnings: string[];
  decision: { decision: AccessDecision["decision"]; reasons: string[]; approvers?: Approver[] };
};

/** A connection test's result: the connector's own words, credentials blanked out. */
export type ConnectionTestResult = { ok: boolean; message: string };

/** Who resolves a conflict that a connector action escalates (issue 7's requests make it a task). */
const ESCALATE_TO = "role:admin" satisfies Approver;

export type SyscallResult =
  /** `replayed`: an earlier call with the same idempotency key succeeded; this is its stored output. */
  | { status: "succeeded"; syscallId: string; output: unknown; replayed: boolean; reasons: string[] }
  | { status: "denied"; syscallId: string; reasons: string[]; explanation: string | null }
  | { status: "approval_required"; syscallId: string; approvers: Approver[]; reasons: string[] }
  /** `retryable`: the connector may succeed if asked again (an outage, a timeout), unlike a refusal. */
  | { status: "failed"; syscallId: string; reasons: string[]; error: string; retryable: boolean }
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

  /**
   * The connector's pool, created the first time one of its actions runs: with the defaults, save
   * what the connector's manifest declares (`rateLimits`). An operator's later changes are kept.
   */
  private async connectorPool(connector: string): Promise<string> {
    const limits = this.options.tools.connector(connector)?.rateLimits ?? {};
    const definition = {
      ...connectorPoolDefaults(connector),
      ...(limits.concurrency !== undefined && { concurrency: limits.concurrency }),
      ...(limits.requestsPerMinute !== undefined && { requestsPerMinute: limits.requestsPerMinute }),
      ...(limits.tenantRequestsPerMinute !== undefined && {
        tenantRequestsPerMinute: limits.tenantRequestsPerMinute,
      }),
    };
    if (!this.pools.has(definition.id)) {
      await ensurePool(poolSql(poolOf(this.options.db())), definition);
      this.pools.add(definition.id);
    }
    return definition.id;
  }

  /**
   * Runs `work` in the connector's pool: it waits its turn like any shared resource. The scheduler's
   * refusals (a cancelled or invalid job) are AppErrors; `inPool` passes them on.
   */
  private async inPool<T>(
    ctx: KernelContext,
    connector: string,
    label: string,
    schedule: Pick<Syscall, "schedule" | "signal">,
    work: () => Promise<T>,
  ): Promise<T> {
    const poolId = await this.connectorPool(connector);
    const { value } = await this.options.scheduler().run(
      {
        poolId,
        tenantId: ctx.tenantId,
        agentKey: agentKeyOf(ctx.principal),
        runId: ctx.principal.type === "agent" ? (ctx.principal.runId ?? null) : null,
        label,
        priority: schedule.schedule?.priority,
        deadline: schedule.schedule?.deadline ?? null,
      },
      async () => ({ kind: "done", value: await work() }),
      { signal: schedule.signal },
    );
    return value;
  }

  /** Runs an allowed tool call in its connector's pool; the pool's refusal is the call's failure. */
  private async scheduled(
    ctx: KernelContext,
    syscall: Syscall,
    tool: ToolAction,
    call: () => Promise<BrokeredCall>,
  ): Promise<BrokeredCall> {
    try {
      return await this.inPool(ctx, tool.connector, syscall.action, syscall, call);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return {
        result: { status: "failed", kind: "failed", error: poolRefusal(error), leases: [], reclaimed: [] },
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
            ...approvalUserIds(syscall.approvals ?? []),
          ]),
          batch.flatMap(({ ctx }) => principalAgentIds(ctx.principal)),
          batch.flatMap(({ syscall }) => approvalDelegationIds(syscall.approvals ?? [])),
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
                this.decisionEntry(item.ctx, item.syscall, syscallId, principal, outcome, directory),
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
    // A principal that did not resolve was refused above; this only tells the compiler so.
    if ("problem" in principal) throw new AppError("INTERNAL", principal.message);
    // The approvals were verified when the call was decided (a bad one refuses it above).
    const actor = toolActor(
      ctx.principal,
      principal,
      (syscall.approvals ?? []).map((a) => a.approver),
    );
    // A bad input fails before the call takes a turn in its pool (or creates the pool): it writes
    // nothing but its audit entries. The broker checks again, for callers that reach it directly.
    const checked = tool && checkInput(tool, syscall.input);
    const { result, settle } = !tool
      ? noConnector(syscall.action)
      : checked && !checked.ok
        ? refusedInput(checked.error)
        : await this.scheduled(ctx, syscall, tool, () =>
            brokerCall(this.options.db(), tool, syscall.input, {
              tenantId: ctx.tenantId,
              syscallId,
              idempotencyKey: syscall.idempotencyKey ?? null,
              actor,
              connectionId: syscall.connectionId ?? null,
            }),
          );

    const escalatedTo = result.status === "conflict" && result.escalated ? ESCALATE_TO : null;
    const description = tool ? describeInput(tool, syscall.input) : null;
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
        ...(tool?.needsConnection && { connectionId: syscall.connectionId ?? null }),
        ...(description !== null && { description }),
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
        return {
          status: "failed",
          syscallId,
          reasons: decision.reasons,
          error: result.error,
          retryable: RETRYABLE_FAILURES.includes(result.kind),
        };
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

  /**
   * The "plan" step between an agent's prompt and a person's decision: what `syscall` would do, without
   * doing it. The input is checked against the action's schema (a bad one is a BAD_REQUEST naming the
   * problems, and nothing is written); access is decided exactly as `call` would decide it now; for a
   * write or destructive action that would be allowed or could be approved, the driver's dry run
   * computes the changes in a READ ONLY transaction (a dry run physically cannot write), with the
   * connection if the action needs one. A denied syscall gets no dry run: it would show someone
   * data the policies keep from them. Audited as one `syscall.previewed` entry.
   */
  async preview(ctx: KernelContext, syscall: Syscall): Promise<SyscallPreview> {
    const tool = this.options.tools.find(syscall.action);
    if (!tool) throw new AppError("BAD_REQUEST", `No installed connector provides ${syscall.action}`);
    const parsed = tool.input.safeParse(syscall.input);
    if (!parsed.success) {
      const fields: Record<string, string[]> = {};
      for (const issue of parsed.error.issues)
        (fields[["input", ...issue.path.map(String)].join(".")] ??= []).push(issue.message);
      throw new AppError(
        "BAD_REQUEST",
        `Invalid input for ${syscall.action}: ${z.prettifyError(parsed.error).replace(/\n/g, "; ")}`,
        { fields },
      );
    }
    const input = parsed.data;
    const { outcome, principal } = await this.decideOnly(ctx, syscall);
    const decision: SyscallPreview["decision"] =
      outcome.kind === "refused"
        ? { decision: "deny", reasons: outcome.reasons }
        : outcome.decision.decision === "require-approval"
          ? {
              decision: "require-approval",
              reasons: outcome.decision.reasons,
              approvers: outcome.decision.approvers,
            }
          : { decision: outcome.decision.decision, reasons: outcome.decision.reasons };

    const syscallId = randomUUID();
    const dryRun =
      tool.effect === "read" || decision.decision === "deny"
        ? { changes: [], warnings: [] }
        : "problem" in principal
          ? { changes: [], warnings: [] }
          : await this.dryRun(
              ctx,
              syscall,
              tool,
              input,
              syscallId,
              // A dry run shows what the call would do once approved.
              toolActor(ctx.principal, principal, [
                ...(syscall.approvals ?? []).map((a) => a.approver),
                ...(decision.approvers ?? []),
              ]),
            );
    const description = describeInput(tool, input) ?? this.requestPhrase(syscall);
    const preview: SyscallPreview = {
      syscallId,
      action: syscall.action,
      connector: tool.connector,
      effect: tool.effect,
      reversible: tool.reversible !== false,
      compensation: tool.reversible === false ? null : tool.reversible.by,
      description,
      changes: dryRun.changes,
      warnings: dryRun.warnings,
      decision,
    };
    await withTenantSql(this.options.db(), ctx.tenantId, (sql) =>
      appendAuditBatch(sql, ctx.tenantId, [
        {
          ...this.actorOf(ctx, principal),
          action: "syscall.previewed",
          resource: this.resourceOf(syscall),
          outcome:
            decision.decision === "allow"
              ? "allowed"
              : decision.decision === "deny"
                ? "denied"
                : "approval_required",
          reasons: decision.reasons,
          detail: {
            syscallId,
            syscall: syscall.action,
            request: this.requestPhrase(syscall),
            connector: tool.connector,
            effect: tool.effect,
            description,
            changes: dryRun.changes.length,
            warnings: dryRun.warnings.length,
            decision: decision.decision,
            approver: decision.approvers?.map(approverWords).join(" and ") ?? null,
          },
        },
      ]),
    );
    return preview;
  }

  /** The access decision `call` would make now, with nothing audited (preview audits its own entry). */
  private async decideOnly(
    ctx: KernelContext,
    syscall: Syscall,
  ): Promise<{ outcome: Decided; principal: ResolvedPrincipal | Unresolved }> {
    const evaluator = this.options.evaluator ?? liveEvaluator;
    const opening = [
      directoryStatement(
        ctx.tenantId,
        [
          ...principalUserIds(ctx.principal),
          ...resourceUserIds(syscall.resource),
          ...approvalUserIds(syscall.approvals ?? []),
        ],
        principalAgentIds(ctx.principal),
        approvalDelegationIds(syscall.approvals ?? []),
      ),
    ];
    return withTenantSql(
      this.options.db(),
      ctx.tenantId,
      async (sql, [directoryRows = []]) => {
        const now = this.now();
        const directory = parseDirectory(directoryRows);
        await ensureLoaded(sql, ctx.tenantId, now, evaluator, directory.accessVersion);
        const principal = resolvePrincipal(directory, ctx.principal);
        return { principal, outcome: this.decide(evaluator, ctx, syscall, directory, principal, now) };
      },
      opening,
    );
  }

  /**
   * The driver's dry run for a preview, in the connector's pool and within the action's time limit.
   * Whatever goes wrong becomes a warning: a preview that cannot show the changes says so.
   */
  private async dryRun(
    ctx: KernelContext,
    syscall: Syscall,
    tool: ToolAction,
    input: unknown,
    syscallId: string,
    actor: ToolActor,
  ): Promise<{ changes: ToolChange[]; warnings: string[] }> {
    const { dryRun } = tool;
    if (!dryRun)
      return { changes: [], warnings: [`${tool.connector} cannot preview the changes of ${tool.action}`] };
    const db = this.options.db();
    let connection: ToolConnection | null = null;
    if (tool.needsConnection) {
      const loaded = await loadConnection(db, ctx.tenantId, tool.connector, syscall.connectionId);
      if (!loaded.ok)
        throw new AppError(
          loaded.missing ? "BAD_REQUEST" : "NOT_FOUND",
          `${syscall.action}: ${loaded.error}`,
        );
      connection = loaded.connection;
    }
    const secrets = secretsOf(connection);
    let result: Awaited<ReturnType<typeof withinTimeLimit<unknown>>>;
    try {
      result = await this.inPool(ctx, tool.connector, `${syscall.action} (dry run)`, syscall, () =>
        withinTimeLimit(tool.timeoutMs, `The dry run of ${tool.action}`, (signal) =>
          dryRun(input, {
            tenantId: ctx.tenantId,
            actor,
            syscallId,
            idempotencyKey: syscall.idempotencyKey ?? null,
            signal,
            tenant: tenantScope(db, ctx.tenantId, "read-only"),
            connection,
          }),
        ),
      );
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      result = { ok: false, error: poolRefusal(error) };
    }
    if (!result.ok)
      return {
        changes: [],
        warnings: [`Could not preview the changes: ${redactText(result.error, secrets)}`],
      };
    const checked = dryRunSchema.safeParse(redactValue(result.value, secrets));
    return checked.success
      ? checked.data
      : {
          changes: [],
          warnings: [`${tool.connector} described its changes in a form Tenet does not accept`],
        };
  }

  /**
   * "Test connection": the connector's own harmless authenticated request with that connection's
   * credentials, in the connector's pool like any call. The result sets the connection's status
   * ("working" or "failing") and is audited as `connection.tested`; the message, credentials blanked
   * out, is returned. Who may test is the caller's to check (owners and admins); the kernel takes a
   * person as principal.
   */
  async testConnection(ctx: UserKernelContext, connectionId: string): Promise<ConnectionTestResult> {
    if (ctx.principal.type !== "user") throw new AppError("FORBIDDEN", "Only people test connections");
    const db = this.options.db();
    const found = z.uuid().safeParse(connectionId).success
      ? await withTenant(db, { tenantId: ctx.tenantId }, async (tx) => ({
          row: await tx.connection.findUnique({
            where: { tenantId_id: { tenantId: ctx.tenantId, id: connectionId } },
            select: { id: true, connectorId: true, name: true },
          }),
          person: await userActor(tx, ctx.principal.userId),
        }))
      : null;
    const row = found?.row;
    if (!found || !row) throw notFound("Connection not found");
    const actor: ToolActor = { userId: ctx.principal.userId, agentId: null, label: found.person.label };
    const connector = this.options.tools.connector(row.connectorId);
    if (!connector) throw new AppError("BAD_REQUEST", `The ${row.connectorId} connector is not installed`);
    const { test } = connector;
    if (!test) throw new AppError("BAD_REQUEST", `${row.connectorId} connections cannot be tested`);

    const loaded = await loadConnection(db, ctx.tenantId, row.connectorId, row.id);
    let result: ConnectionTestResult;
    if (!loaded.ok) result = { ok: false, message: loaded.error };
    else {
      const { connection } = loaded;
      const secrets = secretsOf(connection);
      let ran: Awaited<ReturnType<typeof withinTimeLimit<string>>>;
      try {
        ran = await this.inPool(ctx, row.connectorId, "connection.test", {}, () =>
          withinTimeLimit(CONNECTION_TEST_MS, "The connection test", (signal) =>
            test({
              tenantId: ctx.tenantId,
              actor,
              syscallId: randomUUID(),
              idempotencyKey: null,
              signal,
              tenant: tenantScope(db, ctx.tenantId, "read-write"),
              connection,
            }),
          ),
        );
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        ran = { ok: false, error: poolRefusal(error) };
      }
      result = ran.ok
        ? { ok: true, message: redactText(String(ran.value), secrets) }
        : { ok: false, message: redactText(ran.error, secrets) };
    }

    await withTenant(db, { tenantId: ctx.tenantId }, async (tx) => {
      // Plain SQL so that updatedAt keeps saying when a person last changed the connection.
      const status = result.ok ? "working" : "failing";
      await tx.$executeRaw`UPDATE "Connection" SET status = ${status}::"ConnectionStatus"
        WHERE "tenantId" = ${ctx.tenantId}::uuid AND id = ${row.id}::uuid`;
      await appendAudit(tx, ctx.tenantId, {
        actor: found.person,
        action: "connection.tested",
        resource: { type: "connection", id: row.id, label: row.name },
        outcome: result.ok ? "succeeded" : "failed",
        detail: { connector: row.connectorId, name: row.name, message: result.message },
      });
    });
    return result;
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
    const approvals = verifyApprovals(directory, principal, syscall.approvals ?? [], now);
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
    directory: Directory,
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
            ? decision.approvers.map(approverWords).join(" and ")
            : null,
        explanation:
          outcome.kind === "refused"
            ? outcome.explanation
            : decision?.decision === "deny"
              ? (decision.explanation ?? null)
              : null,
        // A delegated approval is recorded with its delegation and the member it was given for.
        approvals: approvalsDetail(directory, syscall.approvals ?? []),
        skill: resolved?.skill ? { ...resolved.skill } : null,
        runId: ctx.principal.type === "agent" ? (ctx.principal.runId ?? null) : null,
        idempotencyKey: syscall.idempotencyKey ?? null,
        input: toDetail(syscall.input),
      },
    };
  }
}

/**
 * Who a connector call acts for, from the principal the kernel resolved: the person (an agent's
 * acting-for person, checked to be a member) and the agent. Its label is how a lease holder is named
 * to whoever it blocks: "Agent Room bot (for Alice)" or "Alice".
 */
function toolActor(
  ref: PrincipalRef,
  principal: ResolvedPrincipal,
  approvedBy: readonly Approver[] = [],
): ToolActor {
  const approved = approvedBy.length > 0 ? { approvedBy: [...new Set(approvedBy)] } : {};
  if (ref.type === "user") return { userId: ref.userId, agentId: null, label: principal.label, ...approved };
  const person = principal.actingFor ?? { id: ref.actingForUserId, label: "unknown user" };
  return {
    userId: person.id,
    agentId: ref.agentId,
    label: `Agent ${principal.label} (for ${person.label})`,
    ...approved,
  };
}

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

/** How long a connection test may take. */
const CONNECTION_TEST_MS = 30_000;

/** What a dry run must answer: connectors/sdk.ts's DryRun, checked before an approver sees it. */
const dryRunSchema = z.object({
  changes: z.array(
    z.object({
      op: z.enum(["create", "update", "delete"]),
      object: z.string(),
      fields: z
        .record(z.string(), z.object({ from: z.json().optional(), to: z.json().optional() }))
        .optional(),
    }),
  ),
  warnings: z.array(z.string()),
});

/** The scheduler's refusal to run a job, as a call's failure. */
const poolRefusal = (error: AppError) =>
  error instanceof SyscallCancelled ? "The syscall was cancelled before it ran" : error.message;

/** The connector's one line for this input, or null for an input its schema refuses. */
function describeInput(tool: ToolAction, input: unknown): string | null {
  const parsed = tool.input.safeParse(input);
  if (!parsed.success) return null;
  try {
    return tool.describe(parsed.data);
  } catch {
    // A describe that throws is a connector bug; the request phrase still says what was asked.
    return null;
  }
}

const refusedInput = (error: string): BrokeredCall => ({
  result: { status: "failed", kind: "invalid-input", error, leases: [], reclaimed: [] },
  settle: null,
});

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
