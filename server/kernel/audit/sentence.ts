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

const count = (n: number, one: string, many = `${one}s`) => `${number(n)} ${n === 1 ? one : many}`;
const days = (n: number) => count(n, "day");
/** "in_progress" → "in progress". */
const words = (value: string) => value.replaceAll("_", " ");
/** An ISO instant as "2026-12-01 09:30 UTC", as grant.created writes it. */
const utc = (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`;
const cents = z.string().regex(/^\d+$/);
const scalar = z.union([z.string(), z.number(), z.boolean()]).nullable();
const change = z.object({ from: scalar, to: scalar });
const settings = z.record(z.string(), z.unknown());
const idList = z.array(z.string());

/** The names of the settings that differ between two connection configs. */
function changedSettings(from: Record<string, unknown>, to: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(from), ...Object.keys(to)])]
    .filter((key) => JSON.stringify(from[key]) !== JSON.stringify(to[key]))
    .sort();
}

/**
 * Changed fields as "title Engineer → Lead, department changed": fields that hold ids (or long text)
 * are only named, as the id means nothing to a reader; a null value reads "none".
 */
function changesPhrase(
  changes: Readonly<Record<string, z.infer<typeof change>>>,
  fields: readonly (readonly [key: string, words: string, shown: boolean])[],
): string {
  const value = (v: z.infer<typeof scalar>) => (v === null || v === "" ? "none" : String(v));
  return fields
    .flatMap(([key, label, shown]) => {
      const c = changes[key];
      if (!c) return [];
      return [shown ? `${label} ${value(c.from)} → ${value(c.to)}` : `${label} changed`];
    })
    .join(", ");
}

const withChanges = (sentence: string, changes: string) => (changes ? `${sentence}: ${changes}` : sentence);

/** "Expense 42.50 USD at Café" (server/finance/expenses.ts expenseLabel) → "42.50 USD at Café". */
function expenseWords(e: DescribableEntry, d: { amountCents: string; currency: string }): string {
  const label = e.resourceLabel ?? "";
  return label.startsWith("Expense ") ? label.slice("Expense ".length) : amount(d.amountCents, d.currency);
}

/** The description in a purchase label, "Purchase 18,000.00 EUR from Contoso: Laptops" → "Laptops". */
function purchaseDescription(e: DescribableEntry): string | null {
  const match = /Purchase [^:]*: (.+)$/s.exec(e.resourceLabel ?? "");
  return match?.[1] ?? null;
}

function bytes(n: number): string {
  if (n < 1024) return count(n, "byte");
  if (n < 1024 * 1024) return `${number(Math.round(n / 1024))} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

const EMPLOYEE_FIELDS = [
  ["givenName", "given name", true],
  ["familyName", "family name", true],
  ["email", "work email", true],
  ["title", "title", true],
  ["departmentId", "department", false],
  ["managerId", "manager", false],
  ["userId", "linked account", false],
  ["status", "status", true],
  ["startDate", "start date", true],
  ["location", "location", true],
  ["timeZone", "time zone", true],
] as const;

const timeOffDecision = (verb: string) =>
  sentence(
    z.object({ days: z.number() }),
    (d, e, who) => `${who} ${verb} time off: ${e.resourceLabel ?? "a request"} (${days(d.days)})`,
  );

/** People records: server/hr (employees.ts, time-off.ts, checklists.ts, csv-import.ts). */
const HR_SENTENCES: Readonly<Record<string, Render>> = {
  "hr.employee_created": sentence(
    z.object({ employeeNumber: text.nullish(), email: text, startDate: text }),
    (d, e, who) =>
      `${who} added the employee ${e.resourceLabel ?? d.email} (${d.employeeNumber ? `${d.employeeNumber}, ` : ""}${d.email}), starting ${d.startDate}`,
  ),
  "hr.employee_updated": sentence(z.object({ changes: z.record(z.string(), change) }), (d, e, who) =>
    withChanges(
      `${who} updated ${possessive(e.resourceLabel ?? "an employee")} record`,
      changesPhrase(d.changes, EMPLOYEE_FIELDS),
    ),
  ),
  "hr.employee_terminated": sentence(
    z.object({ endDate: text, reason: z.string(), cancelledTimeOff: z.number().int() }),
    (d, e, who) => {
      const cancelled =
        d.cancelledTimeOff > 0 ? ` (${count(d.cancelledTimeOff, "time-off request")} cancelled)` : "";
      return `${who} recorded that ${e.resourceLabel ?? "an employee"} leaves on ${d.endDate}${d.reason ? `: ${d.reason}` : ""}${cancelled}`;
    },
  ),
  "hr.department_created": sentence(z.object({}), (_d, e, who) =>
    `${who} added the department ${e.resourceLabel ?? ""}`.trim(),
  ),
  "hr.time_off_policy_created": sentence(
    z.object({ kind: text, accrualDaysPerYear: z.number(), maxCarryoverDays: z.number() }),
    (d, e, who) =>
      `${who} added the time-off policy ${e.resourceLabel ?? ""} (${words(d.kind)}, ${days(d.accrualDaysPerYear)} a year, ${d.maxCarryoverDays > 0 ? `up to ${days(d.maxCarryoverDays)} carried over` : "nothing carried over"})`,
  ),
  "hr.time_off_entitlement_set": sentence(
    z.object({ policy: text, year: z.number().int(), entitledDays: z.number(), carryoverDays: z.number() }),
    (d, e, who) =>
      `${who} set ${possessive(e.resourceLabel ?? "an employee")} ${d.year} ${d.policy} entitlement to ${days(d.entitledDays)}${d.carryoverDays > 0 ? ` (plus ${days(d.carryoverDays)} carried over)` : ""}`,
  ),
  "hr.time_off_requested": sentence(
    z.object({ policy: text, days: z.number() }),
    (d, e, who) =>
      `${who} requested time off: ${e.resourceLabel ?? "a request"} (${days(d.days)}, ${d.policy})`,
  ),
  "hr.time_off_approved": timeOffDecision("approved"),
  "hr.time_off_rejected": timeOffDecision("rejected"),
  "hr.time_off_cancelled": timeOffDecision("cancelled"),
  "hr.checklist_item_completed": sentence(
    z.object({}),
    (_d, e, who) => `${who} completed the checklist item "${e.resourceLabel ?? ""}"`,
  ),
  "hr.employees_imported": sentence(
    z.object({
      created: z.number().int(),
      updated: z.number().int(),
      unchanged: z.number().int(),
      terminated: z.number().int(),
      departmentsCreated: z.number().int(),
    }),
    (d, _e, who) => {
      const parts = [
        `${number(d.created)} added`,
        `${number(d.updated)} updated`,
        `${number(d.unchanged)} unchanged`,
        `${number(d.terminated)} left`,
        ...(d.departmentsCreated > 0 ? [`${count(d.departmentsCreated, "department")} added`] : []),
      ];
      return `${who} imported employees from CSV: ${parts.join(", ")}`;
    },
  ),
  "hr.employees_exported": sentence(
    z.object({ count: z.number().int() }),
    (d, _e, who) => `${who} exported ${count(d.count, "employee")} as CSV`,
  ),
};

const expense = z.object({ amountCents: cents, currency: text, category: text });
const purchaseDecision = z.object({ amountCents: cents, currency: text, reason: text.optional() });

const VENDOR_FIELDS: readonly (readonly [key: string, words: string])[] = [
  ["name", "name"],
  ["taxId", "tax ID"],
  ["email", "email"],
  ["paymentTermsDays", "payment terms"],
];

/** A vendor's changed fields with their new values, "payment terms now 45 days, email removed". */
function vendorChanges(changed: Readonly<Record<string, string | number | boolean | null>>): string {
  const fields = VENDOR_FIELDS.flatMap(([key, label]) => {
    if (!Object.hasOwn(changed, key)) return [];
    const value = changed[key];
    if (value === null || value === "") return [`${label} removed`];
    return [`${label} now ${typeof value === "number" ? days(value) : String(value)}`];
  });
  return [...fields, ...(changed.active === true ? ["reactivated"] : [])].join(", ");
}

const vendorChange = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).nullable());

/** Expenses, receipts, vendors and purchases: server/finance. */
const FINANCE_SENTENCES: Readonly<Record<string, Render>> = {
  "finance.expense_created": sentence(
    expense,
    (d, e, who) => `${who} recorded an expense of ${expenseWords(e, d)} (${words(d.category)})`,
  ),
  "finance.expense_submitted": sentence(
    expense.extend({ overBudget: z.boolean() }),
    (d, e, who) =>
      `${who} submitted the expense of ${expenseWords(e, d)} for approval${d.overBudget ? " (over budget)" : ""}`,
  ),
  "finance.expense_approved": sentence(
    expense,
    (d, e, who) => `${who} approved the expense of ${expenseWords(e, d)} and posted it to the ledger`,
  ),
  "finance.expense_rejected": sentence(
    expense.extend({ reason: text }),
    (d, e, who) => `${who} rejected the expense of ${expenseWords(e, d)}: ${d.reason}`,
  ),
  "finance.expense_reimbursed": sentence(
    expense,
    (d, e, who) => `${who} marked the expense of ${expenseWords(e, d)} as reimbursed`,
  ),
  "finance.expense_deleted": sentence(
    expense,
    (d, e, who) => `${who} deleted the draft expense of ${expenseWords(e, d)}`,
  ),
  "finance.receipt_uploaded": sentence(
    z.object({ fileName: text, sizeBytes: z.number().int() }),
    (d, e, who) =>
      `${who} attached the receipt ${d.fileName} (${bytes(d.sizeBytes)}) to ${e.resourceLabel ? `the expense of ${e.resourceLabel.replace(/^Expense /, "")}` : "an expense"}`,
  ),
  "finance.expenses_exported": sentence(
    z.object({ from: text, to: text, count: z.number().int(), submitterId: text.optional() }),
    (d, _e, who) =>
      `${who} exported ${count(d.count, "expense")}${d.submitterId ? " of one member" : ""} from ${d.from} to ${d.to} as CSV`,
  ),
  "finance.vendor_created": sentence(
    z.object({ name: text, paymentTermsDays: z.number().int() }),
    (d, _e, who) => `${who} added the vendor ${d.name} (payment terms ${days(d.paymentTermsDays)})`,
  ),
  "finance.vendor_updated": sentence(vendorChange, (d, e, who) =>
    withChanges(`${who} updated the vendor ${e.resourceLabel ?? ""}`.trimEnd(), vendorChanges(d)),
  ),
  "finance.vendor_deactivated": sentence(vendorChange, (d, e, who) =>
    withChanges(`${who} deactivated the vendor ${e.resourceLabel ?? ""}`.trimEnd(), vendorChanges(d)),
  ),
  "finance.purchase_requested": sentence(
    z.object({ amountCents: cents, currency: text, vendor: text, costCenter: text, overBudget: z.boolean() }),
    (d, e, who) => {
      const what = purchaseDescription(e);
      return `${who} requested ${what ? `the purchase "${what}"` : "a purchase"} (${amount(d.amountCents, d.currency)} from ${d.vendor}, cost center ${d.costCenter}${d.overBudget ? ", over budget" : ""})`;
    },
  ),
  "finance.purchase_approved": sentence(purchaseDecision, (d, e, who) => {
    const what = purchaseDescription(e);
    return `${who} approved ${what ? `the purchase "${what}"` : "a purchase"} (${amount(d.amountCents, d.currency)})`;
  }),
  "finance.purchase_rejected": sentence(purchaseDecision, (d, e, who) => {
    const what = purchaseDescription(e);
    return `${who} rejected ${what ? `the purchase "${what}"` : "a purchase"} (${amount(d.amountCents, d.currency)})${d.reason ? `: ${d.reason}` : ""}`;
  }),
  "finance.purchase_ordered": sentence(
    z.object({ number: text, amountCents: cents, currency: text, vendor: text }),
    (d, e, who) => {
      const what = purchaseDescription(e);
      return `${who} issued purchase order ${d.number}${what ? ` for "${what}"` : ""} to ${d.vendor} (${amount(d.amountCents, d.currency)})`;
    },
  ),
  "finance.purchase_received": sentence(
    z.object({ amountCents: cents, currency: text }),
    (d, e, who) =>
      `${who} recorded the delivery of purchase order ${e.resourceLabel ?? ""} (${amount(d.amountCents, d.currency)}) and posted it to the ledger`,
  ),
  "finance.purchase_order_cancelled": sentence(
    z.object({ reason: text }),
    (d, e, who) => `${who} cancelled purchase order ${e.resourceLabel ?? ""}: ${d.reason}`,
  ),
};

/** "Boardroom: Stand-up", or "Boardroom" for a booking without a title. */
const bookingName = (e: DescribableEntry) => (e.resourceLabel ?? "a booking").replace(/: $/, "");
const ticketName = (e: DescribableEntry) => `"${e.resourceLabel ?? ""}"`;

/** Sites, spaces, bookings, tickets and visitors: server/facilities. */
const FACILITIES_SENTENCES: Readonly<Record<string, Render>> = {
  "facilities.site_created": sentence(
    z.object({ timeZone: text }),
    (d, e, who) => `${who} added the site ${e.resourceLabel ?? ""} (${d.timeZone})`,
  ),
  "facilities.site_updated": sentence(z.object({}), (_d, e, who) =>
    `${who} changed the site ${e.resourceLabel ?? ""}`.trimEnd(),
  ),
  "facilities.site_deleted": sentence(z.object({}), (_d, e, who) =>
    `${who} deleted the site ${e.resourceLabel ?? ""}`.trimEnd(),
  ),
  "facilities.space_created": sentence(z.object({ kind: text }), (d, e, who) =>
    `${who} added the ${words(d.kind)} ${e.resourceLabel ?? ""}`.trimEnd(),
  ),
  "facilities.space_updated": sentence(
    z.object({ bookable: z.boolean() }),
    (d, e, who) =>
      `${who} changed the space ${e.resourceLabel ?? ""}; it is ${d.bookable ? "bookable" : "not bookable"}`,
  ),
  "facilities.space_deleted": sentence(z.object({}), (_d, e, who) =>
    `${who} deleted the space ${e.resourceLabel ?? ""}`.trimEnd(),
  ),
  "facilities.feed_token_rotated": sentence(
    z.object({}),
    (_d, e, who) =>
      `${who} replaced the calendar feed link of ${e.resourceLabel ?? "a space"}; the old link no longer works`,
  ),
  "facilities.booking_created": sentence(
    z.object({ start: text, occurrences: z.number().int(), rrule: text.optional() }),
    (d, e, who) =>
      d.occurrences > 1
        ? `${who} booked ${bookingName(e)} from ${utc(d.start)}, repeating (${count(d.occurrences, "occurrence")})`
        : `${who} booked ${bookingName(e)} for ${utc(d.start)}`,
  ),
  "facilities.booking_cancelled": sentence(
    z.object({ freed: z.number().int() }),
    (d, e, who) =>
      `${who} cancelled the booking ${bookingName(e)}${d.freed > 1 ? ` (${count(d.freed, "occurrence")})` : ""}`,
  ),
  "facilities.occurrence_cancelled": sentence(
    z.object({ start: text }),
    (d, e, who) => `${who} cancelled the ${utc(d.start)} occurrence of ${bookingName(e)}`,
  ),
  "facilities.ticket_created": sentence(
    z.object({ priority: text, slaDueAt: text }),
    (d, e, who) =>
      `${who} reported the maintenance issue ${ticketName(e)} (${words(d.priority)} priority, due ${utc(d.slaDueAt)})`,
  ),
  "facilities.ticket_updated": sentence(
    z.object({ status: text.optional(), priority: text.optional(), assigneeId: text.nullish() }),
    (d, e, who) => {
      const parts = [
        ...(d.status ? [`status ${words(d.status)}`] : []),
        ...(d.priority ? [`priority ${words(d.priority)}`] : []),
        ...(d.assigneeId === undefined ? [] : [d.assigneeId === null ? "unassigned" : "reassigned"]),
      ];
      return withChanges(`${who} updated the maintenance ticket ${ticketName(e)}`, parts.join(", "));
    },
  ),
  "facilities.visitor_registered": sentence(
    z.object({ expectedAt: text }),
    (d, e, who) => `${who} registered the visitor ${e.resourceLabel ?? ""}, expected ${utc(d.expectedAt)}`,
  ),
  "facilities.visitor_checked_in": sentence(
    z.object({ badgeNumber: z.string().nullish() }),
    (d, e, who) =>
      `${who} checked in the visitor ${e.resourceLabel ?? ""}${d.badgeNumber ? ` (badge ${d.badgeNumber})` : ""}`,
  ),
  "facilities.visitor_checked_out": sentence(z.object({}), (_d, e, who) =>
    `${who} checked out the visitor ${e.resourceLabel ?? ""}`.trimEnd(),
  ),
  "facilities.visitor_cancelled": sentence(
    z.object({}),
    (_d, e, who) => `${who} cancelled the visit of ${e.resourceLabel ?? "a visitor"}`,
  ),
};

const device = z.object({ assetTag: text, kind: text, model: text });
/** "the laptop LT-0042 (MacBook Pro 14)". */
const deviceWords = (d: z.infer<typeof device>) =>
  `the ${d.kind === "other" ? "device" : words(d.kind)} ${d.assetTag} (${d.model})`;
const DEVICE_STATUS_WORDS: Readonly<Record<string, string>> = {
  in_stock: "in stock",
  assigned: "assigned",
  repair: "in repair",
  retired: "retired",
};
const deviceStatus = (status: string) => DEVICE_STATUS_WORDS[status] ?? words(status);

const APP_FIELDS = [
  ["name", "name", true],
  ["description", "description", false],
  ["scimConnectionId", "SCIM connection", false],
  ["ownerUserId", "owner", false],
] as const;
const APP_ROLE_FIELDS = [
  ["name", "name", true],
  ["scimGroup", "SCIM group", true],
  ["approverRole", "approver", true],
] as const;
const catalogChanges = z.record(z.string(), change);

/** "archived" or "restored" after the other changes, when the archive flag moved. */
function catalogPhrase(
  changed: z.infer<typeof catalogChanges>,
  fields: Parameters<typeof changesPhrase>[1],
): string {
  const archived = changed.archived;
  const flag = archived && typeof archived.to === "boolean" ? [archived.to ? "archived" : "restored"] : [];
  return [changesPhrase(changed, fields), ...flag].filter(Boolean).join(", ");
}

/** The device inventory and the access catalog: server/it. */
const IT_SENTENCES: Readonly<Record<string, Render>> = {
  "device.created": sentence(device, (d, _e, who) => `${who} added ${deviceWords(d)} to the inventory`),
  "device.updated": sentence(
    device.extend({ status: text.optional() }),
    (d, _e, who) =>
      `${who} updated ${deviceWords(d)}${d.status ? `; it is now ${deviceStatus(d.status)}` : ""}`,
  ),
  "device.deleted": sentence(device, (d, _e, who) => `${who} deleted ${deviceWords(d)} from the inventory`),
  "device.assigned": sentence(
    device.extend({ user: text }),
    (d, _e, who) => `${who} gave ${deviceWords(d)} to ${d.user}`,
  ),
  "device.returned": sentence(
    device.extend({ user: text, to: text }),
    (d, _e, who) =>
      `${who} recorded that ${d.user} returned ${deviceWords(d)}; it is now ${deviceStatus(d.to)}`,
  ),
  "device.exported": sentence(
    z.object({ count: z.number().int() }),
    (d, _e, who) => `${who} exported ${count(d.count, "device")} as CSV`,
  ),
  "it.access.requested": sentence(
    z.object({ app: text, role: text, reason: z.string().nullish() }),
    (d, e, who) =>
      `${who} requested access to ${e.resourceLabel ?? `${d.app} / ${d.role}`}${d.reason ? `: ${d.reason}` : ""}`,
  ),
  "it.app.created": sentence(
    z.object({ scimConnectionId: text.nullish() }),
    (d, e, who) =>
      `${who} added the app ${e.resourceLabel ?? ""} to the access catalog${d.scimConnectionId ? ", provisioned through SCIM" : ""}`,
  ),
  "it.app.updated": sentence(z.object({ changed: catalogChanges }), (d, e, who) =>
    withChanges(
      `${who} changed the app ${e.resourceLabel ?? ""} in the access catalog`,
      catalogPhrase(d.changed, APP_FIELDS),
    ),
  ),
  "it.app_role.created": sentence(
    z.object({ scimGroup: text.nullish(), approverRole: text.nullish() }),
    (d, e, who) => {
      const parts = [
        ...(d.scimGroup ? [`SCIM group ${d.scimGroup}`] : []),
        ...(d.approverRole ? [`approved by ${roleWords(d.approverRole)}`] : []),
      ];
      return `${who} added the role ${e.resourceLabel ?? ""} to the access catalog${parts.length > 0 ? ` (${parts.join(", ")})` : ""}`;
    },
  ),
  "it.app_role.updated": sentence(z.object({ changed: catalogChanges }), (d, e, who) =>
    withChanges(
      `${who} changed the role ${e.resourceLabel ?? ""} in the access catalog`,
      catalogPhrase(d.changed, APP_ROLE_FIELDS),
    ),
  ),
};

const endpoint = z.object({ name: text, event: text });
const subscription = z.object({ name: text, targetHost: text, events: text });

/** Inbound endpoints and outbound subscriptions: server/webhooks. Their secrets are never recorded. */
const WEBHOOK_SENTENCES: Readonly<Record<string, Render>> = {
  "webhook.endpoint_created": sentence(
    endpoint,
    (d, _e, who) => `${who} created the inbound webhook endpoint ${d.name} for the event ${d.event}`,
  ),
  "webhook.endpoint_secret_rotated": sentence(
    endpoint.extend({ graceHours: z.number().int() }),
    (d, _e, who) =>
      `${who} replaced the signing secret of the inbound webhook endpoint ${d.name}; ${d.graceHours > 0 ? `the old one keeps working for ${count(d.graceHours, "hour")}` : "the old one stopped working at once"}`,
  ),
  "webhook.endpoint_disabled": sentence(
    endpoint,
    (d, _e, who) => `${who} disabled the inbound webhook endpoint ${d.name}`,
  ),
  "webhook.subscription_created": sentence(
    subscription,
    (d, _e, who) =>
      `${who} created the outbound webhook subscription ${d.name}, sending ${d.events} to ${d.targetHost}`,
  ),
  "webhook.subscription_disabled": sentence(
    subscription,
    (d, _e, who) => `${who} disabled the outbound webhook subscription ${d.name} (to ${d.targetHost})`,
  ),
};

const SCIM_USER_FIELDS = [
  ["userName", "user name", true],
  ["externalId", "external ID", true],
] as const;
const scimUserChange = (verb: string) =>
  sentence(z.object({ changed: z.record(z.string(), change) }), (d, e, who) => {
    const active = d.changed.active;
    const flag = active && typeof active.to === "boolean" ? [active.to ? "reactivated" : "deactivated"] : [];
    const changes = [changesPhrase(d.changed, SCIM_USER_FIELDS), ...flag].filter(Boolean).join(", ");
    return withChanges(`${who} ${verb} the user ${e.resourceLabel ?? ""}`.trimEnd(), changes);
  });
const scimGroupChange = (verb: string) =>
  sentence(
    z.object({
      displayName: z.object({ from: text, to: text }).optional(),
      membersAdded: idList,
      membersRemoved: idList,
    }),
    (d, e, who) => {
      const parts = [
        ...(d.displayName ? [`renamed from ${d.displayName.from}`] : []),
        ...(d.membersAdded.length > 0 ? [`${count(d.membersAdded.length, "member")} added`] : []),
        ...(d.membersRemoved.length > 0 ? [`${count(d.membersRemoved.length, "member")} removed`] : []),
      ];
      return withChanges(`${who} ${verb} the group ${e.resourceLabel ?? ""}`.trimEnd(), parts.join(", "));
    },
  );
const scimUser = (verb: string) =>
  sentence(z.object({}), (_d, e, who) => `${who} ${verb} the user ${e.resourceLabel ?? ""}`.trimEnd());

/** Provisioning by the identity provider, and the tokens it signs in with: server/scim. */
const SCIM_SENTENCES: Readonly<Record<string, Render>> = {
  "scim.user.created": sentence(
    z.object({ userName: text, active: z.boolean(), linked: text }),
    (d, _e, who) => `${who} provisioned the user ${d.userName} (${d.linked}${d.active ? "" : ", inactive"})`,
  ),
  "scim.user.replaced": scimUserChange("replaced"),
  "scim.user.patched": scimUserChange("updated"),
  "scim.user.deactivated": scimUser("deactivated"),
  "scim.user.reactivated": scimUser("reactivated"),
  "scim.user.deleted": scimUser("deleted"),
  "scim.group.created": sentence(
    z.object({ members: idList }),
    (d, e, who) =>
      `${who} created the group ${e.resourceLabel ?? ""} with ${count(d.members.length, "member")}`,
  ),
  "scim.group.replaced": scimGroupChange("replaced"),
  "scim.group.patched": scimGroupChange("updated"),
  "scim.group.deleted": sentence(
    z.object({ members: idList }),
    (d, e, who) => `${who} deleted the group ${e.resourceLabel ?? ""} (${count(d.members.length, "member")})`,
  ),
  // The resource label is the token's hint; the token and the revoked token's id are never shown.
  "scim.token.generated": sentence(
    z.object({}),
    (_d, e, who) => `${who} generated a SCIM token${e.resourceLabel ? ` (${e.resourceLabel})` : ""}`,
  ),
  "scim.token.rotated": sentence(
    z.object({}),
    (_d, e, who) =>
      `${who} replaced the SCIM token${e.resourceLabel ? ` with ${e.resourceLabel}` : ""}; the old one no longer works`,
  ),
  "scim.token.revoked": sentence(
    z.object({}),
    (_d, _e, who) => `${who} revoked the SCIM token; the identity provider can no longer connect`,
  ),
};

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
  "syscall.decided": sentence(
    z.object({ request: text, approver: text.nullish(), approvals: z.array(z.unknown()).nullish() }),
    (d, e, who) => {
      const by = d.approver ? ` by ${d.approver}` : "";
      const decision =
        e.outcome === "approval_required"
          ? `needed approval${by}`
          : e.outcome === "approved" || e.outcome === "rejected"
            ? `${OUTCOME_WORDS[e.outcome]}${by}`
            : OUTCOME_WORDS[e.outcome];
      const given = e.outcome === "allowed" ? approversPhrase(d.approvals ?? []) : "";
      return `${who} asked to ${d.request}: ${decision}${given}${policyPhrase(e.reasons)}`;
    },
  ),
  "delegation.created": sentence(
    z.object({
      from: text,
      to: text,
      reason: z.enum(["out_of_office", "reassigned", "escalated"]),
      startsAt: text,
      endsAt: text.nullish(),
    }),
    (d, _e, who) => {
      const why = DELEGATION_REASON_WORDS[d.reason];
      const until = d.endsAt ? ` until ${utc(d.endsAt)}` : " until revoked";
      const self = who === d.from ? "their" : possessive(d.from);
      return `${who} let ${d.to} approve in ${self} place (${why}) from ${utc(d.startsAt)}${until}`;
    },
  ),
  "delegation.revoked": sentence(
    z.object({ from: text, to: text }),
    (d, _e, who) => `${who} revoked ${possessive(d.to)} delegation to approve for ${d.from}`,
  ),
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
  "request.submitted": sentence(
    z.object({ type: text, title: text }),
    (d, _e, who) => `${who} asked for ${d.title}`,
  ),
  "request.cancelled": sentence(
    z.object({ title: text, outcome: text }),
    (d, _e, who) => `${who}: ${d.title} was cancelled (${d.outcome})`,
  ),
  "request.done": sentence(
    z.object({ title: text }),
    (d, _e, who) => `${who} carried out ${d.title}`,
  ),
  "request.failed": sentence(
    z.object({ title: text, outcome: text }),
    (d, _e, who) => `${who} could not carry out ${d.title}: ${d.outcome}`,
  ),
  "request.rejected": sentence(
    z.object({ title: text, outcome: text }),
    (d, _e, who) => `${who} ended ${d.title} as rejected: ${d.outcome}`,
  ),
  "approval.decided": sentence(
    z.object({ level: text, decision: z.enum(["approve", "deny"]), comment: text.nullish(), via: text }),
    (d, e, who) =>
      `${who} ${d.decision === "approve" ? "approved" : "denied"} ${e.resourceLabel ?? "a request"} as ${d.level}${d.via === "email" ? " from an emailed link" : ""}${d.comment ? `: ${d.comment}` : ""}`,
  ),
  "approval.escalated": sentence(
    z.object({ level: text, to: z.array(text) }),
    (d, e, who) => `${who} escalated ${e.resourceLabel ?? "a request"} (${d.level}, no decision in time) to ${d.to.join(", ")}`,
  ),
  "approval_rule.updated": sentence(
    z.object({ type: text, levels: z.array(text), reset: z.boolean() }),
    (d, e, who) =>
      d.reset
        ? `${who} reset the approval rule for ${e.resourceLabel ?? d.type} to its default: ${d.levels.join(" → ") || "no approval"}`
        : `${who} set the approval rule for ${e.resourceLabel ?? d.type}: ${d.levels.join(" → ") || "no approval"}`,
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
  "connection.config_updated": sentence(
    z.object({ connector: text, name: text, from: settings, to: settings }),
    (d, _e, who) => {
      const changed = changedSettings(d.from, d.to);
      return `${who} changed the settings of the ${d.connector} connection ${d.name}${changed.length > 0 ? `: ${changed.join(", ")}` : ""}`;
    },
  ),
  ...HR_SENTENCES,
  ...FINANCE_SENTENCES,
  ...FACILITIES_SENTENCES,
  ...IT_SENTENCES,
  ...WEBHOOK_SENTENCES,
  ...SCIM_SENTENCES,
};

/** Whether `action` has a sentence of its own (entries of other actions get the general sentence). */
export function hasAuditSentence(action: string): boolean {
  return Object.hasOwn(SENTENCES, action);
}

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

const DELEGATION_REASON_WORDS = {
  out_of_office: "out of office",
  reassigned: "reassigned",
  escalated: "escalated",
} as const;

/** What syscall.decided records of each approval given (server/kernel/access/principals.ts approvalsDetail). */
const approvalGiven = z.object({ label: text, delegator: z.object({ label: text }).nullish() });

/**
 * ", approved by Maria and Dana (for Lee)" for the approvals a syscall was allowed with; nothing when
 * there were none or an entry predates their names being recorded.
 */
function approversPhrase(approvals: readonly unknown[]): string {
  const names: string[] = [];
  for (const approval of approvals) {
    const parsed = approvalGiven.safeParse(approval);
    if (!parsed.success) return "";
    const { label, delegator } = parsed.data;
    names.push(delegator ? `${label} (for ${delegator.label})` : label);
  }
  return names.length === 0 ? "" : `, approved by ${[...new Set(names)].join(" and ")}`;
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
