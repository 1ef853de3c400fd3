import { z } from "zod";
import { sqlOf } from "@/server/db/sql";
import { AppError, checkedId, fieldError, notFound, parsed } from "@/server/errors";
import { appendAudit, userActor } from "@/server/kernel/audit/log";
import type { TenantContext } from "@/server/tenancy/context";
import {
  EXPENSE_CATEGORIES,
  bankAccount,
  categoryName,
  expenseAccount,
  reimbursementsPayable,
  type ExpenseCategory,
} from "./accounts";
import { budgetFacts, type BudgetFacts } from "./budget";
import { toCsv } from "./csv";

import { FINANCE_APPROVERS, FINANCE_MANAGERS } from "./members";
import { formatMoney } from "./money";
import { planPosting, postPlanned, type PlannedLine, type PostingPlan } from "./posting";

/**
 * Expenses: an employee records what they paid (draft), attaches receipts (receipts.ts) and submits
 * it; an approver (or an owner or admin) approves it, which posts it to the ledger, or rejects it with
 * a reason; an owner or admin marks it reimbursed once paid back, which posts the payment. Nobody
 * decides on their own expense (checked here and by the database). The tables and the moves between
 * states are in migration …_finance; this module gives the clear errors.
 */

export const EXPENSE_STATUSES = ["draft", "submitted", "approved", "rejected", "reimbursed"] as const;
export type ExpenseStatus = (typeof EXPENSE_STATUSES)[number];

/** Whole cents above zero, as a bigint or a safe integer (the database's ceiling is 10^15). */
export const positiveCents = z.preprocess(
  (v) => (typeof v === "number" && Number.isSafeInteger(v) ? BigInt(v) : v),
  z
    .bigint("Use whole cents")
    .min(1n, "Must be more than zero")
    .max(10n ** 15n, "Too large"),
);

export const currencyCode = z.string().regex(/^[A-Z]{3}$/, "Use an ISO 4217 code such as EUR");

export const expenseInput = z.object({
  date: z.iso.date("Use a date as YYYY-MM-DD"),
  merchant: z.string().trim().min(1, "Name the merchant").max(200, "Use at most 200 characters"),
  amountCents: positiveCents,
  currency: currencyCode,
  category: z.enum(EXPENSE_CATEGORIES, `Choose one of: ${EXPENSE_CATEGORIES.join(", ")}`),
  costCenterId: z.uuid("Choose a cost center"),
  description: z.string().trim().max(2000, "Use at most 2000 characters").optional(),
});
export type ExpenseInput = z.input<typeof expenseInput>;

export const reasonInput = z.string().trim().min(1, "Say why").max(1000, "Use at most 1000 characters");

export type Expense = {
  id: string;
  submitterId: string;
  date: string;
  merchant: string;
  amountCents: bigint;
  currency: string;
  category: ExpenseCategory;
  costCenterId: string;
  description: string;
  status: ExpenseStatus;
  submittedAt: Date | null;
  journalEntryId: string | null;
  decidedById: string | null;
  decidedAt: Date | null;
  reason: string | null;
  reimbursementEntryId: string | null;
  receiptCount: number;
};

type ExpenseRow = {
  id: string;
  submitter_id: string;
  date: string;
  merchant: string;
  amount_cents: string;
  currency: string;
  category: ExpenseCategory;
  cost_center_id: string;
  description: string;
  status: ExpenseStatus;
  submitted_at: string | null;
  journal_entry_id: string | null;
  decided_by: string | null;
  decided_at: string | null;
  reason: string | null;
  reimbursement_entry_id: string | null;
  receipt_count: string;
};

// Everything as text (sql.ts): both database drivers decode text alike.
const COLUMNS = `x.id::text, x.submitter_id::text, to_char(x.date, 'YYYY-MM-DD') AS date, x.merchant,
  x.amount_cents::text, x.currency::text, x.category, x.cost_center_id::text, x.description, x.status,
  x.submitted_at::text, x.journal_entry_id::text, x.decided_by::text, x.decided_at::text, x.reason,
  x.reimbursement_entry_id::text,
  (SELECT count(*) FROM finance.receipt r WHERE r.tenant_id = x.tenant_id AND r.expense_id = x.id)::text AS receipt_count`;

const time = (value: string | null) => (value === null ? null : new Date(value));

function toExpense(row: ExpenseRow): Expense {
  return {
    id: row.id,
    submitterId: row.submitter_id,
    date: row.date,
    merchant: row.merchant,
    amountCents: BigInt(row.amount_cents),
    currency: row.currency,
    category: row.category,
    costCenterId: row.cost_center_id,
    description: row.description,
    status: row.status,
    submittedAt: time(row.submitted_at),
    journalEntryId: row.journal_entry_id,
    decidedById: row.decided_by,
    decidedAt: time(row.decided_at),
    reason: row.reason,
    reimbursementEntryId: row.reimbursement_entry_id,
    receiptCount: Number(row.receipt_count),
  };
}

/** "Expense €42.50 at Deutsche Bahn": how the audit log and previews name one. */
export const expenseLabel = (e: Pick<Expense, "amountCents" | "currency" | "merchant">) =>
  `Expense ${formatMoney(e.amountCents, e.currency)} at ${e.merchant}`;

const isApprover = (ctx: TenantContext) => FINANCE_APPROVERS.includes(ctx.actor.role);

/**
 * The expense with `id` in this tenant, locked for the rest of the transaction when `forUpdate` (two
 * approvals of one expense then run one after the other). Another tenant's id, and an expense the
 * actor may not see (someone else's, unless they decide on expenses), are not found.
 */
export async function loadExpense(ctx: TenantContext, id: string, forUpdate = false): Promise<Expense> {
  checkedId(id, "Expense");
  const [row] = await sqlOf(ctx.db).query<ExpenseRow>(
    `SELECT ${COLUMNS} FROM finance.expense x WHERE x.tenant_id = $1::uuid AND x.id = $2::uuid
     ${forUpdate ? "FOR UPDATE OF x" : ""}`,
    [ctx.tenantId, id],
  );
  if (!row) throw notFound("Expense not found");
  const expense = toExpense(row);
  if (expense.submitterId !== ctx.actor.userId && !isApprover(ctx)) throw notFound("Expense not found");
  return expense;
}

async function audit(
  ctx: TenantContext,
  action: string,
  expense: Expense,
  detail: Record<string, string | number | boolean> = {},
  outcome: "succeeded" | "approved" | "rejected" = "succeeded",
) {
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action,
    resource: { type: "expense", id: expense.id, label: expenseLabel(expense) },
    outcome,
    detail: {
      amountCents: expense.amountCents.toString(),
      currency: expense.currency,
      category: expense.category,
      ...detail,
    },
  });
}

/**
 * The cost center must exist in this tenant and its fiscal year must be the expense's year, so the
 * expense counts against the budget it was meant for.
 */
async function checkCostCenter(ctx: TenantContext, costCenterId: string, date: string): Promise<void> {
  const costCenter = await ctx.db.costCenter.findUnique({
    where: { tenantId_id: { tenantId: ctx.tenantId, id: costCenterId } },
    select: { code: true, fiscalYear: true },
  });
  if (!costCenter) throw fieldError("costCenterId", "Cost center not found");
  if (String(costCenter.fiscalYear) !== date.slice(0, 4))
    throw fieldError(
      "costCenterId",
      `Cost center ${costCenter.code} is for ${costCenter.fiscalYear}; this expense is dated ${date}`,
    );
}

/** Today in UTC plus a day: an expense dated "today" somewhere east of UTC is not in the future. */
const latestDate = () => new Date(Date.now() + 24 * 3600_000).toISOString().slice(0, 10);

/** Records an expense as a draft of the actor's own. Bad input writes nothing. */
export async function createExpense(ctx: TenantContext, input: ExpenseInput): Promise<Expense> {
  const expense = parsed(expenseInput, input);
  if (expense.date > latestDate()) throw fieldError("date", "An expense cannot be dated in the future");
  await checkCostCenter(ctx, expense.costCenterId, expense.date);
  const [row] = await sqlOf(ctx.db).query<ExpenseRow>(
    `WITH x AS (
       INSERT INTO finance.expense (tenant_id, submitter_id, date, merchant, amount_cents, currency, category,
                                    cost_center_id, description)
       VALUES ($1::uuid, $2::uuid, $3::date, $4, $5::bigint, $6, $7, $8::uuid, $9)
       RETURNING *)
     SELECT ${COLUMNS} FROM x`,
    [
      ctx.tenantId,
      ctx.actor.userId,
      expense.date,
      expense.merchant,
      expense.amountCents.toString(),
      expense.currency,
      expense.category,
      expense.costCenterId,
      expense.description ?? "",
    ],
  );
  if (!row) throw new AppError("INTERNAL", "The expense was not recorded");
  const created = toExpense(row);
  await audit(ctx, "finance.expense_created", created);
  return created;
}

/** Sends a draft for approval; only its submitter does. Returns the budget position it would leave. */
export async function submitExpense(
  ctx: TenantContext,
  id: string,
): Promise<{ expense: Expense; budget: BudgetFacts }> {
  const expense = await loadExpense(ctx, id, true);
  if (expense.submitterId !== ctx.actor.userId)
    throw new AppError("FORBIDDEN", "Only the person who paid can submit their expense");
  if (expense.status !== "draft") throw new AppError("CONFLICT", `This expense is already ${expense.status}`);
  await checkCostCenter(ctx, expense.costCenterId, expense.date);
  const budget = await budgetFacts(ctx.db, ctx.tenantId, expense.costCenterId, expense.amountCents);
  const [row] = await sqlOf(ctx.db).query<ExpenseRow>(
    `WITH x AS (
       UPDATE finance.expense SET status = 'submitted', submitted_at = now(), updated_at = now()
        WHERE tenant_id = $1::uuid AND id = $2::uuid AND status = 'draft' RETURNING *)
     SELECT ${COLUMNS} FROM x`,
    [ctx.tenantId, expense.id],
  );
  if (!row) throw new AppError("CONFLICT", "This expense was submitted meanwhile");
  const submitted = toExpense(row);
  await audit(ctx, "finance.expense_submitted", submitted, { overBudget: budget.overBudget });
  return { expense: submitted, budget };
}

/** Records and submits in one step: what the finance.expense.submit connector action does. */
export async function fileExpense(
  ctx: TenantContext,
  input: ExpenseInput,
): Promise<{ expense: Expense; budget: BudgetFacts }> {
  const draft = await createExpense(ctx, input);
  return submitExpense(ctx, draft.id);
}

/** What submitting `input` would leave of the budget, with reads only (previews). */
export async function previewExpense(
  ctx: TenantContext,
  input: ExpenseInput,
): Promise<{ expense: z.output<typeof expenseInput>; budget: BudgetFacts }> {
  const expense = parsed(expenseInput, input);
  if (expense.date > latestDate()) throw fieldError("date", "An expense cannot be dated in the future");
  await checkCostCenter(ctx, expense.costCenterId, expense.date);
  return {
    expense,
    budget: await budgetFacts(ctx.db, ctx.tenantId, expense.costCenterId, expense.amountCents),
  };
}

function checkDecider(ctx: TenantContext, expense: Expense, verb: string): void {
  if (!isApprover(ctx))
    throw new AppError("FORBIDDEN", `Your role (${ctx.actor.role}) cannot ${verb} expenses`);
  if (expense.submitterId === ctx.actor.userId)
    throw new AppError("FORBIDDEN", `Nobody can ${verb} their own expense`);
  if (expense.status !== "submitted")
    throw new AppError("CONFLICT", `Only a submitted expense can be decided; this one is ${expense.status}`);
}

const approvalLines = (e: Expense): PlannedLine[] => [
  {
    account: expenseAccount(e.category, e.currency),
    costCenterId: e.costCenterId,
    debitCents: e.amountCents,
    creditCents: 0n,
  },
  {
    account: reimbursementsPayable(e.currency),
    costCenterId: null,
    debitCents: 0n,
    creditCents: e.amountCents,
  },
];

export type ExpenseApprovalPlan = { expense: Expense; posting: PostingPlan; budget: BudgetFacts };

/**
 * What approving would post (debit the category's expense account on the cost center, credit what
 * the company owes the employee) and where it leaves the budget, with reads only. Refuses what
 * approving would refuse.
 */
export async function planExpenseApproval(ctx: TenantContext, id: string): Promise<ExpenseApprovalPlan> {
  const expense = await loadExpense(ctx, id);
  checkDecider(ctx, expense, "approve");
  const posting = await planPosting(ctx, approvalLines(expense));
  const budget = await budgetFacts(ctx.db, ctx.tenantId, expense.costCenterId, expense.amountCents);
  return { expense, posting, budget };
}

/** Refuses what rejecting would refuse, with reads only (previews). */
export async function planExpenseRejection(ctx: TenantContext, id: string, reason: string): Promise<Expense> {
  parsed(reasonInput, reason);
  const expense = await loadExpense(ctx, id);
  checkDecider(ctx, expense, "reject");
  return expense;
}

/**
 * Approves a submitted expense and posts it to the ledger, dated as the expense, in the same
 * transaction: approved if and only if posted. A mistake afterwards is corrected by a reversing entry
 * (ledger.ts reverseEntry), never by changing this one.
 */
export async function approveExpense(
  ctx: TenantContext,
  id: string,
): Promise<{ expense: Expense; journalEntryId: string }> {
  const expense = await loadExpense(ctx, id, true);
  checkDecider(ctx, expense, "approve");
  const entry = await postPlanned(
    ctx,
    {
      date: expense.date,
      memo: `${expenseLabel(expense)} (${categoryName(expense.category)})`,
      source: `expense:${expense.id}`,
    },
    approvalLines(expense),
  );
  const [row] = await sqlOf(ctx.db).query<ExpenseRow>(
    `WITH x AS (
       UPDATE finance.expense
          SET status = 'approved', journal_entry_id = $3::uuid, decided_by = $4::uuid, decided_at = now(),
              updated_at = now()
        WHERE tenant_id = $1::uuid AND id = $2::uuid AND status = 'submitted' RETURNING *)
     SELECT ${COLUMNS} FROM x`,
    [ctx.tenantId, expense.id, entry.id, ctx.actor.userId],
  );
  if (!row) throw new AppError("CONFLICT", "This expense was decided meanwhile");
  const approved = toExpense(row);
  await audit(ctx, "finance.expense_approved", approved, { journalEntryId: entry.id }, "approved");
  return { expense: approved, journalEntryId: entry.id };
}

/** Rejects a submitted expense with a reason the submitter sees; nothing is posted. */
export async function rejectExpense(ctx: TenantContext, id: string, reason: string): Promise<Expense> {
  const why = parsed(reasonInput, reason);
  const expense = await loadExpense(ctx, id, true);
  checkDecider(ctx, expense, "reject");
  const [row] = await sqlOf(ctx.db).query<ExpenseRow>(
    `WITH x AS (
       UPDATE finance.expense
          SET status = 'rejected', reason = $3, decided_by = $4::uuid, decided_at = now(), updated_at = now()
        WHERE tenant_id = $1::uuid AND id = $2::uuid AND status = 'submitted' RETURNING *)
     SELECT ${COLUMNS} FROM x`,
    [ctx.tenantId, expense.id, why, ctx.actor.userId],
  );
  if (!row) throw new AppError("CONFLICT", "This expense was decided meanwhile");
  const rejected = toExpense(row);
  await audit(ctx, "finance.expense_rejected", rejected, { reason: why }, "rejected");
  return rejected;
}

/**
 * Records that an approved expense was paid back: posts the payment (debit what the company owes
 * the employee, credit the bank). Owners and admins, who keep the books, do this.
 */
export async function reimburseExpense(ctx: TenantContext, id: string): Promise<Expense> {
  if (!FINANCE_MANAGERS.includes(ctx.actor.role))
    throw new AppError("FORBIDDEN", "Only owners and admins record reimbursements");
  const expense = await loadExpense(ctx, id, true);
  if (expense.status !== "approved")
    throw new AppError(
      "CONFLICT",
      `Only an approved expense can be reimbursed; this one is ${expense.status}`,
    );
  const today = new Date().toISOString().slice(0, 10);
  const entry = await postPlanned(
    ctx,
    {
      date: today,
      memo: `Reimbursed: ${expenseLabel(expense)}`,
      source: `expense-reimbursement:${expense.id}`,
    },
    [
      {
        account: reimbursementsPayable(expense.currency),
        costCenterId: null,
        debitCents: expense.amountCents,
        creditCents: 0n,
      },
      {
        account: bankAccount(expense.currency),
        costCenterId: null,
        debitCents: 0n,
        creditCents: expense.amountCents,
      },
    ],
  );
  const [row] = await sqlOf(ctx.db).query<ExpenseRow>(
    `WITH x AS (
       UPDATE finance.expense
          SET status = 'reimbursed', reimbursement_entry_id = $3::uuid, reimbursed_at = now(), updated_at = now()
        WHERE tenant_id = $1::uuid AND id = $2::uuid AND status = 'approved' RETURNING *)
     SELECT ${COLUMNS} FROM x`,
    [ctx.tenantId, expense.id, entry.id],
  );
  if (!row) throw new AppError("CONFLICT", "This expense was reimbursed meanwhile");
  const reimbursed = toExpense(row);
  await audit(ctx, "finance.expense_reimbursed", reimbursed, { journalEntryId: entry.id });
  return reimbursed;
}

/** Deletes a draft (with its receipts); submitted expenses are kept for the record. */
export async function deleteDraftExpense(ctx: TenantContext, id: string): Promise<void> {
  const expense = await loadExpense(ctx, id, true);
  if (expense.submitterId !== ctx.actor.userId)
    throw new AppError("FORBIDDEN", "Only the person who recorded a draft can delete it");
  if (expense.status !== "draft") throw new AppError("CONFLICT", "Only a draft can be deleted");
  await sqlOf(ctx.db).query(
    `DELETE FROM finance.expense WHERE tenant_id = $1::uuid AND id = $2::uuid AND status = 'draft'`,
    [ctx.tenantId, expense.id],
  );
  await audit(ctx, "finance.expense_deleted", expense);
}

export const expenseReportInput = z
  .object({
    from: z.iso.date("Use a date as YYYY-MM-DD"),
    to: z.iso.date("Use a date as YYYY-MM-DD"),
    /** One employee's expenses; everyone's when absent (approvers, owners and admins only). */
    submitterId: z.uuid("Choose a member").optional(),
    /** Drafts are the submitter's own business and are left out unless asked for. */
    includeDrafts: z.boolean().optional(),
  })
  .refine((r) => r.from <= r.to, { message: "Start on or before the end", path: ["to"] });

const REPORT_HEADER = [
  "employee",
  "employee_email",
  "date",
  "merchant",
  "category",
  "cost_center",
  "description",
  "currency",
  "amount_cents",
  "amount",
  "status",
  "submitted_at",
  "decided_by",
  "decided_at",
  "reason",
  "journal_entry",
  "receipts",
] as const;

/**
 * The expense report for a period, per employee (ordered by employee, then date), as CSV safe to
 * open in a spreadsheet (csv.ts guards against formulas in merchants and descriptions). Employees
 * export their own; approvers, owners and admins anyone's. The export is audited.
 */
export async function expenseReportCsv(
  ctx: TenantContext,
  input: z.input<typeof expenseReportInput>,
): Promise<string> {
  const report = parsed(expenseReportInput, input);
  const submitterId = isApprover(ctx) ? report.submitterId : (report.submitterId ?? ctx.actor.userId);
  if (submitterId !== undefined && submitterId !== ctx.actor.userId && !isApprover(ctx))
    throw new AppError("FORBIDDEN", "You can export only your own expenses");
  const rows = await sqlOf(ctx.db).query<Record<(typeof REPORT_HEADER)[number], string>>(
    `SELECT u.name AS employee, u.email AS employee_email, to_char(x.date, 'YYYY-MM-DD') AS date, x.merchant,
            x.category, c.code AS cost_center, x.description, x.currency::text AS currency,
            x.amount_cents::text AS amount_cents,
            to_char(x.amount_cents / 100.0, 'FM999999999999990.00') AS amount, x.status,
            coalesce(to_char(x.submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '') AS submitted_at,
            coalesce(d.email, '') AS decided_by,
            coalesce(to_char(x.decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '') AS decided_at,
            coalesce(x.reason, '') AS reason, coalesce(x.journal_entry_id::text, '') AS journal_entry,
            (SELECT count(*) FROM finance.receipt r WHERE r.tenant_id = x.tenant_id AND r.expense_id = x.id)::text
              AS receipts
       FROM finance.expense x
       JOIN "User" u ON u.id = x.submitter_id
       JOIN "CostCenter" c ON c."tenantId" = x.tenant_id AND c.id = x.cost_center_id
       LEFT JOIN "User" d ON d.id = x.decided_by
      WHERE x.tenant_id = $1::uuid AND x.date BETWEEN $2::date AND $3::date
        AND ($4::uuid IS NULL OR x.submitter_id = $4::uuid)
        AND ($5::boolean OR x.status <> 'draft')
      ORDER BY u.name, u.email, x.date, x.created_at`,
    [ctx.tenantId, report.from, report.to, submitterId ?? null, report.includeDrafts ?? false],
  );
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action: "finance.expenses_exported",
    resource: { type: "expense_report", id: submitterId ?? ctx.tenantId, label: "Expense report" },
    outcome: "succeeded",
    detail: { from: report.from, to: report.to, count: rows.length, ...(submitterId ? { submitterId } : {}) },
  });
  return toCsv([REPORT_HEADER, ...rows.map((row) => REPORT_HEADER.map((column) => row[column]))]);
}
