import { createHash } from "node:crypto";
import { z } from "zod";
import type { PrismaClient } from "@/server/db/client";
import { withTenantSql } from "@/server/db/scope";
import type { Sql } from "@/server/db/sql";
import { canonicalJson, type JsonValue } from "@/server/kernel/audit/canonical-json";
import { decide, type BrokerState, type Decision, type HeldLease } from "./admission";
import { canonicalClaims, lockId, showClaim, type Claim } from "./leases";
import {
  checkInput,
  checkOutput,
  messageOf,
  runChecked,
  type ToolFailure,
  type ToolOutcome,
} from "./manager";
import { loadConnection, tenantScope } from "./connection";
import { redactText, redactValue, secretsOf, type Secrets } from "./redact";
import { leaseTtlOf, type ToolAction, type ToolActor, type ToolConnection } from "./registry";

/**
 * The tool manager's broker: the one way the kernel calls a connector action. Before the driver runs
 * it checks the input and the leases the action declares. A call with an idempotency key, leases or
 * a parallel limit is then admitted in one short transaction, under advisory locks that every app
 * process takes in the same order: a repeated key is answered from the stored output, a live lease
 * on a business object the call claims is met with a conflict (or waited behind, or escalated, as
 * the action declares), leases whose holders expired are taken over, a full set of parallel slots is
 * waited out, and the call and its leases are recorded. The driver runs outside any transaction; the
 * call's end is recorded and its leases released by `settle`, which the kernel runs in the
 * transaction that audits the outcome.
 *
 * State lives in "ToolCall" and "ToolLease" (prisma/schema.prisma), read and written with plain SQL
 * because this is on the path of every syscall.
 */

export type BrokerContext = {
  tenantId: string;
  syscallId: string;
  idempotencyKey: string | null;
  /**
   * Who the call acts for, as the kernel verified it: the driver acts as this person, and its label
   * is shown to whoever a lease of this call blocks.
   */
  actor: ToolActor;
  /** The tenant's connection the call runs with; required for actions that need a connection. */
  connectionId?: string | null;
};

export type LeaseHolder = { syscallId: string; label: string | null };
export type ReclaimedLease = { lease: string; from: LeaseHolder };

export type Brokered =
  | {
      status: "succeeded";
      output: unknown;
      /** The syscall whose stored output this is, when an idempotency key was repeated. */
      replayedFrom: string | null;
      leases: string[];
      reclaimed: ReclaimedLease[];
    }
  | { status: "failed"; kind: ToolFailure; error: string; leases: string[]; reclaimed: ReclaimedLease[] }
  | { status: "conflict"; resource: string; heldBy: LeaseHolder; escalated: boolean; error: string };

/**
 * A brokered call's result and, for a call that ran, `settle`: it records the end and releases the
 * leases in the caller's transaction (the kernel's outcome audit), so a call is finished in the
 * database exactly when its outcome is in the audit log. Should that transaction fail, the kernel
 * settles alone; should the process die first, the leases lapse at their expiry.
 */
export type BrokeredCall = { result: Brokered; settle: ((sql: Sql) => Promise<void>) | null };

type Plan = {
  tool: ToolAction;
  ctx: BrokerContext;
  inputHash: string;
  claims: Claim[];
  ttlMs: number;
};

const failure = (kind: ToolFailure, error: string): Brokered => ({
  status: "failed",
  kind,
  error,
  leases: [],
  reclaimed: [],
});
const answered = (result: Brokered): BrokeredCall => ({ result, settle: null });

export async function brokerCall(
  db: PrismaClient,
  tool: ToolAction,
  input: unknown,
  ctx: BrokerContext,
): Promise<BrokeredCall> {
  const checked = checkInput(tool, input);
  if (!checked.ok) return answered(failure(checked.kind, checked.error));
  let claims: Claim[];
  try {
    claims = canonicalClaims(tool.leases?.(checked.input) ?? []);
  } catch (error) {
    const problem = `${tool.connector} declared an invalid lease for ${tool.action}: ${messageOf(error)}`;
    return answered(failure("failed", problem));
  }
  const plan: Plan = { tool, ctx, inputHash: hashInput(checked.input), claims, ttlMs: leaseTtlOf(tool) };

  // The connection is loaded (and its credentials decrypted) for this call only, before anything is
  // recorded: a call that cannot have its connection fails like one with a bad input.
  let connection: ToolConnection | null = null;
  if (tool.needsConnection) {
    const loaded = await loadConnection(db, ctx.tenantId, tool.connector, ctx.connectionId);
    if (!loaded.ok) return answered(failure("failed", `${tool.action}: ${loaded.error}`));
    connection = loaded.connection;
  }
  const secrets = secretsOf(connection);

  // A call with nothing to coordinate is recorded once, when it ends, in the transaction that audits
  // it: nobody needs to see it while it runs, and it costs the syscall no transaction of its own.
  const admission = coordinated(plan) ? await admit(db, plan) : null;
  if (admission?.kind === "answered") return answered(admission.result);

  const started = process.hrtime.bigint();
  const outcome = redactOutcome(
    await runChecked(tool, checked.input, {
      tenantId: ctx.tenantId,
      actor: ctx.actor,
      syscallId: ctx.syscallId,
      idempotencyKey: ctx.idempotencyKey,
      tenant: tenantScope(db, ctx.tenantId, "read-write"),
      connection,
    }),
    secrets,
  );
  const tookMs = Number((process.hrtime.bigint() - started) / 1_000_000n);
  const leases = claims.map(showClaim);
  const reclaimed = admission?.reclaimed ?? [];
  return {
    result: outcome.ok
      ? { status: "succeeded", output: outcome.output, replayedFrom: null, leases, reclaimed }
      : { status: "failed", kind: outcome.kind, error: outcome.error, leases, reclaimed },
    settle: admission ? (sql) => settle(sql, ctx, outcome) : (sql) => recordEnded(sql, plan, outcome, tookMs),
  };
}

/** A driver's outcome with its connection's credentials blanked out (redact.ts). */
function redactOutcome(outcome: ToolOutcome, secrets: Secrets): ToolOutcome {
  if (secrets.length === 0) return outcome;
  return outcome.ok
    ? { ok: true, output: redactValue(outcome.output, secrets) }
    : { ok: false, kind: outcome.kind, error: redactText(outcome.error, secrets) };
}

type Admission =
  | { kind: "admitted"; reclaimed: ReclaimedLease[] }
  | { kind: "answered"; result: Brokered }
  /** Not now: try again until `limitMs` after the first attempt, then answer `giveUp`. */
  | { kind: "blocked"; limitMs: number; giveUp: Brokered };

/** Admission attempts until one admits or answers, waiting between them within the blocker's limit. */
async function admit(db: PrismaClient, plan: Plan): Promise<Exclude<Admission, { kind: "blocked" }>> {
  const start = Date.now();
  for (let attempt = 0; ; attempt++) {
    const admission = await admitOnce(db, plan);
    if (admission.kind !== "blocked") return admission;
    const left = start + admission.limitMs - Date.now();
    if (left <= 0) return { kind: "answered", result: admission.giveUp };
    // Polling, from 5 ms up to 100 ms with jitter: holders finish in milliseconds to seconds, and
    // a process that stopped is noticed by expiry, not by a message it can no longer send.
    const pause = Math.min(100, 5 * 1.5 ** attempt) * (0.5 + Math.random());
    await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
  }
}

/** Whether a call needs admission before it runs: an idempotency key, leases or a parallel limit. */
const coordinated = ({ tool, ctx, claims }: Plan) =>
  ctx.idempotencyKey !== null || claims.length > 0 || tool.maxParallel !== undefined;

/** One admission transaction. */
async function admitOnce(db: PrismaClient, plan: Plan): Promise<Admission> {
  const { tool, ctx } = plan;
  return withTenantSql(
    db,
    ctx.tenantId,
    async (sql) => {
      const state = await readState(sql, plan);
      const decision = decide(
        {
          inputHash: plan.inputHash,
          idempotencyKey: ctx.idempotencyKey,
          maxParallel: tool.maxParallel ?? null,
        },
        state,
      );
      if (decision.kind !== "admit") return notAdmitted(plan, decision);
      return { kind: "admitted", reclaimed: await record(sql, plan, decision.reclaim, decision.abandoned) };
    },
    lockStatements(plan),
  );
}

/** What a decision other than "admit" means for this call, under its action's declarations. */
function notAdmitted({ tool, ctx, ttlMs }: Plan, decision: Exclude<Decision, { kind: "admit" }>): Admission {
  switch (decision.kind) {
    case "replay": {
      // Checked again: the stored output is trusted no more than a driver's.
      const replayed = checkOutput(tool, decision.output);
      return {
        kind: "answered",
        result: replayed.ok
          ? {
              status: "succeeded",
              output: replayed.output,
              replayedFrom: decision.syscallId,
              leases: [],
              reclaimed: [],
            }
          : failure(replayed.kind, `Stored output: ${replayed.error}`),
      };
    }
    case "refuse":
      return { kind: "answered", result: failure("invalid-input", decision.error) };
    case "conflict": {
      const conflict = conflictOf(decision.lease, tool.onConflict === "escalate");
      return tool.onConflict === "wait"
        ? { kind: "blocked", limitMs: tool.conflictWaitMs ?? tool.timeoutMs, giveUp: conflict }
        : { kind: "answered", result: conflict };
    }
    case "wait":
      return decision.reason === "slot"
        ? {
            kind: "blocked",
            limitMs: tool.timeoutMs,
            giveUp: failure(
              "busy",
              `${tool.action} had no free slot within ${tool.timeoutMs} ms (at most ${tool.maxParallel} at once)`,
            ),
          }
        : {
            // The first call's record lapses within its lease time; after that this one runs.
            kind: "blocked",
            limitMs: ttlMs,
            giveUp: failure(
              "busy",
              `An earlier call with idempotency key ${JSON.stringify(ctx.idempotencyKey)} is still running`,
            ),
          };
  }
}

function conflictOf(lease: HeldLease, escalated: boolean): Brokered {
  const resource = showClaim(lease);
  const heldBy = { syscallId: lease.syscallId, label: lease.holder };
  return {
    status: "conflict",
    resource,
    heldBy,
    escalated,
    error: `${resource} is held by ${lease.holder ?? "another call"} (syscall ${lease.syscallId})`,
  };
}

/**
 * The advisory locks a call's admission takes, as statements sent with BEGIN: its idempotency key,
 * its action's parallel slots, and each key it claims, in ascending lock id. One global order means
 * two admissions can wait for each other's locks but never deadlock; taking all of them before
 * reading means no other process can admit a conflicting call between the read and the write.
 */
function lockStatements({ tool, ctx, claims }: Plan): string[] {
  const names = [
    ...(ctx.idempotencyKey === null ? [] : [`call:${ctx.tenantId}:${tool.action}:${ctx.idempotencyKey}`]),
    ...(tool.maxParallel === undefined ? [] : [`slots:${ctx.tenantId}:${tool.action}`]),
    ...claims.map((claim) => `lease:${ctx.tenantId}:${claim.key}`),
  ];
  const ids = [...new Set(names.map(lockId))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return ids.map((id) => `SELECT pg_advisory_xact_lock('${id}'::bigint)`);
}

const stateRow = z.object({
  previous: z
    .object({
      syscallId: z.string(),
      state: z.enum(["running", "succeeded", "failed"]),
      output: z.unknown(),
      inputHash: z.string(),
      expired: z.boolean(),
    })
    .nullable(),
  running: z.coerce.number().int().nullable(),
  held: z.array(
    z.object({
      id: z.string(),
      key: z.string(),
      from: z.coerce.date().nullable(),
      to: z.coerce.date().nullable(),
      syscallId: z.string(),
      holder: z.string().nullable(),
      expired: z.boolean(),
    }),
  ),
});

/**
 * Everything admission looks at, in one statement: the call with this idempotency key that counts
 * (a succeeded one, else a live running one, else the latest), how many calls of the action run
 * now, and the unreleased leases that overlap this call's claims, in canonical order.
 */
const READ_STATE = `
SELECT
  (SELECT json_build_object('syscallId', c."syscallId", 'state', c.state, 'output', c.output,
            'inputHash', c."inputHash",
            'expired', coalesce(c.state = 'running' AND c."expiresAt" <= clock_timestamp(), false))
     FROM "ToolCall" c
    WHERE $3::text IS NOT NULL AND c."tenantId" = $1::uuid AND c.action = $2 AND c."idempotencyKey" = $3
    ORDER BY CASE WHEN c.state = 'succeeded' THEN 0
                  WHEN c.state = 'running' AND c."expiresAt" > clock_timestamp() THEN 1 ELSE 2 END,
             c."startedAt" DESC
    LIMIT 1) AS previous,
  CASE WHEN $7::boolean THEN
    (SELECT count(*) FROM "ToolCall" c
      WHERE c."tenantId" = $1::uuid AND c.action = $2 AND c.state = 'running' AND c."expiresAt" > clock_timestamp())::text
  END AS running,
  (SELECT coalesce(json_agg(h ORDER BY h.key, h."from" NULLS FIRST, h.id), '[]'::json) FROM (
     SELECT l.id, l.key, l."from", l."to", l."syscallId", l.holder, l."expiresAt" <= clock_timestamp() AS expired
       FROM "ToolLease" l
      WHERE l."tenantId" = $1::uuid AND l.key = ANY($4::text[]) AND l."releasedAt" IS NULL
        AND EXISTS (
          SELECT 1 FROM unnest($4::text[], $5::timestamptz[], $6::timestamptz[]) AS c(key, "from", "to")
           WHERE c.key = l.key AND tstzrange(c."from", c."to", '[)') && tstzrange(l."from", l."to", '[)'))
   ) h) AS held`;

async function readState(sql: Sql, { tool, ctx, claims }: Plan): Promise<BrokerState> {
  const [row] = await sql.query(READ_STATE, [
    ctx.tenantId,
    tool.action,
    ctx.idempotencyKey,
    claims.map((c) => c.key),
    claims.map((c) => c.from),
    claims.map((c) => c.to),
    tool.maxParallel !== undefined,
  ]);
  return stateRow.parse(row);
}

const ABANDONED = "Abandoned: it did not record an outcome before it expired (its process stopped)";

/**
 * Admits the call in one statement: marks expired running calls failed (this action's, and the
 * holders of the leases being taken over), takes over the expired leases (recording by whom), and
 * records the call and its leases, all stamped with one database clock reading. Returns the leases
 * actually taken over. Rows that another transaction has locked are skipped rather than waited for:
 * that is a late holder recording its end right now (its own write says what became of it), and
 * waiting while holding the advisory locks is how lock cycles with such a holder would start.
 */
const RECORD = `
WITH now AS (SELECT clock_timestamp() AS t),
abandoned AS (
  UPDATE "ToolCall" c SET state = 'failed', error = $14, "finishedAt" = now.t, "expiresAt" = NULL
    FROM now
   WHERE c."syscallId" IN (
     SELECT x."syscallId" FROM "ToolCall" x
      WHERE x."tenantId" = $1::uuid AND x.state = 'running' AND x."expiresAt" <= clock_timestamp()
        AND (x.action = $3 OR x."syscallId" = ANY($9::uuid[]))
        FOR UPDATE OF x SKIP LOCKED)
),
reclaimed AS (
  UPDATE "ToolLease" l SET "releasedAt" = now.t, "reclaimedBy" = $2::uuid
    FROM now
   WHERE l.id IN (
     SELECT y.id FROM "ToolLease" y
      WHERE y."tenantId" = $1::uuid AND y.id = ANY($8::uuid[]) AND y."releasedAt" IS NULL
        FOR UPDATE OF y SKIP LOCKED)
  RETURNING l.id
),
call AS (
  INSERT INTO "ToolCall" ("syscallId", "tenantId", action, connector, "idempotencyKey", "inputHash", state,
                          "startedAt", "expiresAt")
  SELECT $2::uuid, $1::uuid, $3, $4, $5, $6, 'running', now.t, now.t + $7::int * interval '1 millisecond' FROM now
  RETURNING "syscallId"
),
leases AS (
  INSERT INTO "ToolLease" (id, "tenantId", key, "from", "to", "syscallId", holder, "acquiredAt", "expiresAt")
  SELECT gen_random_uuid(), $1::uuid, c.key, c."from", c."to", call."syscallId", $13, now.t,
         now.t + $7::int * interval '1 millisecond'
    FROM unnest($10::text[], $11::timestamptz[], $12::timestamptz[]) AS c(key, "from", "to"), call, now
)
SELECT coalesce((SELECT json_agg(id) FROM reclaimed), '[]'::json) AS reclaimed`;

async function record(
  sql: Sql,
  { tool, ctx, inputHash, claims, ttlMs }: Plan,
  reclaim: readonly HeldLease[],
  abandoned: readonly string[],
): Promise<ReclaimedLease[]> {
  const [row] = await sql.query(RECORD, [
    ctx.tenantId,
    ctx.syscallId,
    tool.action,
    tool.connector,
    ctx.idempotencyKey,
    inputHash,
    ttlMs,
    reclaim.map((lease) => lease.id),
    abandoned,
    claims.map((c) => c.key),
    claims.map((c) => c.from),
    claims.map((c) => c.to),
    ctx.actor.label,
    ABANDONED,
  ]);
  const taken = new Set(z.object({ reclaimed: z.array(z.string()) }).parse(row).reclaimed);
  return reclaim
    .filter((lease) => taken.has(lease.id))
    .map((lease) => ({ lease: showClaim(lease), from: { syscallId: lease.syscallId, label: lease.holder } }));
}

/** An uncoordinated call's record, written when it has ended; its start is taken back from its duration. */
const RECORD_ENDED = `
INSERT INTO "ToolCall" ("syscallId", "tenantId", action, connector, "inputHash", state, output, error,
                        "startedAt", "finishedAt")
SELECT $2::uuid, $1::uuid, $3, $4, $5, $6::"ToolCallState", $7::jsonb, $8, t - $9::int * interval '1 millisecond', t
  FROM (SELECT clock_timestamp() AS t) now`;

async function recordEnded(sql: Sql, { tool, ctx, inputHash }: Plan, outcome: ToolOutcome, tookMs: number) {
  await sql.query(RECORD_ENDED, [
    ctx.tenantId,
    ctx.syscallId,
    tool.action,
    tool.connector,
    inputHash,
    outcome.ok ? "succeeded" : "failed",
    outcome.ok ? storableJson(outcome.output) : null,
    outcome.ok ? null : outcome.error,
    tookMs,
  ]);
}

const SETTLE = `
WITH done AS (
  UPDATE "ToolCall" SET state = $3::"ToolCallState", output = $4::jsonb, error = $5,
                        "finishedAt" = clock_timestamp(), "expiresAt" = NULL
   WHERE "tenantId" = $1::uuid AND "syscallId" = $2::uuid
)
UPDATE "ToolLease" SET "releasedAt" = clock_timestamp()
 WHERE "tenantId" = $1::uuid AND "syscallId" = $2::uuid AND "releasedAt" IS NULL`;

/** Records an admitted call's end and gives its leases back (a lease already taken over stays so). */
async function settle(sql: Sql, ctx: BrokerContext, outcome: ToolOutcome): Promise<void> {
  await sql.query(SETTLE, [
    ctx.tenantId,
    ctx.syscallId,
    outcome.ok ? "succeeded" : "failed",
    outcome.ok ? storableJson(outcome.output) : null,
    outcome.ok ? null : outcome.error,
  ]);
}

/** JSON text PostgreSQL's jsonb accepts: it refuses the NUL character, which JSON allows in strings. */
function storableJson(value: unknown): string {
  return (
    JSON.stringify(value, (_key, member: unknown) =>
      typeof member === "string" ? member.replaceAll("\0", "\uFFFD") : member,
    ) ?? "null"
  );
}

/** The fingerprint of a checked input that an idempotency key is bound to. */
function hashInput(input: unknown): string {
  const json: JsonValue = JSON.parse(storableJson(input)) as JsonValue;
  return createHash("sha256").update(canonicalJson(json)).digest("hex");
}
