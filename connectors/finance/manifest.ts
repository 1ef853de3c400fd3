import { z } from "zod";
import { defineAction, defineManifest } from "@/connectors/sdk";
import { EXPENSE_CATEGORIES } from "@/server/finance/accounts";
import { formatMoney } from "@/server/finance/money";

/**
 * Finance, built in: expenses and purchases on the tenant's own data (server/finance/). A call acts
 * as the person the kernel says it acts for (`ctx.actor`), with their membership's role. Who decides
 * (approver) and who orders (issuer) is always that person: an input's `approverId` or `issuedById`
 * may only repeat it. Who an expense or purchase request is for (submitter, requester) is that person
 * too, unless an owner or admin files it for another member by naming them. Names given for previews
 * must be the member's. Approving an expense
 * posts it to the ledger, and a posted entry is never changed: a mistake is corrected by a reversing
 * entry, a new posting of its own, so no action here is reversible.
 */

const userId = z.uuid("Use a member's user id");
/**
 * The person who decides or orders: the call's actor. Optional; when given it must be the actor, so
 * naming someone else never lets a call act as them.
 */
const actingUserId = userId.optional();
/** Who a request is for; the call's actor when left out (only owners and admins name another member). */
const forUserId = userId.optional();
/** How people call the member, for previews; the driver refuses a name that is not the member's. */
const personName = z.string().trim().min(1).max(200).optional();
const cents = z
  .number()
  .int("Use whole cents")
  .min(1, "Must be more than zero")
  .max(10 ** 15, "Too large");
const currency = z.string().regex(/^[A-Z]{3}$/, "Use an ISO 4217 code such as EUR");
const reason = z.string().trim().min(1, "Say why").max(1000);

const decision = {
  decision: z.enum(["approve", "reject"]).default("approve"),
  /** Required to reject: the requester sees it. */
  reason: reason.optional(),
};
const reasonWhenRejecting = (
  input: { decision: "approve" | "reject"; reason?: string },
  issues: z.RefinementCtx,
) => {
  if (input.decision === "reject" && input.reason === undefined)
    issues.addIssue({ code: "custom", path: ["reason"], message: "Say why the request is rejected" });
};

export const expenseSubmitInput = z.strictObject({
  submitterId: forUserId,
  submitterName: personName,
  date: z.iso.date("Use a date as YYYY-MM-DD"),
  merchant: z.string().trim().min(1, "Name the merchant").max(200),
  amountCents: cents,
  currency,
  category: z.enum(EXPENSE_CATEGORIES),
  costCenterId: z.uuid("Choose a cost center"),
  description: z.string().trim().max(2000).optional(),
});
export type ExpenseSubmitInput = z.output<typeof expenseSubmitInput>;

const budgetOutput = {
  overBudget: z.boolean(),
  /** What the cost center had left before this amount (budget − spent − committed); negative when over. */
  remainingCents: z.number().int(),
};

export const expenseSubmitOutput = z.strictObject({
  expenseId: z.uuid(),
  status: z.literal("submitted"),
  amountCents: cents,
  currency,
  ...budgetOutput,
});

export const expenseApproveInput = z
  .strictObject({ expenseId: z.uuid("Choose an expense"), approverId: actingUserId, ...decision })
  .superRefine(reasonWhenRejecting);
export type ExpenseApproveInput = z.output<typeof expenseApproveInput>;

export const expenseApproveOutput = z.strictObject({
  expenseId: z.uuid(),
  status: z.enum(["approved", "rejected"]),
  /** The ledger entry approving posted; null when rejected. */
  journalEntryId: z.uuid().nullable(),
});

export const purchaseRequestInput = z.strictObject({
  requesterId: forUserId,
  requesterName: personName,
  vendorId: z.uuid("Choose a vendor"),
  costCenterId: z.uuid("Choose a cost center"),
  description: z.string().trim().min(1, "Say what is bought").max(2000),
  amountCents: cents,
  currency,
});
export type PurchaseRequestInput = z.output<typeof purchaseRequestInput>;

export const purchaseRequestOutput = z.strictObject({
  purchaseRequestId: z.uuid(),
  status: z.literal("requested"),
  ...budgetOutput,
});

export const purchaseApproveInput = z
  .strictObject({
    purchaseRequestId: z.uuid("Choose a purchase request"),
    approverId: actingUserId,
    ...decision,
  })
  .superRefine(reasonWhenRejecting);
export type PurchaseApproveInput = z.output<typeof purchaseApproveInput>;

export const purchaseApproveOutput = z.strictObject({
  purchaseRequestId: z.uuid(),
  status: z.enum(["approved", "rejected"]),
});

export const purchaseOrderInput = z.strictObject({
  purchaseRequestId: z.uuid("Choose a purchase request"),
  issuedById: actingUserId,
});
export type PurchaseOrderInput = z.output<typeof purchaseOrderInput>;

export const purchaseOrderOutput = z.strictObject({
  purchaseOrderId: z.uuid(),
  number: z.string().regex(/^PO-\d{4}-\d{4,}$/),
  amountCents: cents,
  currency,
  /** Everything the cost center now has committed to open orders, this one included. */
  committedCents: z.number().int().min(0),
});

const forWhom = (name: string | undefined) => (name ? ` for ${name}` : "");
const short = (id: string) => id.slice(0, 8);

export const financeManifest = defineManifest({
  id: "finance",
  version: "1.1.0",
  name: "Finance",
  category: "finance",
  description:
    "Expenses and purchases on Tenet's own books: submit and approve expenses (approval posts a balanced entry to the ledger; posted entries are never changed, a reversal is a new entry), request and approve purchases against cost-center budgets, and issue purchase orders.",
  auth: { type: "built-in" },
  actions: {
    "finance.expense.submit": defineAction({
      action: "finance.expense.submit",
      title: "Submit an expense",
      effect: "write",
      input: expenseSubmitInput,
      output: expenseSubmitOutput,
      // Nothing withdraws a submitted expense; an approver rejects it instead.
      reversible: false,
      scopes: ["expenses:write"],
      timeoutMs: 15_000,
      describe: (input) =>
        `Submit expense ${formatMoney(input.amountCents, input.currency)} at ${input.merchant}${forWhom(input.submitterName)}`,
    }),
    "finance.expense.approve": defineAction({
      action: "finance.expense.approve",
      title: "Approve an expense (posts it to the ledger)",
      effect: "write",
      input: expenseApproveInput,
      output: expenseApproveOutput,
      // The ledger is append-only: undoing an approval is a reversing entry, a new posting.
      reversible: false,
      resources: (input) => [{ key: `expense:${input.expenseId}` }],
      scopes: ["expenses:approve", "ledger:post"],
      timeoutMs: 15_000,
      describe: (input) =>
        input.decision === "reject"
          ? `Reject expense ${short(input.expenseId)}: ${input.reason ?? ""}`
          : `Approve expense ${short(input.expenseId)} and post it to the ledger`,
    }),
    "finance.purchase.request": defineAction({
      action: "finance.purchase.request",
      title: "Request a purchase",
      effect: "write",
      input: purchaseRequestInput,
      output: purchaseRequestOutput,
      reversible: false,
      scopes: ["purchases:write"],
      timeoutMs: 15_000,
      describe: (input) =>
        `Request purchase ${formatMoney(input.amountCents, input.currency)}: ${input.description.slice(0, 80)}${forWhom(input.requesterName)}`,
    }),
    "finance.purchase.approve": defineAction({
      action: "finance.purchase.approve",
      title: "Approve a purchase request",
      effect: "write",
      input: purchaseApproveInput,
      output: purchaseApproveOutput,
      reversible: false,
      resources: (input) => [{ key: `purchase-request:${input.purchaseRequestId}` }],
      scopes: ["purchases:approve"],
      timeoutMs: 15_000,
      describe: (input) =>
        input.decision === "reject"
          ? `Reject purchase request ${short(input.purchaseRequestId)}: ${input.reason ?? ""}`
          : `Approve purchase request ${short(input.purchaseRequestId)}`,
    }),
    "finance.purchase.order": defineAction({
      action: "finance.purchase.order",
      title: "Issue a purchase order",
      effect: "write",
      input: purchaseOrderInput,
      output: purchaseOrderOutput,
      reversible: false,
      // Two agents ordering one request: one proceeds, the other gets a conflict (and the database
      // allows one order per request regardless).
      resources: (input) => [{ key: `purchase-request:${input.purchaseRequestId}` }],
      scopes: ["purchases:order"],
      timeoutMs: 15_000,
      describe: (input) => `Issue a purchase order for request ${short(input.purchaseRequestId)}`,
    }),
  },
});
