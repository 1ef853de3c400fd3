import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Tx } from "@/server/db/client";
import { hasSqlState, sqlOf } from "@/server/db/sql";
import { AppError, checkedId, notFound, parsed } from "@/server/errors";
import { appendAudit, userActor } from "@/server/kernel/audit/log";
import type { TenantContext } from "@/server/tenancy/context";
import type { Role } from "@/server/tenancy/roles";
import { isUniqueViolation } from "@/server/tenancy/tenants";
import { budgetFacts } from "./budget";
import { toCsv } from "./csv";

/**
 * The tenant's double-entry ledger. Every entry balances (Σdebit = Σcredit, at least two lines, one
 * currency) and, once posted, never changes: this module checks both to give clear errors, and the
 * database enforces both regardless (migration …_finance_ledger), so SQL that bypasses this module
 * cannot unbalance the books either. Amounts are integer cents (bigint).
 */

/** Owners and admins keep the books; nobody else reads or writes them yet. */
const FINANCE_MANAGERS: readonly Role[] = ["owner", "admin"];

function requireFinanceManager(ctx: TenantContext): void {
  if (!FINANCE_MANAGERS.includes(ctx.actor.role)) {
    throw new AppError("FORBIDDEN", "Only owners and admins can use the ledger");
  }
}

/** A ceiling far above any real amount, so that sums of many lines stay exact everywhere. */
const MAX_CENTS = 10n ** 15n;

/** Whole cents, as a bigint or a safe integer; always a bigint once parsed. */
export type Cents = bigint | number;

const cents = z.preprocess(
  (v) => (typeof v === "number" && Number.isSafeInteger(v) ? BigInt(v) : v),
  z.bigint("Use whole cents").min(0n, "Cannot be negative").max(MAX_CENTS, "Too large"),
);

const isoDate = z.iso.date("Use a date as YYYY-MM-DD");

const journalLineInput = z.object({
  accountId: z.uuid("Choose an account"),
  costCenterId: z.uuid("Choose a cost center").nullish(),
  debitCents: cents.optional(),
  creditCents: cents.optional(),
});

export const postEntryInput = z
  .object({
    date: isoDate,
    memo: z.string().trim().min(1, "Describe the entry").max(500, "Use at most 500 characters"),
    source: z.string().trim().min(1).max(200, "Use at most 200 characters").nullish(),
    lines: z
      .array(journalLineInput)
      .min(2, "An entry needs at least two lines")
      .max(500, "Use at most 500 lines"),
  })
  .superRefine((entry, issues) => {
    let debits = 0n;
    let credits = 0n;
    entry.lines.forEach((line, i) => {
      const debit = line.debitCents ?? 0n;
      const credit = line.creditCents ?? 0n;
      if (debit > 0n === credit > 0n) {
        issues.addIssue({
          code: "custom",
          path: ["lines", i],
          message: "A line is either a debit or a credit: give exactly one of them, above zero",
        });
      }
      debits += debit;
      credits += credit;
    });
    if (debits !== credits) {
      issues.addIssue({
        code: "custom",
        path: ["lines"],
        message: `Debits (${debits} cents) and credits (${credits} cents) must be equal`,
      });
    }
  });

export type PostEntryInput = {
  /** YYYY-MM-DD. */
  date: string;
  memo: string;
  /** What the entry records, e.g. "expense:<id>". */
  source?: string | null;
  lines: { accountId: string; costCenterId?: string | null; debitCents?: Cents; creditCents?: Cents }[];
};

export const ledgerAccountInput = z.object({
  code: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,19}$/, "Use up to 20 letters, digits, '.' or '-'"),
  name: z.string().trim().min(1, "Name the account").max(200, "Use at most 200 characters"),
  type: z.enum(["asset", "liability", "equity", "income", "expense"], "Choose a type"),
  currency: z.string().regex(/^[A-Z]{3}$/, "Use an ISO 4217 code such as USD"),
});

export const costCenterInput = z.object({
  code: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,19}$/, "Use up to 20 letters, digits, '.' or '-'"),
  name: z.string().trim().min(1, "Name the cost center").max(200, "Use at most 200 characters"),
  annualBudgetCents: cents,
  fiscalYear: z.number().int().min(2000, "Use a year from 2000").max(2200, "Use a year up to 2200"),
});

const dateOf = (isoDay: string) => new Date(`${isoDay}T00:00:00.000Z`);
const dayOf = (date: Date) => date.toISOString().slice(0, 10);

/** The SQLSTATEs the ledger's triggers raise (migration …_finance_ledger). */
const UNBALANCED = "LG001";
const APPEND_ONLY = "LG002";

/**
 * The one place a refusal by the ledger's triggers becomes an AppError, whether it came from
 * postEntry's early check or from a commit: null for any other error.
 */
export function ledgerRefusal(error: unknown): AppError | null {
  if (hasSqlState(error, UNBALANCED))
    return new AppError(
      "BAD_REQUEST",
      "The entry does not balance: debits must equal credits, in one currency, over at least two lines, and a posted entry cannot gain lines",
      { cause: error },
    );
  if (hasSqlState(error, APPEND_ONLY))
    return new AppError(
      "CONFLICT",
      "Posted entries cannot be changed or deleted; post a reversing entry instead",
      { cause: error },
    );
  return null;
}

/**
 * Runs the deferred balance triggers now rather than at commit, so that a refusal surfaces here, where
 * it can be reported, and not after the caller's transaction has moved on; then defers them again
 * for whatever else the transaction inserts.
 */
async function checkBalancedNow(tx: Tx): Promise<void> {
  try {
    await tx.$executeRawUnsafe("SET CONSTRAINTS journal_entry_balanced, journal_line_balanced IMMEDIATE");
  } catch (error) {
    throw ledgerRefusal(error) ?? error;
  }
  await tx.$executeRawUnsafe("SET CONSTRAINTS journal_entry_balanced, journal_line_balanced DEFERRED");
}

export type JournalLineView = {
  lineNo: number;
  accountId: string;
  costCenterId: string | null;
  debitCents: bigint;
  creditCents: bigint;
};

export type JournalEntryView = {
  id: string;
  date: string;
  memo: string;
  source: string | null;
  reversesId: string | null;
  postedById: string;
  createdAt: Date;
  currency: string;
  lines: JournalLineView[];
};

type NewLine = { accountId: string; costCenterId: string | null; debitCents: bigint; creditCents: bigint };

/** Writes one entry and its lines, checks the database agrees it balances, and audits it. */
async function insertEntry(
  ctx: TenantContext,
  entry: { date: string; memo: string; source: string | null; reversesId: string | null },
  lines: readonly NewLine[],
  currency: string,
  audit: { action: string; detail: Record<string, string | number> },
): Promise<JournalEntryView> {
  const id = randomUUID();
  const row = await ctx.db.journalEntry.create({
    data: {
      id,
      tenantId: ctx.tenantId,
      date: dateOf(entry.date),
      memo: entry.memo,
      source: entry.source,
      reversesId: entry.reversesId,
      lineCount: lines.length,
      postedById: ctx.actor.userId,
    },
  });
  const lineRows = lines.map((line, i) => ({ ...line, lineNo: i + 1 }));
  await ctx.db.journalLine.createMany({
    data: lineRows.map((line) => ({ ...line, tenantId: ctx.tenantId, entryId: id })),
  });
  await checkBalancedNow(ctx.db);
  const total = lines.reduce((sum, line) => sum + line.debitCents, 0n);
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action: audit.action,
    resource: { type: "journal_entry", id, label: entry.memo },
    outcome: "succeeded",
    detail: { ...audit.detail, lines: lines.length, totalCents: total.toString(), currency },
  });
  return {
    id,
    date: entry.date,
    memo: row.memo,
    source: row.source,
    reversesId: row.reversesId,
    postedById: row.postedById,
    createdAt: row.createdAt,
    currency,
    lines: lineRows,
  };
}

/** The accounts an entry's lines name, all of this tenant, in one currency; else a clear error. */
async function currencyOfLines(ctx: TenantContext, lines: readonly NewLine[]): Promise<string> {
  const accountIds = [...new Set(lines.map((l) => l.accountId))];
  const accounts = await ctx.db.ledgerAccount.findMany({
    where: { tenantId: ctx.tenantId, id: { in: accountIds } },
    select: { id: true, currency: true },
  });
  if (accounts.length !== accountIds.length) throw notFound("Account not found");
  const costCenterIds = [...new Set(lines.flatMap((l) => (l.costCenterId ? [l.costCenterId] : [])))];
  if (costCenterIds.length > 0) {
    const found = await ctx.db.costCenter.count({
      where: { tenantId: ctx.tenantId, id: { in: costCenterIds } },
    });
    if (found !== costCenterIds.length) throw notFound("Cost center not found");
  }
  const currencies = [...new Set(accounts.map((a) => a.currency))];
  const [currency] = currencies;
  if (currencies.length !== 1 || currency === undefined) {
    throw new AppError(
      "BAD_REQUEST",
      `lines: An entry is in one currency; these accounts use ${currencies.join(", ")}`,
      {
        fields: { lines: [`An entry is in one currency; these accounts use ${currencies.join(", ")}`] },
      },
    );
  }
  return currency;
}

/** Posts a balanced entry. Bad input, unknown accounts or mixed currencies write nothing. */
export async function postEntry(ctx: TenantContext, input: PostEntryInput): Promise<JournalEntryView> {
  requireFinanceManager(ctx);
  return postWorkflowEntry(ctx, input);
}

/**
 * postEntry for the finance workflows (server/finance/expenses.ts, purchases.ts), which decide
 * themselves who may cause a posting: an approver approving an expense posts it without being a
 * ledger manager. Everything else is postEntry's: the same checks, the same audit, the same database
 * refusals. Never call it from a route or procedure directly.
 */
export async function postWorkflowEntry(
  ctx: TenantContext,
  input: PostEntryInput,
): Promise<JournalEntryView> {
  const entry = parsed(postEntryInput, input);
  const lines: NewLine[] = entry.lines.map((l) => ({
    accountId: l.accountId,
    costCenterId: l.costCenterId ?? null,
    debitCents: l.debitCents ?? 0n,
    creditCents: l.creditCents ?? 0n,
  }));
  const currency = await currencyOfLines(ctx, lines);
  return insertEntry(
    ctx,
    { date: entry.date, memo: entry.memo, source: entry.source ?? null, reversesId: null },
    lines,
    currency,
    { action: "ledger.entry_posted", detail: entry.source ? { source: entry.source } : {} },
  );
}

/**
 * Posts the entry that undoes `id`: the same lines with debits and credits swapped, dated today. The
 * original stays as it was (the ledger is append-only); an entry is reversed at most once.
 */
export async function reverseEntry(ctx: TenantContext, id: string, memo: string): Promise<JournalEntryView> {
  requireFinanceManager(ctx);
  checkedId(id, "Journal entry");
  const reason = parsed(postEntryInput.shape.memo, memo);
  const original = await ctx.db.journalEntry.findUnique({
    where: { tenantId_id: { tenantId: ctx.tenantId, id } },
    include: { lines: { orderBy: { lineNo: "asc" }, include: { account: { select: { currency: true } } } } },
  });
  if (!original) throw notFound("Journal entry not found");
  const earlier = await ctx.db.journalEntry.findUnique({
    where: { tenantId_reversesId: { tenantId: ctx.tenantId, reversesId: id } },
    select: { id: true },
  });
  if (earlier) throw new AppError("CONFLICT", `This entry was already reversed by entry ${earlier.id}`);
  const lines: NewLine[] = original.lines.map((l) => ({
    accountId: l.accountId,
    costCenterId: l.costCenterId,
    debitCents: l.creditCents,
    creditCents: l.debitCents,
  }));
  const currency = original.lines[0]?.account.currency ?? "";
  try {
    return await insertEntry(
      ctx,
      { date: dayOf(new Date()), memo: reason, source: `reversal:${id}`, reversesId: id },
      lines,
      currency,
      { action: "ledger.entry_reversed", detail: { reverses: id, originalMemo: original.memo } },
    );
  } catch (error) {
    // Two reversals at once: the unique key on reversesId lets one through.
    if (isUniqueViolation(error)) throw new AppError("CONFLICT", "This entry was already reversed");
    throw error;
  }
}

export type AccountBalance = {
  accountId: string;
  code: string;
  name: string;
  type: "asset" | "liability" | "equity" | "income" | "expense";
  currency: string;
  debitCents: bigint;
  creditCents: bigint;
  /** On the account's normal side: debits minus credits for assets and expenses, else the reverse. */
  balanceCents: bigint;
};

/** Every account with its totals over entries dated up to and including `asOf`. */
export async function accountBalances(
  ctx: TenantContext,
  input: { asOf: string },
): Promise<AccountBalance[]> {
  requireFinanceManager(ctx);
  const asOf = parsed(isoDate, input.asOf);
  // One after the other: a transaction's queries share one connection.
  const accounts = await ctx.db.ledgerAccount.findMany({
    where: { tenantId: ctx.tenantId },
    orderBy: { code: "asc" },
  });
  const sums = await ctx.db.journalLine.groupBy({
    by: ["accountId"],
    where: { tenantId: ctx.tenantId, entry: { date: { lte: dateOf(asOf) } } },
    _sum: { debitCents: true, creditCents: true },
  });
  const byAccount = new Map(sums.map((s) => [s.accountId, s._sum]));
  return accounts.map((a) => {
    const sum = byAccount.get(a.id);
    const debitCents = sum?.debitCents ?? 0n;
    const creditCents = sum?.creditCents ?? 0n;
    const debitNormal = a.type === "asset" || a.type === "expense";
    return {
      accountId: a.id,
      code: a.code,
      name: a.name,
      type: a.type,
      currency: a.currency,
      debitCents,
      creditCents,
      balanceCents: debitNormal ? debitCents - creditCents : creditCents - debitCents,
    };
  });
}

export type TrialBalance = {
  asOf: string;
  /** Each account with activity, its net balance in the debit or the credit column. */
  rows: {
    accountId: string;
    code: string;
    name: string;
    currency: string;
    debitCents: bigint;
    creditCents: bigint;
  }[];
  /** Per currency; debits always equal credits, because every entry balances. */
  totals: { currency: string; debitCents: bigint; creditCents: bigint }[];
};

export async function trialBalance(ctx: TenantContext, input: { asOf?: string } = {}): Promise<TrialBalance> {
  const asOf = input.asOf ?? dayOf(new Date());
  const balances = await accountBalances(ctx, { asOf });
  const rows: TrialBalance["rows"] = [];
  const totals = new Map<string, { currency: string; debitCents: bigint; creditCents: bigint }>();
  for (const b of balances) {
    if (b.debitCents === 0n && b.creditCents === 0n) continue;
    const net = b.debitCents - b.creditCents;
    const row = {
      accountId: b.accountId,
      code: b.code,
      name: b.name,
      currency: b.currency,
      debitCents: net > 0n ? net : 0n,
      creditCents: net < 0n ? -net : 0n,
    };
    rows.push(row);
    const total = totals.get(b.currency) ?? { currency: b.currency, debitCents: 0n, creditCents: 0n };
    total.debitCents += row.debitCents;
    total.creditCents += row.creditCents;
    totals.set(b.currency, total);
  }
  return { asOf, rows, totals: [...totals.values()].sort((a, b) => a.currency.localeCompare(b.currency)) };
}

async function loadCostCenter(ctx: TenantContext, id: string) {
  checkedId(id, "Cost center");
  const row = await ctx.db.costCenter.findUnique({ where: { tenantId_id: { tenantId: ctx.tenantId, id } } });
  if (!row) throw notFound("Cost center not found");
  return row;
}

/**
 * What a cost center spent in a fiscal year (a calendar year for now): the net debits of the lines
 * charged to it, so a reversed entry counts for nothing.
 */
export async function costCenterSpend(
  ctx: TenantContext,
  costCenterId: string,
  fiscalYear: number,
): Promise<bigint> {
  requireFinanceManager(ctx);
  await loadCostCenter(ctx, costCenterId);
  const year = parsed(costCenterInput.shape.fiscalYear, fiscalYear);
  const sum = await ctx.db.journalLine.aggregate({
    where: {
      tenantId: ctx.tenantId,
      costCenterId,
      entry: { date: { gte: dateOf(`${year}-01-01`), lt: dateOf(`${year + 1}-01-01`) } },
    },
    _sum: { debitCents: true, creditCents: true },
  });
  return (sum._sum.debitCents ?? 0n) - (sum._sum.creditCents ?? 0n);
}

export type BudgetCheck = {
  withinBudget: boolean;
  /**
   * Budget minus what is already spent and what issued purchase orders have committed, before this
   * amount; negative when already over.
   */
  remainingCents: bigint;
  /** How far spending would go over the budget with this amount; zero when within it. */
  wouldExceedByCents: bigint;
};

/**
 * Whether spending `amountCents` more would keep the cost center within its fiscal year's budget,
 * counting open purchase-order commitments as spent (budget.ts).
 */
export async function checkBudget(
  ctx: TenantContext,
  input: { costCenterId: string; amountCents: Cents },
): Promise<BudgetCheck> {
  requireFinanceManager(ctx);
  const costCenter = await loadCostCenter(ctx, input.costCenterId);
  const amount = parsed(cents, input.amountCents);
  const facts = await budgetFacts(ctx.db, ctx.tenantId, costCenter.id, amount);
  return {
    withinBudget: !facts.overBudget,
    remainingCents: facts.remainingCents,
    wouldExceedByCents: facts.overByCents,
  };
}

const CSV_HEADER = [
  "date",
  "entry",
  "memo",
  "source",
  "reverses",
  "line",
  "account_code",
  "account_name",
  "cost_center",
  "currency",
  "debit_cents",
  "credit_cents",
] as const;

/** The ledger's lines for entries dated from `from` to `to` inclusive, as CSV; the export is audited. */
export async function ledgerCsv(ctx: TenantContext, input: { from: string; to: string }): Promise<string> {
  requireFinanceManager(ctx);
  const range = parsed(
    z
      .object({ from: isoDate, to: isoDate })
      .refine((r) => r.from <= r.to, { message: "Start on or before the end", path: ["to"] }),
    input,
  );
  // One query with joins: Prisma would load the three relations concurrently on the transaction's one
  // connection. Everything comes back as text, in CSV_HEADER's order.
  const rows = await sqlOf(ctx.db).query<Record<(typeof CSV_HEADER)[number], string>>(
    `SELECT to_char(e.date, 'YYYY-MM-DD') AS date, l."entryId"::text AS entry, e.memo,
            coalesce(e.source, '') AS source, coalesce(e."reversesId"::text, '') AS reverses,
            l."lineNo"::text AS line, a.code AS account_code, a.name AS account_name,
            coalesce(c.code, '') AS cost_center, a.currency::text AS currency,
            l."debitCents"::text AS debit_cents, l."creditCents"::text AS credit_cents
       FROM "JournalLine" l
       JOIN "JournalEntry" e ON e."tenantId" = l."tenantId" AND e.id = l."entryId"
       JOIN "LedgerAccount" a ON a."tenantId" = l."tenantId" AND a.id = l."accountId"
       LEFT JOIN "CostCenter" c ON c."tenantId" = l."tenantId" AND c.id = l."costCenterId"
      WHERE l."tenantId" = $1::uuid AND e.date BETWEEN $2::date AND $3::date
      ORDER BY e.date, e."createdAt", l."entryId", l."lineNo"`,
    [ctx.tenantId, range.from, range.to],
  );
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action: "ledger.exported",
    resource: { type: "ledger", id: ctx.tenantId, label: "Ledger" },
    outcome: "succeeded",
    detail: { from: range.from, to: range.to, count: rows.length },
  });
  return toCsv([CSV_HEADER, ...rows.map((row) => CSV_HEADER.map((column) => row[column]))]);
}

export async function createLedgerAccount(
  ctx: TenantContext,
  input: z.input<typeof ledgerAccountInput>,
): Promise<{ id: string; code: string; name: string; type: AccountBalance["type"]; currency: string }> {
  requireFinanceManager(ctx);
  const account = parsed(ledgerAccountInput, input);
  const taken = await ctx.db.ledgerAccount.findUnique({
    where: { tenantId_code: { tenantId: ctx.tenantId, code: account.code } },
    select: { id: true },
  });
  if (taken) throw new AppError("CONFLICT", `There is already an account ${account.code}`);
  const row = await ctx.db.ledgerAccount.create({ data: { ...account, tenantId: ctx.tenantId } });
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action: "ledger.account_created",
    resource: { type: "ledger_account", id: row.id, label: `${row.code} ${row.name}` },
    outcome: "succeeded",
    detail: { code: row.code, name: row.name, type: row.type, currency: row.currency },
  });
  return { id: row.id, code: row.code, name: row.name, type: row.type, currency: row.currency };
}

export async function createCostCenter(
  ctx: TenantContext,
  input: z.input<typeof costCenterInput>,
): Promise<{ id: string; code: string; name: string; annualBudgetCents: bigint; fiscalYear: number }> {
  requireFinanceManager(ctx);
  const costCenter = parsed(costCenterInput, input);
  const taken = await ctx.db.costCenter.findUnique({
    where: {
      tenantId_code_fiscalYear: {
        tenantId: ctx.tenantId,
        code: costCenter.code,
        fiscalYear: costCenter.fiscalYear,
      },
    },
    select: { id: true },
  });
  if (taken)
    throw new AppError(
      "CONFLICT",
      `There is already a cost center ${costCenter.code} for ${costCenter.fiscalYear}`,
    );
  const row = await ctx.db.costCenter.create({ data: { ...costCenter, tenantId: ctx.tenantId } });
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action: "ledger.cost_center_created",
    resource: { type: "cost_center", id: row.id, label: `${row.code} ${row.name}` },
    outcome: "succeeded",
    detail: {
      code: row.code,
      name: row.name,
      fiscalYear: row.fiscalYear,
      annualBudgetCents: row.annualBudgetCents.toString(),
    },
  });
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    annualBudgetCents: row.annualBudgetCents,
    fiscalYear: row.fiscalYear,
  };
}

export type LedgerAccountSpec = z.input<typeof ledgerAccountInput>;

/**
 * The account with `spec.code`, created on first use: how the finance workflows get their default
 * accounts ("Employee reimbursements payable", "Travel", …) without anyone setting up the books
 * first. An existing account with that code but another type or currency is a conflict the books'
 * keepers must resolve, never silently reused. No role check: see postWorkflowEntry.
 */
export async function ensureWorkflowAccount(
  ctx: TenantContext,
  spec: LedgerAccountSpec,
): Promise<{ id: string; code: string; name: string; created: boolean }> {
  const account = parsed(ledgerAccountInput, spec);
  // ON CONFLICT rather than look-then-create: two first approvals at once must not fail one another.
  const [inserted] = await sqlOf(ctx.db).query<{ id: string }>(
    `INSERT INTO "LedgerAccount" (id, "tenantId", code, name, type, currency)
     VALUES (gen_random_uuid(), $1::uuid, $2, $3, $4::"LedgerAccountType", $5)
     ON CONFLICT ("tenantId", code) DO NOTHING
     RETURNING id::text AS id`,
    [ctx.tenantId, account.code, account.name, account.type, account.currency],
  );
  if (inserted) {
    await appendAudit(ctx.db, ctx.tenantId, {
      actor: await userActor(ctx.db, ctx.actor.userId),
      action: "ledger.account_created",
      resource: { type: "ledger_account", id: inserted.id, label: `${account.code} ${account.name}` },
      outcome: "succeeded",
      detail: {
        code: account.code,
        name: account.name,
        type: account.type,
        currency: account.currency,
        createdBy: "finance",
      },
    });
    return { id: inserted.id, code: account.code, name: account.name, created: true };
  }
  const existing = await findLedgerAccount(ctx, account.code);
  if (!existing) throw new AppError("INTERNAL", `Account ${account.code} vanished while being created`);
  if (existing.type !== account.type || existing.currency !== account.currency)
    throw new AppError(
      "CONFLICT",
      `Account ${account.code} exists as ${existing.type} in ${existing.currency}; finance needs it as ${account.type} in ${account.currency}`,
    );
  return { id: existing.id, code: existing.code, name: existing.name, created: false };
}

/** The account with `code`, if there is one, for previews that must not create it. */
export async function findLedgerAccount(
  ctx: Pick<TenantContext, "tenantId" | "db">,
  code: string,
): Promise<{
  id: string;
  code: string;
  name: string;
  type: AccountBalance["type"];
  currency: string;
} | null> {
  return ctx.db.ledgerAccount.findUnique({
    where: { tenantId_code: { tenantId: ctx.tenantId, code } },
    select: { id: true, code: true, name: true, type: true, currency: true },
  });
}
