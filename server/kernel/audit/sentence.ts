import { z } from "zod";
import type { AuditRecord } from "./entry";

/** The fields a sentence is made from; `detail` as read back from the database. */
export type DescribableEntry = Pick<
  AuditRecord,
  "actorType" | "actorLabel" | "onBehalfOfLabel" | "action" | "resourceLabel" | "outcome" | "reasons"
> & { detail: unknown };

const OUTCOME_WORDS: Record<AuditRecord["outcome"], string> = {
  allowed: "allowed",
  denied: "denied",
  approval_required: "needed approval",
  approved: "approved",
  rejected: "rejected",
  succeeded: "succeeded",
  failed: "failed",
  recorded: "recorded",
  conflict: "conflicted",
};

function actorPhrase(e: DescribableEntry): string {
  const who =
    e.actorType === "agent"
      ? `Agent ${e.actorLabel}`
      : e.actorType === "workflow"
        ? `Workflow ${e.actorLabel}`
        : e.actorLabel;
  return e.onBehalfOfLabel ? `${who} (for ${e.onBehalfOfLabel})` : who;
}

function policyPhrase(reasons: readonly string[]): string {
  if (reasons.length === 0) return "";
  return reasons.length === 1 ? ` under policy ${reasons[0]}` : ` under policies ${reasons.join(", ")}`;
}

const possessive = (name: string) => `${name}'s`;
const FORMAT_NAMES = { json: "JSON", csv: "CSV" } as const;
const text = z.string().min(1);

type Render = (e: DescribableEntry, who: string) => string | null;

/** A sentence for entries whose detail matches `schema`; others get the general sentence. */
function sentence<S extends z.ZodType>(
  schema: S,
  render: (d: z.infer<S>, e: DescribableEntry, who: string) => string,
): Render {
  return (e, who) => {
    const parsed = schema.safeParse(e.detail);
    return parsed.success ? render(parsed.data, e, who) : null;
  };
}

/** A pool setting's words, in the order the Kernel page lists them (server/kernel/scheduler/pools.ts). */
const POOL_SETTINGS: readonly (readonly [key: string, words: string, unit?: string])[] = [
  ["policy", "policy"],
  ["concurrency", "concurrency"],
  ["requestsPerMinute", "requests per minute"],
  ["tokensPerMinute", "tokens per minute"],
  ["tenantConcurrency", "concurrency per tenant"],
  ["tenantRequestsPerMinute", "requests per minute per tenant"],
  ["tenantTokensPerMinute", "tokens per minute per tenant"],
  ["agingPerSecond", "aging per second"],
  ["defaultDeadlineMs", "default deadline", " ms"],
];
const poolChange = z.object({
  from: z.union([z.string(), z.number()]).nullable(),
  to: z.union([z.string(), z.number()]).nullable(),
});
const number = (n: number) => n.toLocaleString("en");

function poolSettingOrder(key: string): number {
  const index = POOL_SETTINGS.findIndex(([k]) => k === key);
  return index === -1 ? POOL_SETTINGS.length : index;
}

/** "concurrency 16 → 8"; a limit that is null reads "no limit". */
function poolChangePhrase(key: string, change: z.infer<typeof poolChange>): string {
  const [, words = key, unit = ""] = POOL_SETTINGS.find(([k]) => k === key) ?? [];
  const value = (v: string | number | null) =>
    v === null ? "no limit" : typeof v === "number" ? `${number(v)}${unit}` : v;
  return `${words} ${value(change.from)} → ${value(change.to)}`;
}

/** One per action that Tenet records, with the detail it is recorded with. */
const SENTENCES: Readonly<Record<string, Render>> = {
  "tenant.created": sentence(
    z.object({ name: text, slug: text }),
    (d, _e, who) => `${who} created the tenant ${d.name} (${d.slug})`,
  ),
  "tenant.renamed": sentence(
    z.object({ from: text, to: text }),
    (d, _e, who) => `${who} renamed the tenant from ${d.from} to ${d.to}`,
  ),
  "member.role_changed": sentence(
    z.object({ from: text, to: text }),
    (d, e, who) =>
      `${who} changed ${possessive(e.resourceLabel ?? "a member")} role from ${d.from} to ${d.to}`,
  ),
  "member.removed": sentence(
    z.object({ role: text }),
    (d, e, who) => `${who} removed ${e.resourceLabel ?? "a member"} (${d.role}) from the tenant`,
  ),
  "invite.created": sentence(
    z.object({ email: text, role: text }),
    (d, _e, who) => `${who} invited ${d.email} to join as ${d.role}`,
  ),
  "invite.revoked": sentence(
    z.object({ email: text }),
    (d, _e, who) => `${who} withdrew the invitation for ${d.email}`,
  ),
  "invite.accepted": sentence(
    z.object({ email: text, role: text, accountCreated: z.boolean() }),
    (d, _e, who) =>
      `${who} ${d.accountCreated ? "created an account, " : ""}accepted the invitation for ${d.email} and joined as ${d.role}`,
  ),
  "auth.signed_in": sentence(
    z.object({ ip: text.nullish() }),
    (d, _e, who) => `${who} signed in${d.ip ? ` from ${d.ip}` : ""}`,
  ),
  "audit.exported": sentence(
    z.object({ format: z.enum(["json", "csv"]), count: z.number().int() }),
    (d, _e, who) =>
      `${who} exported ${d.count} audit ${d.count === 1 ? "entry" : "entries"} as ${FORMAT_NAMES[d.format]}`,
  ),
  "syscall.decided": sentence(z.object({ request: text, approver: text.nullish() }), (d, e, who) => {
    const by = d.approver ? ` by ${d.approver}` : "";
    const decision =
      e.outcome === "approval_required"
        ? `needed approval${by}`
        : e.outcome === "approved" || e.outcome === "rejected"
          ? `${OUTCOME_WORDS[e.outcome]}${by}`
          : OUTCOME_WORDS[e.outcome];
    return `${who} asked to ${d.request}: ${decision}${policyPhrase(e.reasons)}`;
  }),
  "model.called": sentence(
    z.object({
      model: text,
      prompt: z.string(),
      queuedMs: z.number().optional(),
      rateLimited: z.number().optional(),
      error: text.optional(),
      explanation: text.optional(),
    }),
    (d, e, who) => {
      const asked = `${who} asked ${d.model} "${d.prompt.length > 80 ? `${d.prompt.slice(0, 80)}…` : d.prompt}"`;
      if (e.outcome === "denied") return `${asked}: refused, ${d.explanation ?? "not allowed"}`;
      if (e.outcome !== "succeeded") return `${asked}: failed, ${d.error ?? "no answer"}`;
      const waited = d.queuedMs === undefined ? "" : ` after waiting ${d.queuedMs} ms for the model`;
      const retried = d.rateLimited ? ` (the provider asked to slow down ${d.rateLimited} times)` : "";
      return `${asked} and got an answer${waited}${retried}`;
    },
  ),
  "syscall.previewed": sentence(
    z.object({
      request: text,
      description: text,
      changes: z.number().int(),
      decision: z.enum(["allow", "deny", "require-approval"]),
      approver: text.nullish(),
    }),
    (d, e, who) => {
      const changes = d.changes === 1 ? "1 change" : `${d.changes} changes`;
      const decision =
        d.decision === "allow"
          ? "it would be allowed"
          : d.decision === "deny"
            ? "it would be denied"
            : `it would need approval${d.approver ? ` by ${d.approver}` : ""}`;
      return `${who} previewed a request to ${d.request} (${d.description}; ${changes}): ${decision}${policyPhrase(e.reasons)}`;
    },
  ),
  "syscall.completed": sentence(
    z.object({
      request: text,
      description: text.optional(),
      error: text.nullish(),
      replayed: z.boolean().optional(),
      conflict: z
        .object({
          resource: text,
          heldBy: z.object({ label: text.nullable() }),
          escalatedTo: text.nullable(),
        })
        .optional(),
    }),
    (d, e, who) => {
      const request = `${possessive(who)} request to ${d.request}`;
      if (e.outcome === "succeeded")
        return d.replayed
          ? `${request} had already been carried out; the earlier result was returned`
          : `${request} was carried out${d.description ? `: ${d.description}` : ""}`;
      if (e.outcome === "conflict" && d.conflict) {
        const { resource, heldBy, escalatedTo } = d.conflict;
        const escalated = escalatedTo ? `; referred to ${roleWords(escalatedTo)}` : "";
        return `${request} was not carried out: ${resource} is held by ${heldBy.label ?? "another call"}${escalated}`;
      }
      return `${request} failed${d.error ? `: ${d.error}` : ""}`;
    },
  ),
  "policy.updated": sentence(
    z.object({ version: z.number().int(), summary: text }),
    (d, _e, who) => `${who} saved version ${d.version} of the policies: ${d.summary}`,
  ),
  "grant.created": sentence(
    z.object({ agent: text, scope: text, expiresAt: text }),
    (d, _e, who) =>
      `${who} allowed ${d.agent} to ${d.scope} until ${d.expiresAt.slice(0, 16).replace("T", " ")} UTC`,
  ),
  "grant.revoked": sentence(
    z.object({ agent: text, scope: text }),
    (d, _e, who) => `${who} revoked ${possessive(d.agent)} permission to ${d.scope}`,
  ),
  "grant.requested": sentence(
    z.object({ scope: text, durationMinutes: z.number().int(), reason: text }),
    (d, _e, who) =>
      `${who} asked for permission to ${d.scope} for ${duration(d.durationMinutes)}: ${d.reason}`,
  ),
  "grant.request_approved": sentence(
    z.object({ agent: text, scope: text }),
    (d, _e, who) => `${who} approved ${possessive(d.agent)} request to ${d.scope}`,
  ),
  "grant.request_denied": sentence(
    z.object({ agent: text, scope: text, comment: text.nullish() }),
    (d, _e, who) =>
      `${who} denied ${possessive(d.agent)} request to ${d.scope}${d.comment ? `: ${d.comment}` : ""}`,
  ),
  "audit.chain_verified": sentence(
    z.object({
      checked: z.number().int(),
      firstBad: z.object({ seq: text, message: text }).nullable(),
    }),
    (d, _e, who) =>
      d.firstBad
        ? `${who} found the audit chain broken at entry ${d.firstBad.seq}: ${d.firstBad.message}`
        : `${who} verified the audit chain: ${d.checked.toLocaleString("en")} ${d.checked === 1 ? "entry" : "entries"} intact`,
  ),
  "workflow.run_cancelled": sentence(
    z.object({ function: text, runId: text }),
    (d, _e, who) => `${who} cancelled a run of ${d.function} (run ${d.runId})`,
  ),
  "workflow.run_rerun": sentence(
    z.object({ function: text, runId: text, newRunId: text }),
    (d, _e, who) => `${who} reran ${d.function} (run ${d.runId}) as run ${d.newRunId}`,
  ),
  "kernel.pool_updated": sentence(
    z.object({ pool: text, changes: z.record(z.string(), poolChange) }),
    (d, _e, who) => {
      const changes = Object.entries(d.changes)
        .sort(([a], [b]) => poolSettingOrder(a) - poolSettingOrder(b))
        .map(([key, change]) => poolChangePhrase(key, change));
      return `${who} changed ${d.pool}${changes.length > 0 ? `: ${changes.join(", ")}` : ""}`;
    },
  ),
  "kernel.pool_weight_set": sentence(
    z.object({ pool: text, tenant: text, from: z.number(), to: z.number() }),
    (d, _e, who) =>
      `${who} set ${possessive(d.tenant)} weight in ${d.pool} from ${number(d.from)} to ${number(d.to)}`,
  ),
  "connection.created": sentence(
    z.object({ connector: text, name: text, hint: text }),
    (d, _e, who) => `${who} added the ${d.connector} connection ${d.name} (credentials ${d.hint})`,
  ),
  "connection.credentials_rotated": sentence(
    z.object({ connector: text, name: text, from: text, to: text }),
    (d, _e, who) =>
      `${who} replaced the credentials of the ${d.connector} connection ${d.name} (${d.from} → ${d.to})`,
  ),
  "connection.tested": sentence(
    z.object({ connector: text, name: text, message: z.string() }),
    (d, e, who) =>
      `${who} tested the ${d.connector} connection ${d.name}: ${e.outcome === "succeeded" ? "it works" : "it does not work"}${d.message ? ` (${d.message})` : ""}`,
  ),
  "connection.deleted": sentence(
    z.object({ connector: text, name: text }),
    (d, _e, who) => `${who} deleted the ${d.connector} connection ${d.name}`,
  ),
  "connection.reencrypted": sentence(
    z.object({ count: z.number().int(), from: z.array(text), to: text }),
    (d, _e, who) =>
      `${who} re-encrypted the credentials of ${d.count} ${d.count === 1 ? "connection" : "connections"} under key ${d.to}${d.from.length > 0 ? ` (from ${d.from.join(", ")})` : ""}`,
  ),
  "ledger.entry_posted": sentence(
    z.object({
      lines: z.number().int(),
      totalCents: z.string().regex(/^\d+$/),
      currency: text,
      source: text.optional(),
    }),
    (d, e, who) =>
      `${who} posted the journal entry "${e.resourceLabel ?? ""}" (${d.lines} lines, ${amount(d.totalCents, d.currency)})${d.source ? ` for ${d.source}` : ""}`,
  ),
  "ledger.entry_reversed": sentence(
    z.object({ reverses: text, originalMemo: text, totalCents: z.string().regex(/^\d+$/), currency: text }),
    (d, e, who) =>
      `${who} reversed the journal entry "${d.originalMemo}" (${amount(d.totalCents, d.currency)}): ${e.resourceLabel ?? ""}`,
  ),
  "ledger.account_created": sentence(
    z.object({ code: text, name: text, type: text, currency: text }),
    (d, _e, who) => `${who} added the ledger account ${d.code} ${d.name} (${d.type}, ${d.currency})`,
  ),
  "ledger.cost_center_created": sentence(
    z.object({
      code: text,
      name: text,
      fiscalYear: z.number().int(),
      annualBudgetCents: z.string().regex(/^\d+$/),
    }),
    (d, _e, who) =>
      `${who} added the cost center ${d.code} ${d.name} with a ${d.fiscalYear} budget of ${amount(d.annualBudgetCents)}`,
  ),
  "ledger.exported": sentence(
    z.object({ from: text, to: text, count: z.number().int() }),
    (d, _e, who) =>
      `${who} exported ${d.count} ledger ${d.count === 1 ? "line" : "lines"} from ${d.from} to ${d.to} as CSV`,
  ),
  "agent.registered": sentence(
    z.object({ skill: text, version: text, publisher: text }),
    (d, e, who) =>
      `${who} registered the agent ${e.resourceLabel ?? "(unnamed)"} (${d.skill} v${d.version} by ${d.publisher})`,
  ),
  "agent.disabled": sentence(z.object({}), (_d, e, who) =>
    `${who} disabled the agent ${e.resourceLabel ?? ""}`.trim(),
  ),
  "agent.enabled": sentence(z.object({}), (_d, e, who) =>
    `${who} enabled the agent ${e.resourceLabel ?? ""}`.trim(),
  ),
};

/**
 * Integer cents as "1,234.56 USD". Two decimal places, as for most currencies; the exact cents are in
 * the entry's detail.
 */
function amount(cents: string, currency?: string): string {
  const value = BigInt(cents);
  const units = (value / 100n).toLocaleString("en");
  const rest = (value % 100n).toString().padStart(2, "0");
  return `${units}.${rest}${currency ? ` ${currency}` : ""}`;
}

/** "role:admin" → "an admin", "role:approver" → "an approver", "role:owner" → "an owner". */
function roleWords(approver: string): string {
  const role = approver.replace(/^role:/, "");
  return /^[aeiou]/.test(role) ? `an ${role}` : `a ${role}`;
}

function duration(minutes: number): string {
  if (minutes % 1440 === 0) return minutes === 1440 ? "1 day" : `${minutes / 1440} days`;
  if (minutes % 60 === 0) return minutes === 60 ? "1 hour" : `${minutes / 60} hours`;
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

/**
 * A sentence a person can read, e.g. "Acme Owner changed Peter Gibbons's role from employee to
 * approver" or "Agent Onboarding helper (for Alice) asked to grant Figma to Bob: needed approval by IT
 * admin under policy it-access-01". Actions without a sentence of their own (or whose detail is not
 * what their sentence needs) get a general one built from the action, resource and outcome.
 */
export function describeAuditEntry(e: DescribableEntry): string {
  const who = actorPhrase(e);
  const render = Object.hasOwn(SENTENCES, e.action) ? SENTENCES[e.action] : undefined;
  const specific = render?.(e, who) ?? null;
  if (specific !== null) {
    // Domain events are recorded when they succeed; should one record a failure, the sentence says so
    // (model calls, syscalls and connection tests say how they went themselves).
    const failed =
      !e.action.startsWith("syscall.") &&
      e.action !== "model.called" &&
      e.action !== "connection.tested" &&
      (e.outcome === "failed" || e.outcome === "denied");
    return failed ? `${specific} (${e.outcome})` : specific;
  }
  const target = e.resourceLabel ? ` on ${e.resourceLabel}` : "";
  return `${who}: ${e.action}${target} (${OUTCOME_WORDS[e.outcome]}${policyPhrase(e.reasons)})`;
}
