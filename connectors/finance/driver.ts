import type { z } from "zod";
import type { Tx } from "@/server/db/client";
import { AppError, type FieldErrors } from "@/server/errors";
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
import { memberActor, memberLabels } from "@/server/finance/members";
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
 * A thin adapter over server/finance: each call runs in the tenant's transaction as the member its
 * input names (their role from their membership), so the domain's own checks (who may approve, no
 * self-approval, states) apply exactly as in the app. Dry runs use the domain's read-only previews.
 */

/** Zod's issues as a BAD_REQUEST with field errors; nothing has been written when this is thrown. */
function parsedInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields: FieldErrors = {};
  for (const issue of result.error.issues)
    (fields[issue.path.join(".") || "input"] ??= []).push(issue.message);
  const summary = Object.entries(fields)
    .map(([field, messages]) => `${field}: ${messages.join("; ")}`)
    .join("; ");
  throw new AppError("BAD_REQUEST", summary, { fields });
}

/** Runs `fn` in the tenant's transaction as the member `userId`; `name`, when given, must be theirs. */
function asMember<T>(
  ctx: DriverContext,
  person: { userId: string; name?: string; field: string },
  fn: (tenant: TenantContext) => Promise<T>,
): Promise<T> {
  return ctx.tenant(async (tx: Tx) => {
    const actor = await memberActor(tx, ctx.tenantId, person.userId).catch((error: unknown) => {
      if (error instanceof AppError && error.code === "NOT_FOUND")
        throw new AppError("BAD_REQUEST", `${person.field}: Not an active member of this tenant`, {
          fields: { [person.field]: ["Not an active member of this tenant"] },
        });
      throw error;
    });
    if (person.name !== undefined) {
      const actual = (await memberLabels(tx, [person.userId])).get(person.userId) ?? "";
      if (actual.trim().toLowerCase() !== person.name.trim().toLowerCase())
        throw new AppError("BAD_REQUEST", `The member is called ${actual}, not ${person.name}`, {
          fields: { [person.field]: [`The member is called ${actual}, not ${person.name}`] },
        });
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
      const input = parsedInput(expenseSubmitInput, rawInput);
      return asMember(
        ctx,
        { userId: input.submitterId, name: input.submitterName, field: "submitterId" },
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
      const input = parsedInput(expenseSubmitInput, rawInput);
      return asMember(
        ctx,
        { userId: input.submitterId, name: input.submitterName, field: "submitterId" },
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
      const input = parsedInput(expenseApproveInput, rawInput);
      return asMember(ctx, { userId: input.approverId, field: "approverId" }, async (t) => {
        if (input.decision === "reject") {
          const rejected = await rejectExpense(t, input.expenseId, input.reason ?? "");
          return { expenseId: rejected.id, status: "rejected" as const, journalEntryId: null };
        }
        const { expense, journalEntryId } = await approveExpense(t, input.expenseId);
        return { expenseId: expense.id, status: "approved" as const, journalEntryId };
      });
    },
    dryRun: async (rawInput, ctx): Promise<DryRun> => {
      const input = parsedInput(expenseApproveInput, rawInput);
      return asMember(ctx, { userId: input.approverId, field: "approverId" }, async (t) => {
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
      const input = parsedInput(purchaseRequestInput, rawInput);
      return asMember(
        ctx,
        { userId: input.requesterId, name: input.requesterName, field: "requesterId" },
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
      const input = parsedInput(purchaseRequestInput, rawInput);
      return asMember(
        ctx,
        { userId: input.requesterId, name: input.requesterName, field: "requesterId" },
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
      const input = parsedInput(purchaseApproveInput, rawInput);
      return asMember(ctx, { userId: input.approverId, field: "approverId" }, async (t) => {
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
      const input = parsedInput(purchaseApproveInput, rawInput);
      return asMember(ctx, { userId: input.approverId, field: "approverId" }, async (t) => {
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
      const input = parsedInput(purchaseOrderInput, rawInput);
      return asMember(ctx, { userId: input.issuedById, field: "issuedById" }, async (t) => {
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
      const input = parsedInput(purchaseOrderInput, rawInput);
      return asMember(ctx, { userId: input.issuedById, field: "issuedById" }, async (t) => {
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
