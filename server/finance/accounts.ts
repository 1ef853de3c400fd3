import type { LedgerAccountSpec } from "./ledger";

/**
 * The accounts the finance workflows post to, created on first use (ensureWorkflowAccount), one set
 * per currency because a ledger account holds one currency. Codes are fixed so that every tenant's
 * books read the same, and long enough not to collide with a tenant's own numbered chart of accounts.
 */

export const EXPENSE_CATEGORIES = [
  "travel",
  "meals",
  "lodging",
  "supplies",
  "software",
  "training",
  "other",
] as const;
export type ExpenseCategory = (typeof EXPENSE_CATEGORIES)[number];

const CATEGORY_NAMES: Record<ExpenseCategory, string> = {
  travel: "Travel",
  meals: "Meals",
  lodging: "Lodging",
  supplies: "Office supplies",
  software: "Software",
  training: "Training",
  other: "Other expenses",
};

export const categoryName = (category: ExpenseCategory) => CATEGORY_NAMES[category];

/** Where an approved expense is charged: "EXP-TRAVEL-EUR". */
export const expenseAccount = (category: ExpenseCategory, currency: string): LedgerAccountSpec => ({
  code: `EXP-${category.toUpperCase()}-${currency}`,
  name: `${CATEGORY_NAMES[category]} (${currency})`,
  type: "expense",
  currency,
});

/** What the company owes employees for expenses it approved and has not yet paid back. */
export const reimbursementsPayable = (currency: string): LedgerAccountSpec => ({
  code: `AP-EMPLOYEE-${currency}`,
  name: `Employee reimbursements payable (${currency})`,
  type: "liability",
  currency,
});

/** What the company owes vendors for goods received on purchase orders. */
export const accountsPayable = (currency: string): LedgerAccountSpec => ({
  code: `AP-VENDOR-${currency}`,
  name: `Accounts payable (${currency})`,
  type: "liability",
  currency,
});

/** Where received purchase orders are charged. */
export const purchasesAccount = (currency: string): LedgerAccountSpec => ({
  code: `EXP-PURCHASES-${currency}`,
  name: `Purchases (${currency})`,
  type: "expense",
  currency,
});

/** The bank account reimbursements are paid from. */
export const bankAccount = (currency: string): LedgerAccountSpec => ({
  code: `BANK-${currency}`,
  name: `Bank (${currency})`,
  type: "asset",
  currency,
});
