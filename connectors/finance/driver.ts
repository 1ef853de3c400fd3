import type { Tx } from "@/server/db/client";
import { AppError, parsed } from "@/server/errors";
import { categoryName } from "@/server/finance/accounts";
import type { BudgetFacts } from "@/server/finance/budget";
import {
  approveExpense,
  expenseLabel,
  fileExpense,
  planExpenseApproval,
  planExpenseRejection,
  previewExpense,
  rejectExpense,
} from "@/server/finance/expenses";
import { memberLabels } from "@/server/finance/members";
import { memberActor } from "@/server/tenancy/members";
import { formatMoney } from "@/server/finance/money";
import type { PostingPlan } from "@/server/finance/posting";
import {
  createPurchaseRequest,
  decidePurchaseRequest,
  issuePurchaseOrder,
  planPurchaseDecision,
  planPurchaseOrder,
  previewPurchaseRequest,
  purchaseLabel,
} from "@/server/finance/purchases";
import type { TenantContext } from "@/server/tenancy/context";
import type { Role } from "@/server/tenancy/roles";
import { defineDriver, type Change, type DriverContext, type DryRun } from "../sdk";
import {
  expenseApproveInput,
  expenseSubmitInput,
  financeManifest,
  purchaseApproveInput,
  purchaseOrderInput,
  purchaseRequestInput,
} from "./manifest";

/**
 * A thin adapter over server/finance: each call runs in the tenant's transaction as the member the
 * call acts for (`ctx.actor`, as the kernel verified it; their role from their membership), so the
 * domain's own checks (who may approve, no self-approval, states) apply exactly as in the app. Dry
 * runs use the domain's read-only previews.
 */

/**
 * Whom a call names, and how: `decider` for the approver or issuer (only ever the actor), `onBehalf`
 * for the submitter or requester (another member only when the actor is an owner or admin).
 */
type Named = { userId: string | undefined; name?: string; field: string; may: "decider" | "onBehalf" };

const ON_BEHALF: readonly Role[] = ["owner", "admin"];

const fieldRefusal = (code: "BAD_REQUEST" | "FORBIDDEN", field: string, message: string) =>
  new AppError(code, `${field}: ${message}`, { fields: { [field]: [message] } });

/**
 * Runs `fn` in the tenant's transaction as the member the call acts for. A named person other than
 * the actor is refused for a decider, whatever the actor's role: an agent holding a grant to approve
 * expenses acts for one person, and naming an approver never lets it approve as them. For the person
 * a request is filed for, an owner or admin may name another member (filing on their behalf, as
 * they may in the app); the domain then runs as that member. `name`, when given, must be the
 * member's.
 */
function asMember<T>(
  ctx: DriverContext,
  named: Named,
  fn: (tenant: TenantContext) => Promise<T>,
): Promise<T> {
  return ctx.tenant(async (tx: Tx) => {
    const self = await memberActor(tx, ctx.tenantId, ctx.actor.userId).catch((error: unknown) => {
      if (error instanceof AppError && error.code === "NOT_FOUND")
        throw new AppError("FORBIDDEN", `${ctx.actor.label} is not an active member of this tenant`);
      throw error;
    });
    let actor = self;
    if (named.userId !== undefined && named.userId !== self.userId) {
      if (named.may === "decider")
        throw fieldRefusal(
          "FORBIDDEN",
          named.field,
          `This call acts for ${ctx.actor.label}, who cannot act as another member; leave ${named.field} out or name them`,
        );
      if (!ON_BEHALF.includes(self.role))
        throw fieldRefusal(
          "FORBIDDEN",
          named.field,
          `Only an owner or admin files for another member; ${ctx.actor.label} may file only their own`,
        );
      actor = await memberActor(tx, ctx.tenantId, named.userId).catch((error: unknown) => {
        if (error instanceof AppError && error.code === "NOT_FOUND")
          throw fieldRefusal("BAD_REQUEST", named.field, "Not an active member of this tenant");
        throw error;
      });
    }
    if (named.name !== undefined) {
      const actual = (await memberLabels(tx, [actor.userId])).get(actor.userId) ?? "";
      if (actual.trim().toLowerCase() !== named.name.trim().toLowerCase())
        throw fieldRefusal("BAD_REQUEST", named.field, `The member is called ${actual}, not ${named.name}`);
    }
    return fn({ tenantId: ctx.tenantId, actor, db: tx });
  });
}

const cents = (value: bigint) => Number(value);

/** "Cost center Marketing would be €1,200.00 over budget", or nothing. */
function budgetWarnings(budget: BudgetFacts, currency: string): string[] {
  if (!budget.overBudget) return [];
  return [
    `Cost center ${budget.costCenter.name} would be ${formatMoney(budget.overByCents, currency)} over budget` +
      ` (budget ${formatMoney(budget.budgetCents, currency)}, spent ${formatMoney(budget.spentCents, currency)},` +
      ` committed ${formatMoney(budget.committedCents, currency)})`,
  ];
}

/** A posting as changes: accounts it would create first, then the entry with its lines. */
function postingChanges(plan: PostingPlan, memo: string, costCenterCode: string): Change[] {
  const accounts: Change[] = plan.accountsToCreate.map((account) => ({
    op: "create",
    object: `Ledger account ${account.code} ${account.name}`,
    fields: { type: { to: account.type }, currency: { to: account.currency } },
  }));
  const lines: Change["fields"] = {};
  plan.lines.forEach((line, i) => {
    const debit = line.debitCents > 0n;
    const amount = debit ? line.debitCents : line.creditCents;
    lines[`line ${i + 1}`] = {
      to: {
        side: debit ? "debit" : "credit",
        account: line.account.code,
        accountName: line.account.name,
        amountCents: cents(amount),
        amount: formatMoney(amount, line.account.currency),
        costCenter: line.costCenterId ? costCenterCode : null,
      },
    };
  });
  return [...accounts, { op: "create", object: `Journal entry: ${memo}`, fields: lines }];
}

export const financeDriver = defineDriver(financeManifest, {
  "finance.expense.submit": {
    run: async (rawInput, ctx) => {
      const input = parsed(expenseSubmitInput, rawInput);
      return asMember(
        ctx,
        { userId: input.submitterId, name: input.submitterName, field: "submitterId", may: "onBehalf" },
        async (t) => {
          const { expense, budget } = await fileExpense(t, input);
          return {
            expenseId: expense.id,
            status: "submitted" as const,
            amountCents: cents(expense.amountCents),
            currency: expense.currency,
            overBudget: budget.overBudget,
            remainingCents: cents(budget.remainingCents),
          };
        },
      );
    },
    dryRun: async (rawInput, ctx): Promise<DryRun> => {
      const input = parsed(expenseSubmitInput, rawInput);
      return asMember(
        ctx,
        { userId: input.submitterId, name: input.submitterName, field: "submitterId", may: "onBehalf" },
        async (t) => {
          const { expense, budget } = await previewExpense(t, input);
          const amount = formatMoney(expense.amountCents, expense.currency);
          return {
            changes: [
              {
                op: "create",
                object: `Expense ${amount} at ${expense.merchant}`,
                fields: {
                  date: { to: expense.date },
                  amount: { to: amount },
                  category: { to: categoryName(expense.category) },
                  costCenter: { to: `${budget.costCenter.code} ${budget.costCenter.name}` },
                  status: { to: "submitted" },
                },
              },
            ],
            warnings: budgetWarnings(budget, expense.currency),
          };
        },
      );
    },
  },

  "finance.expense.approve": {
    run: async (rawInput, ctx) => {
      const input = parsed(expenseApproveInput, rawInput);
      return asMember(ctx, { userId: input.approverId, field: "approverId", may: "decider" }, async (t) => {
        if (input.decision === "reject") {
          const rejected = await rejectExpense(t, input.expenseId, input.reason ?? "");
          return { expenseId: rejected.id, status: "rejected" as const, journalEntryId: null };
        }
        const { expense, journalEntryId } = await approveExpense(t, input.expenseId);
        return { expenseId: expense.id, status: "approved" as const, journalEntryId };
      });
    },
    dryRun: async (rawInput, ctx): Promise<DryRun> => {
      const input = parsed(expenseApproveInput, rawInput);
      return asMember(ctx, { userId: input.approverId, field: "approverId", may: "decider" }, async (t) => {
        if (input.decision === "reject") {
          const expense = await planExpenseRejection(t, input.expenseId, input.reason ?? "");
          return {
            changes: [
              {
                op: "update",
                object: expenseLabel(expense),
                fields: {
                  status: { from: expense.status, to: "rejected" },
                  reason: { to: input.reason ?? "" },
                },
              },
            ],
            warnings: [],
          };
        }
        const { expense, posting, budget } = await planExpenseApproval(t, input.expenseId);
        const warnings = budgetWarnings(budget, expense.currency);
        if (expense.receiptCount === 0) warnings.push("The expense has no receipt attached");
        return {
          changes: [
            ...postingChanges(posting, expenseLabel(expense), budget.costCenter.code),
            {
              op: "update",
              object: expenseLabel(expense),
              fields: { status: { from: expense.status, to: "approved" } },
            },
          ],
          warnings,
        };
      });
    },
  },

  "finance.purchase.request": {
    run: async (rawInput, ctx) => {
      const input = parsed(purchaseRequestInput, rawInput);
      return asMember(
        ctx,
        { userId: input.requesterId, name: input.requesterName, field: "requesterId", may: "onBehalf" },
        async (t) => {
          const { request, budget } = await createPurchaseRequest(t, input);
          return {
            purchaseRequestId: request.id,
            status: "requested" as const,
            overBudget: request.overBudget,
            remainingCents: cents(budget.remainingCents),
          };
        },
      );
    },
    dryRun: async (rawInput, ctx): Promise<DryRun> => {
      const input = parsed(purchaseRequestInput, rawInput);
      return asMember(
        ctx,
        { userId: input.requesterId, name: input.requesterName, field: "requesterId", may: "onBehalf" },
        async (t) => {
          const { request, vendor, budget } = await previewPurchaseRequest(t, input);
          return {
            changes: [
              {
                op: "create",
                object: purchaseLabel(request, vendor.name),
                fields: {
                  vendor: { to: vendor.name },
                  amount: { to: formatMoney(request.amountCents, request.currency) },
                  costCenter: { to: `${budget.costCenter.code} ${budget.costCenter.name}` },
                  overBudget: { to: budget.overBudget },
                  status: { to: "requested" },
                },
              },
            ],
            warnings: budgetWarnings(budget, request.currency),
          };
        },
      );
    },
  },

  "finance.purchase.approve": {
    run: async (rawInput, ctx) => {
      const input = parsed(purchaseApproveInput, rawInput);
      return asMember(ctx, { userId: input.approverId, field: "approverId", may: "decider" }, async (t) => {
        const decided = await decidePurchaseRequest(
          t,
          input.purchaseRequestId,
          input.decision === "reject" ? { approve: false, reason: input.reason ?? "" } : { approve: true },
        );
        return {
          purchaseRequestId: decided.id,
          status: decided.status === "rejected" ? ("rejected" as const) : ("approved" as const),
        };
      });
    },
    dryRun: async (rawInput, ctx): Promise<DryRun> => {
      const input = parsed(purchaseApproveInput, rawInput);
      return asMember(ctx, { userId: input.approverId, field: "approverId", may: "decider" }, async (t) => {
        const { request, vendor } = await planPurchaseDecision(
          t,
          input.purchaseRequestId,
          input.decision === "reject" ? { approve: false, reason: input.reason ?? "" } : { approve: true },
        );
        return {
          changes: [
            {
              op: "update",
              object: purchaseLabel(request, vendor),
              fields: {
                status: { from: request.status, to: input.decision === "reject" ? "rejected" : "approved" },
                ...(input.decision === "reject" ? { reason: { to: input.reason ?? "" } } : {}),
              },
            },
          ],
          warnings: request.overBudget
            ? ["The request was over its cost center's budget when it was made"]
            : [],
        };
      });
    },
  },

  "finance.purchase.order": {
    run: async (rawInput, ctx) => {
      const input = parsed(purchaseOrderInput, rawInput);
      return asMember(ctx, { userId: input.issuedById, field: "issuedById", may: "decider" }, async (t) => {
        const { order, budget } = await issuePurchaseOrder(t, input.purchaseRequestId);
        return {
          purchaseOrderId: order.id,
          number: order.number,
          amountCents: cents(order.amountCents),
          currency: order.currency,
          committedCents: cents(budget.committedCents),
        };
      });
    },
    dryRun: async (rawInput, ctx): Promise<DryRun> => {
      const input = parsed(purchaseOrderInput, rawInput);
      return asMember(ctx, { userId: input.issuedById, field: "issuedById", may: "decider" }, async (t) => {
        const { request, vendor, nextNumber, budget } = await planPurchaseOrder(t, input.purchaseRequestId);
        const amount = formatMoney(request.amountCents, request.currency);
        const changes: Change[] = [
          {
            op: "create",
            object: `Purchase order ${nextNumber} to ${vendor}`,
            fields: { amount: { to: amount }, description: { to: request.description } },
          },
          {
            op: "create",
            object: `Budget commitment on cost center ${budget.costCenter.code} ${budget.costCenter.name}`,
            fields: { amount: { to: amount } },
          },
          {
            op: "update",
            object: purchaseLabel(request, vendor),
            fields: { status: { from: request.status, to: "ordered" } },
          },
        ];
        return { changes, warnings: budgetWarnings(budget, request.currency) };
      });
    },
  },
});
