import type { PrismaClient } from "@/server/db/client";
import { withTenantSql } from "@/server/db/scope";
import { GroupCommit } from "../group-commit";
import { lockChainStatement, parseLockedChain } from "./chain";
import { auditEntryInput, type AuditEntryInput } from "./entry";
import { appendAuditBatch } from "./log";

/** The most entries appended in one transaction. */
const MAX_BATCH = 128;

/**
 * Appends audit entries with group commit (../group-commit.ts): entries of one tenant that arrive
 * while its previous append is in flight are written together, in one transaction under one chain
 * lock. Each caller's promise settles when its entry is committed.
 */
export class AuditBatcher {
  private readonly batches: GroupCommit<AuditEntryInput, void>;

  constructor(db: () => PrismaClient) {
    this.batches = new GroupCommit<AuditEntryInput, void>(async (tenantId, entries) => {
      await withTenantSql(
        db(),
        tenantId,
        (sql, [chainRows = []]) =>
          appendAuditBatch(sql, tenantId, entries, parseLockedChain(chainRows, tenantId)),
        [lockChainStatement(tenantId)],
      );
      return entries.map(() => undefined);
    }, MAX_BATCH);
  }

  append(tenantId: string, input: AuditEntryInput): Promise<void> {
    // Checked here, so one caller's bad entry fails that caller alone, not the batch it would join.
    return this.batches.submit(tenantId, auditEntryInput.parse(input));
  }
}
