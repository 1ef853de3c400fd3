import { z } from "zod";
import type { AuditActorType, AuditOutcome } from "@/server/db/generated/enums.ts";
import type { JsonObject, JsonValue } from "./canonical-json";
import type { AuditDetail } from "./detail";

export type { AuditActorType, AuditOutcome };

export const AUDIT_ACTOR_TYPES = [
  "user",
  "agent",
  "workflow",
  "system",
] as const satisfies readonly AuditActorType[];

export const AUDIT_OUTCOMES = [
  "allowed",
  "denied",
  "approval_required",
  "approved",
  "rejected",
  "succeeded",
  "failed",
  "recorded",
  "conflict",
] as const satisfies readonly AuditOutcome[];

/** The previous hash of a tenant's first entry. */
export const GENESIS_HASH = "0".repeat(64);

/**
 * Every column of an entry except its own hash, in the form that is hashed: `at` as an ISO 8601 string
 * with milliseconds (the column is timestamptz(3)), `seq` as a JSON number. The text columns are typed
 * as stored, not narrowed (and nullable even where the table says NOT NULL), so that verification can
 * hash a row changed to anything at all and report it rather than fail on it.
 */
export type HashedEntry = {
  id: string | null;
  tenantId: string;
  seq: bigint;
  at: string | null;
  actorType: string | null;
  actorId: string | null;
  actorLabel: string | null;
  onBehalfOfId: string | null;
  onBehalfOfLabel: string | null;
  action: string | null;
  resourceType: string | null;
  resourceId: string | null;
  resourceLabel: string | null;
  outcome: string | null;
  reasons: string[] | null;
  detail: JsonValue;
  prevHash: string | null;
};

/** Every hashed field of an entry, each already written as canonical JSON (canonicalEntryJson). */
export type EntryJson = { readonly [K in keyof HashedEntry]: string };

// The canonical form and hash live in plain JavaScript so that verification's worker threads can load
// them: canonicalEntry(e) is canonicalJson of every field above but with `seq` as a JSON number, and
// hashEntry(e) its sha256 in hex, the value of the `hash` column.
export { canonicalEntry, canonicalEntryJson, hashEntry } from "./canonical.mjs";

const label = z.string().trim().min(1).max(500);
const externalId = z.string().min(1).max(200);

/** What a caller records; the log adds the tenant, sequence number, time and hashes. */
export const auditEntryInput = z.object({
  actor: z.object({ type: z.enum(AUDIT_ACTOR_TYPES), id: externalId.nullish(), label }),
  /** The person an agent or workflow acts for. */
  onBehalfOf: z.object({ id: externalId.nullish(), label }).nullish(),
  action: z
    .string()
    .max(100)
    .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, 'Use "area.verb_ed", e.g. "member.role_changed"'),
  resource: z
    .object({
      type: z
        .string()
        .max(50)
        .regex(/^[a-z][a-z0-9_]*$/),
      id: externalId.nullish(),
      label: label.nullish(),
    })
    .nullish(),
  outcome: z.enum(AUDIT_OUTCOMES),
  /** Ids of the policies behind a decision, e.g. "it-access-01". */
  reasons: z.array(z.string().min(1).max(200)).max(50).default([]),
  detail: z
    .custom<AuditDetail>(
      (v) => typeof v === "object" && v !== null && !Array.isArray(v),
      "detail must be an object",
    )
    .optional(),
});
export type AuditEntryInput = z.input<typeof auditEntryInput>;
export type AuditActor = AuditEntryInput["actor"];

/** An entry as stored. */
export type AuditRecord = {
  id: string;
  tenantId: string;
  seq: bigint;
  at: Date;
  actorType: AuditActorType;
  actorId: string | null;
  actorLabel: string;
  onBehalfOfId: string | null;
  onBehalfOfLabel: string | null;
  action: string;
  resourceType: string | null;
  resourceId: string | null;
  resourceLabel: string | null;
  outcome: AuditOutcome;
  reasons: string[];
  detail: JsonObject;
  prevHash: string;
  hash: string;
};
