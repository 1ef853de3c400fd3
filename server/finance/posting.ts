import { AppError } from "@/server/errors";
import type { TenantContext } from "@/server/tenancy/context";
import {
  ensureWorkflowAccount,
  findLedgerAccount,
  postWorkflowEntry,
  type JournalEntryView,
  type LedgerAccountSpec,
} from "./ledger";

/** One line a workflow will post, named by the account it needs rather than an account id. */
export type PlannedLine = {
  account: LedgerAccountSpec;
  costCenterId: string | null;
  debitCents: bigint;
  creditCents: bigint;
};

/** What a posting would do, computed with reads only: for previews (dry runs) and approvers. */
export type PostingPlan = {
  lines: PlannedLine[];
  /** Default accounts that do not exist yet and would be created first. */
  accountsToCreate: LedgerAccountSpec[];
};

export async function planPosting(ctx: TenantContext, lines: PlannedLine[]): Promise<PostingPlan> {
  const accountsToCreate: LedgerAccountSpec[] = [];
  for (const spec of new Map(lines.map((l) => [l.account.code, l.account])).values()) {
    const existing = await findLedgerAccount(ctx, spec.code);
    if (!existing) accountsToCreate.push(spec);
    else if (existing.type !== spec.type || existing.currency !== spec.currency)
      throw new AppError(
        "CONFLICT",
        `Account ${spec.code} exists as ${existing.type} in ${existing.currency}; finance needs it as ${spec.type} in ${spec.currency}`,
      );
  }
  return { lines, accountsToCreate };
}

/** Creates the accounts a plan needs, then posts it as one balanced entry (the ledger's checks apply). */
export async function postPlanned(
  ctx: TenantContext,
  entry: { date: string; memo: string; source: string },
  lines: readonly PlannedLine[],
): Promise<JournalEntryView> {
  const ids = new Map<string, string>();
  for (const line of lines) {
    if (!ids.has(line.account.code))
      ids.set(line.account.code, (await ensureWorkflowAccount(ctx, line.account)).id);
  }
  return postWorkflowEntry(ctx, {
    ...entry,
    lines: lines.map((line) => ({
      accountId: ids.get(line.account.code) ?? "",
      costCenterId: line.costCenterId,
      ...(line.debitCents > 0n ? { debitCents: line.debitCents } : { creditCents: line.creditCents }),
    })),
  });
}
