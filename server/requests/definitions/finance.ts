import { budgetFacts } from "@/server/finance/budget";
import { LARGE_AMOUNT_CENTS } from "@/server/kernel/access/default-pack";
import { formatMoney } from "@/server/finance/money";
import { expenseForm, purchaseForm } from "../forms";
import { defineRequest, level, outputOf } from "../definition";

const cents = (amount: number) => Math.round(amount * 100);

const financeRule = {
  levels: [
    level("Manager", "manager"),
    level("Finance", "role:approver", { minAmountCents: LARGE_AMOUNT_CENTS + 1, commentOnDeny: true }),
  ],
};

/**
 * An expense to be paid back: submitted to finance as the requester; when finance approved it in the
 * chain, it is also approved (posted to the ledger) with their authority. Below finance's threshold the
 * manager's approval files it and finance posts it in their own time.
 */
export const expense = defineRequest({
  type: "expense",
  title: "Expense reimbursement",
  description: "Get money back for something you paid for the company.",
  category: "finance",
  audience: "everyone",
  form: expenseForm,
  defaultRule: financeRule,
  async prepare({ tx, tenantId, requester }, input) {
    const amountCents = cents(input.amount);
    const budget = await budgetFacts(tx, tenantId, input.costCenterId, amountCents);
    const attrs = { submitterId: requester.id, amountCents, overBudget: budget.overBudget };
    const label = `${formatMoney(amountCents, input.currency)} at ${input.merchant}`;
    return {
      title: `Expense: ${label}`,
      amountCents,
      steps: [
        {
          key: "submit",
          as: "requester",
          syscall: {
            action: "finance.expense.submit",
            resource: { type: "Expense", id: "new", attrs },
            resourceLabel: label,
            input: {
              date: input.date,
              merchant: input.merchant,
              amountCents,
              currency: input.currency,
              category: input.category,
              costCenterId: input.costCenterId,
              ...(input.description ? { description: input.description } : {}),
            },
          },
        },
        {
          key: "approve",
          as: { approver: "role:approver", optional: true },
          describeBefore: "Approve the expense and post it to the ledger",
          syscall: {
            action: "finance.expense.approve",
            resource: { type: "Expense", id: outputOf("submit", "expenseId"), attrs },
            resourceLabel: label,
            input: { expenseId: outputOf("submit", "expenseId"), decision: "approve" },
          },
        },
      ],
    };
  },
});

/** A purchase against a cost center's budget, approved like an expense. */
export const purchase = defineRequest({
  type: "purchase",
  title: "Purchase request",
  description: "Buy something from a vendor against your cost center's budget.",
  category: "finance",
  audience: "everyone",
  form: purchaseForm,
  defaultRule: financeRule,
  async prepare({ tx, tenantId, requester }, input) {
    const amountCents = cents(input.amount);
    const budget = await budgetFacts(tx, tenantId, input.costCenterId, amountCents);
    const attrs = { requesterId: requester.id, amountCents, overBudget: budget.overBudget };
    const label = `${formatMoney(amountCents, input.currency)}: ${input.description.slice(0, 80)}`;
    return {
      title: `Purchase: ${label}`,
      amountCents,
      steps: [
        {
          key: "request",
          as: "requester",
          syscall: {
            action: "finance.purchase.request",
            resource: { type: "PurchaseRequest", id: "new", attrs },
            resourceLabel: label,
            input: {
              vendorId: input.vendorId,
              costCenterId: input.costCenterId,
              description: input.description,
              amountCents,
              currency: input.currency,
            },
          },
        },
        {
          key: "approve",
          as: { approver: "role:approver", optional: true },
          describeBefore: "Approve the purchase request against the budget",
          syscall: {
            action: "finance.purchase.approve",
            resource: { type: "PurchaseRequest", id: outputOf("request", "purchaseRequestId"), attrs },
            resourceLabel: label,
            input: { purchaseRequestId: outputOf("request", "purchaseRequestId"), decision: "approve" },
          },
        },
      ],
    };
  },
});
