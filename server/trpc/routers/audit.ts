/**
 * The audit console's API, for owners and admins. Thin over server/kernel/audit/query.ts: these schemas
 * are the console's flat inputs (so a bad field is named on its own), mapped to the domain's filter.
 */
import { z } from "zod";
import { AUDIT_ACTOR_TYPES, AUDIT_OUTCOMES } from "@/server/kernel/audit/entry";
import {
  auditCheckpoints,
  exportAuditEntries,
  getAuditEntry,
  listAuditEntries,
  verifyAuditLog,
  type AuditFilter,
} from "@/server/kernel/audit/query";
import { adminProcedure, router } from "../trpc";

// ─── Inputs ──────────────────────────────────────────────────────────────────────────────────────

// Up to 18 digits: always within PostgreSQL's bigint, so no input reaches the database as an overflow.
const seqText = (message: string) => z.string().regex(/^[1-9][0-9]{0,17}$/, message);

const date = z
  .date({ error: "Not a valid date" })
  .min(new Date("2000-01-01T00:00:00Z"), "Choose a date from the year 2000 on")
  .max(new Date("9999-12-31T23:59:59Z"), "Choose a date before the year 10000");

const filterShape = {
  /** Part of the actor's name, ignoring case. */
  actor: z.string().trim().max(200, "Keep the actor to 200 characters or fewer").optional(),
  actorType: z.enum(AUDIT_ACTOR_TYPES, "Choose one of: user, agent, workflow, system").optional(),
  /** "member." matches every member action; "member.role_changed" just that one. */
  action: z
    .string()
    .trim()
    .max(100, "Keep the action to 100 characters or fewer")
    .regex(/^[a-z0-9_.]*$/, 'Use lowercase letters, digits, dots and underscores, e.g. "member."')
    .optional(),
  outcome: z.enum(AUDIT_OUTCOMES, `Choose one of: ${AUDIT_OUTCOMES.join(", ")}`).optional(),
  /** Inclusive. */
  from: date.optional(),
  /** Exclusive. */
  to: date.optional(),
  /** Part of the actor, on-behalf-of or resource name, ignoring case. */
  text: z.string().trim().max(200, "Keep the search to 200 characters or fewer").optional(),
};

const filterObject = z.object(filterShape);
type FilterInput = z.output<typeof filterObject>;

const rangeInOrder = (f: FilterInput) => !f.from || !f.to || f.from <= f.to;
const rangeMessage = { path: ["to"], message: "The end must not be before the start" };

function toFilter(f: FilterInput): AuditFilter {
  return {
    actorType: f.actorType,
    actorLabel: f.actor || undefined,
    actionPrefix: f.action || undefined,
    outcome: f.outcome,
    from: f.from,
    to: f.to,
    text: f.text || undefined,
  };
}

const listInput = filterObject
  .extend({
    /** The `nextCursor` of the previous page. */
    cursor: seqText("Not a valid page cursor").nullish(),
    limit: z
      .number()
      .int()
      .min(1, "Ask for at least 1 entry")
      .max(100, "Ask for 100 entries or fewer")
      .default(50),
  })
  .refine(rangeInOrder, rangeMessage);

const exportInput = filterObject
  .extend({ format: z.enum(["json", "csv"], "Choose json or csv") })
  .refine(rangeInOrder, rangeMessage);

// ─── Outputs ─────────────────────────────────────────────────────────────────────────────────────

const nullableText = z.string().nullable();

const entrySummary = z.object({
  seq: z.bigint(),
  at: z.date(),
  actorType: z.enum(AUDIT_ACTOR_TYPES),
  actorId: nullableText,
  actorLabel: z.string(),
  onBehalfOfLabel: nullableText,
  action: z.string(),
  resourceLabel: nullableText,
  outcome: z.enum(AUDIT_OUTCOMES),
  reasons: z.array(z.string()),
  sentence: z.string(),
});

const entryDetail = entrySummary.extend({
  onBehalfOfId: nullableText,
  resourceType: nullableText,
  resourceId: nullableText,
  /** The entry's JSON detail as stored (secrets were redacted before it was written). */
  detail: z.unknown(),
  prevHash: z.string(),
  hash: z.string(),
});

const verification = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  checkpoints: z.number().int(),
  head: z.object({ seq: z.bigint(), hash: z.string() }),
  firstBad: z.object({ seq: z.bigint(), reason: z.string(), message: z.string() }).nullable(),
  fromCheckpoint: z.bigint().nullable(),
  message: z.string(),
});

// ─── Procedures ──────────────────────────────────────────────────────────────────────────────────

export const auditRouter = router({
  /** One page of the log, newest first. */
  list: adminProcedure
    .input(listInput)
    .output(z.object({ entries: z.array(entrySummary), nextCursor: z.string().nullable() }))
    .query(({ ctx, input }) =>
      listAuditEntries(ctx.scope, {
        filter: toFilter(input),
        cursor: input.cursor ?? undefined,
        limit: input.limit,
      }),
    ),

  /** One entry with every field, by its sequence number in this tenant's log. */
  entry: adminProcedure
    .input(z.object({ seq: seqText("Not a valid entry number") }))
    .output(entryDetail)
    .query(({ ctx, input }) => getAuditEntry(ctx.scope, BigInt(input.seq))),

  /** Checks the hash chain and the signed checkpoints. */
  verify: adminProcedure
    .input(z.object({ scope: z.enum(["full", "since_checkpoint"], "Choose full or since_checkpoint") }))
    .output(verification)
    .query(async ({ ctx, input }) => {
      const result = await verifyAuditLog(ctx.scope, input);
      return { ...result, firstBad: result.firstBad ?? null };
    }),

  /** The filtered entries as a file; the export itself is recorded in the log. */
  export: adminProcedure
    .input(exportInput)
    .output(
      z.object({ filename: z.string(), contentType: z.string(), count: z.number().int(), body: z.string() }),
    )
    .mutation(({ ctx, input }) =>
      exportAuditEntries(ctx.scope, { filter: toFilter(input), format: input.format }),
    ),

  /** The signed checkpoints and the public key, to keep somewhere the database's admins cannot write. */
  checkpoints: adminProcedure
    .output(
      z.object({
        format: z.literal("tenet-audit-checkpoints/v1"),
        tenantId: z.uuid(),
        algorithm: z.literal("Ed25519"),
        message: z.string(),
        keyId: z.string(),
        publicKey: z.string(),
        checkpoints: z.array(
          z.object({
            seq: z.string(),
            hash: z.string(),
            signature: z.string(),
            keyId: z.string(),
            createdAt: z.string(),
          }),
        ),
      }),
    )
    .query(({ ctx }) => auditCheckpoints(ctx.scope)),
});
