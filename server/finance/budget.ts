import type { Tx } from "@/server/db/client";
import { sqlOf } from "@/server/db/sql";
import { notFound } from "@/server/errors";

export type BudgetFacts = {
  costCenter: { id: string; code: string; name: string; fiscalYear: number };
  /** The cost center's budget for its fiscal year. */
  budgetCents: bigint;
  /** Net debits charged to it in that year (a reversed entry counts for nothing). */
  spentCents: bigint;
  /** What issued purchase orders have promised and the ledger has not yet seen. */
  committedCents: bigint;
  /** Budget minus spent minus committed, before this amount; negative when already over. */
  remainingCents: bigint;
  /** Whether spent + committed + this amount goes past the budget. */
  overBudget: boolean;
  /** How far past the budget it would go; zero when within it. */
  overByCents: bigint;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The budget position of a cost center if `amountCents` more were spent: what workflows put in the
 * Expense and PurchaseRequest resources' `overBudget` attribute for the access policies
 * (server/kernel/access/default-pack.ts). Runs in the caller's tenant transaction, with no role check:
 * it reveals nothing the caller may not see through the request it is about. A cost center of another
 * tenant is not found (row-level security, and the tenant id in the query).
 */
export async function budgetFacts(
  tx: Tx,
  tenantId: string,
  costCenterId: string,
  amountCents: bigint | number,
): Promise<BudgetFacts> {
  if (!UUID.test(costCenterId)) throw notFound("Cost center not found");
  const amount = BigInt(amountCents);
  const [row] = await sqlOf(tx).query<{
    code: string;
    name: string;
    fiscal_year: string;
    budget: string;
    spent: string;
    committed: string;
  }>(
    `SELECT c.code, c.name, c."fiscalYear"::text AS fiscal_year, c."annualBudgetCents"::text AS budget,
            (SELECT coalesce(sum(l."debitCents" - l."creditCents"), 0)
               FROM "JournalLine" l
               JOIN "JournalEntry" e ON e."tenantId" = l."tenantId" AND e.id = l."entryId"
              WHERE l."tenantId" = c."tenantId" AND l."costCenterId" = c.id
                AND e.date >= make_date(c."fiscalYear", 1, 1) AND e.date < make_date(c."fiscalYear" + 1, 1, 1)
            )::text AS spent,
            (SELECT coalesce(sum(b.amount_cents), 0)
               FROM finance.budget_commitment b
              WHERE b.tenant_id = c."tenantId" AND b.cost_center_id = c.id AND b.released_at IS NULL
            )::text AS committed
       FROM "CostCenter" c
      WHERE c."tenantId" = $1::uuid AND c.id = $2::uuid`,
    [tenantId, costCenterId],
  );
  if (!row) throw notFound("Cost center not found");
  const budgetCents = BigInt(row.budget);
  const spentCents = BigInt(row.spent);
  const committedCents = BigInt(row.committed);
  const remainingCents = budgetCents - spentCents - committedCents;
  const overByCents = amount - remainingCents;
  return {
    costCenter: { id: costCenterId, code: row.code, name: row.name, fiscalYear: Number(row.fiscal_year) },
    budgetCents,
    spentCents,
    committedCents,
    remainingCents,
    overBudget: overByCents > 0n,
    overByCents: overByCents > 0n ? overByCents : 0n,
  };
}
