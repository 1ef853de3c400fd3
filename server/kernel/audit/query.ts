import { z } from "zod";
import type { Prisma } from "@/server/db/client";
import { AppError, notFound } from "@/server/errors";
import type { TenantContext } from "@/server/tenancy/context";
import type { Role } from "@/server/tenancy/roles";
import { verificationMessage } from "./chain-check";
import { exportCheckpoints, type CheckpointExport } from "./checkpoint";
import { AUDIT_ACTOR_TYPES, AUDIT_OUTCOMES, type AuditRecord } from "./entry";
import { appendAudit, userActor } from "./log";
import { describeAuditEntry } from "./sentence";
import { verifyChain, type VerifyResult } from "./verify";

/** Who may read the tenant's audit log (the audit console, exports). */
export const AUDIT_READERS = ["owner", "admin"] as const satisfies readonly Role[];

export function canReadAuditLog(role: Role): boolean {
  return (AUDIT_READERS as readonly Role[]).includes(role);
}

function assertMayRead(ctx: TenantContext): void {
  if (!canReadAuditLog(ctx.actor.role)) {
    throw new AppError("FORBIDDEN", "Only owners and admins can read the audit log");
  }
}

const outcome = z.enum(AUDIT_OUTCOMES);
const seqSchema = z.union([
  z.bigint().positive(),
  z
    .string()
    .regex(/^[1-9][0-9]{0,18}$/)
    .transform(BigInt),
]);

export const auditFilterSchema = z
  .object({
    actorType: z.enum(AUDIT_ACTOR_TYPES).optional(),
    actorId: z.string().min(1).max(200).optional(),
    /** Matched, ignoring case, against the actor's label only (the name shown for them). */
    actorLabel: z.string().trim().max(200).optional(),
    /** "member." matches every member action; "member.role_changed" just that one. */
    actionPrefix: z
      .string()
      .max(100)
      .regex(/^[a-z0-9_.]*$/, "Use lowercase letters, digits, dots and underscores")
      .optional(),
    outcome: z.union([outcome, z.array(outcome).min(1)]).optional(),
    /** Inclusive. */
    from: z.coerce.date().optional(),
    /** Exclusive. */
    to: z.coerce.date().optional(),
    /** Matched, ignoring case, against the actor, on-behalf-of and resource labels. */
    text: z.string().trim().max(200).optional(),
  })
  // from = to is an empty range (to is exclusive), which matches nothing rather than being an error.
  .refine((f) => !f.from || !f.to || f.from <= f.to, {
    path: ["to"],
    message: "The end must not be before the start",
  });
export type AuditFilter = z.input<typeof auditFilterSchema>;

export const listAuditInput = z.object({
  filter: auditFilterSchema.default({}),
  /** The `nextCursor` of the previous page: entries older than it. */
  cursor: seqSchema.optional(),
  limit: z.number().int().min(1).max(200).default(50),
});

export type AuditEntryView = Omit<AuditRecord, "detail"> & { detail: Prisma.JsonValue; sentence: string };

// Prisma sends `contains` / `startsWith` to PostgreSQL as LIKE patterns without escaping them, so a
// "%" or "_" typed into the search box would be a wildcard.
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

function whereOf(tenantId: string, f: z.output<typeof auditFilterSchema>): Prisma.AuditEntryWhereInput {
  const text = f.text ? { contains: likeLiteral(f.text), mode: "insensitive" as const } : undefined;
  return {
    tenantId,
    actorType: f.actorType,
    actorId: f.actorId,
    actorLabel: f.actorLabel ? { contains: likeLiteral(f.actorLabel), mode: "insensitive" } : undefined,
    action: f.actionPrefix ? { startsWith: likeLiteral(f.actionPrefix) } : undefined,
    outcome: f.outcome === undefined ? undefined : { in: Array.isArray(f.outcome) ? f.outcome : [f.outcome] },
    at: f.from || f.to ? { gte: f.from, lt: f.to } : undefined,
    OR: text ? [{ actorLabel: text }, { onBehalfOfLabel: text }, { resourceLabel: text }] : undefined,
  };
}

function toView(row: Prisma.AuditEntryGetPayload<object>): AuditEntryView {
  return { ...row, sentence: describeAuditEntry(row) };
}

/** One page of the tenant's log, newest first, for the audit console. */
export async function listAuditEntries(
  ctx: TenantContext,
  input: z.input<typeof listAuditInput>,
): Promise<{ entries: AuditEntryView[]; nextCursor: string | null }> {
  assertMayRead(ctx);
  const { filter, cursor, limit } = listAuditInput.parse(input);
  const where = whereOf(ctx.tenantId, filter);
  const rows = await ctx.db.auditEntry.findMany({
    where: cursor === undefined ? where : { AND: [where, { seq: { lt: cursor } }] },
    orderBy: { seq: "desc" },
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    entries: page.map(toView),
    nextCursor: rows.length > limit && last ? last.seq.toString() : null,
  };
}

/** One entry by its sequence number, with every field, for the console's detail view. */
export async function getAuditEntry(ctx: TenantContext, seq: bigint): Promise<AuditEntryView> {
  assertMayRead(ctx);
  const row = await ctx.db.auditEntry.findUnique({
    where: { tenantId_seq: { tenantId: ctx.tenantId, seq } },
  });
  if (!row) throw notFound("No audit entry has that number");
  return toView(row);
}

export type LogVerification = VerifyResult & {
  /** The signed checkpoint verification started from, or null when it read the whole log. */
  fromCheckpoint: bigint | null;
  /** One sentence for the console: "Chain intact: 12 entries verified" or where it broke. */
  message: string;
};

/**
 * Verifies the tenant's chain for the audit console: the whole log, or from the latest signed
 * checkpoint (trusting its signed hash and reading only what came after). With no checkpoint yet,
 * "from the last checkpoint" reads the whole log.
 */
export async function verifyAuditLog(
  ctx: TenantContext,
  input: { scope: "full" | "since_checkpoint" },
): Promise<LogVerification> {
  assertMayRead(ctx);
  const from =
    input.scope === "since_checkpoint"
      ? await ctx.db.auditCheckpoint.findFirst({
          where: { tenantId: ctx.tenantId },
          orderBy: { seq: "desc" },
        })
      : null;
  const result = await verifyChain(ctx.db, ctx.tenantId, from ? { from } : {});
  const fromCheckpoint = from?.seq ?? null;
  return { ...result, fromCheckpoint, message: verificationMessage(result, fromCheckpoint) };
}

/** The tenant's signed checkpoints and the public key that verifies them, to keep outside Tenet. */
export async function auditCheckpoints(ctx: TenantContext): Promise<CheckpointExport> {
  assertMayRead(ctx);
  return exportCheckpoints(ctx.db, ctx.tenantId);
}

/** More than this is a request for the whole log: narrow the range, or verify with verifyChain. */
export const MAX_EXPORT_ENTRIES = 100_000;
const EXPORT_BATCH = 1_000;

export type AuditExport = { filename: string; contentType: string; count: number; body: string };

const CSV_COLUMNS = [
  "seq",
  "at",
  "actor_type",
  "actor_id",
  "actor",
  "on_behalf_of_id",
  "on_behalf_of",
  "action",
  "resource_type",
  "resource_id",
  "resource",
  "outcome",
  "reasons",
  "sentence",
  "detail",
  "prev_hash",
  "hash",
] as const;

/**
 * One CSV field (RFC 4180): quoted when it holds a quote, comma or line break, quotes doubled. A value
 * that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe
 * (OWASP "CSV injection"): labels are names people chose, and exports are opened by admins.
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function csvRow(e: AuditEntryView): string {
  const cells: Record<(typeof CSV_COLUMNS)[number], string> = {
    seq: e.seq.toString(),
    at: e.at.toISOString(),
    actor_type: e.actorType,
    actor_id: e.actorId ?? "",
    actor: e.actorLabel,
    on_behalf_of_id: e.onBehalfOfId ?? "",
    on_behalf_of: e.onBehalfOfLabel ?? "",
    action: e.action,
    resource_type: e.resourceType ?? "",
    resource_id: e.resourceId ?? "",
    resource: e.resourceLabel ?? "",
    outcome: e.outcome,
    reasons: e.reasons.join(" "),
    sentence: e.sentence,
    detail: JSON.stringify(e.detail),
    prev_hash: e.prevHash,
    hash: e.hash,
  };
  return CSV_COLUMNS.map((c) => csvField(cells[c])).join(",");
}

/**
 * The filtered entries, oldest first, as JSON (every field, so each entry's hash can be recomputed) or
 * CSV. Exporting is itself recorded in the log ("audit.exported").
 */
export async function exportAuditEntries(
  ctx: TenantContext,
  input: { filter?: AuditFilter; format: "json" | "csv" },
): Promise<AuditExport> {
  assertMayRead(ctx);
  const filter = auditFilterSchema.parse(input.filter ?? {});
  const where = whereOf(ctx.tenantId, filter);
  const entries: AuditEntryView[] = [];
  let after = 0n;
  for (;;) {
    const rows = await ctx.db.auditEntry.findMany({
      where: { AND: [where, { seq: { gt: after } }] },
      orderBy: { seq: "asc" },
      take: EXPORT_BATCH,
    });
    if (entries.length + rows.length > MAX_EXPORT_ENTRIES) {
      throw new AppError(
        "BAD_REQUEST",
        `More than ${MAX_EXPORT_ENTRIES.toLocaleString("en")} entries match; narrow the time range`,
      );
    }
    entries.push(...rows.map(toView));
    const last = rows.at(-1);
    if (!last || rows.length < EXPORT_BATCH) break;
    after = last.seq;
  }

  const stamp = new Date().toISOString();
  const filename = `audit-${ctx.tenantId}-${stamp.replace(/[:.]/g, "-")}.${input.format}`;
  const body =
    input.format === "csv"
      ? [CSV_COLUMNS.join(","), ...entries.map(csvRow)].join("\r\n") + "\r\n"
      : JSON.stringify({
          format: "tenet-audit-export/v1",
          tenantId: ctx.tenantId,
          exportedAt: stamp,
          filter,
          count: entries.length,
          entries: entries.map((e) => ({ ...e, seq: e.seq.toString(), at: e.at.toISOString() })),
        });
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action: "audit.exported",
    outcome: "succeeded",
    detail: { format: input.format, count: entries.length, filter },
  });
  return {
    filename,
    contentType: input.format === "csv" ? "text/csv; charset=utf-8" : "application/json",
    count: entries.length,
    body,
  };
}
