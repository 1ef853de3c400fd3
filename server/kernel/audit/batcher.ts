import type { PrismaClient } from "@/server/db/client";
import { withTenantSql } from "@/server/db/scope";
import { lockChainStatement, parseLockedChain } from "./chain";
import { auditEntryInput, type AuditEntryInput } from "./entry";
import { appendAuditBatch } from "./log";

type Waiting = { entry: AuditEntryInput; resolve: () => void; reject: (error: unknown) => void };

/** The most entries appended in one transaction. */
const MAX_BATCH = 128;

/**
 * Appends audit entries with group commit: entries of one tenant that arrive while its previous
 * append is in flight are written together, in one transaction under one chain lock. A tenant's
 * appends are serialised by that lock anyway, so a lone caller waits no longer and a thousand
 * concurrent agents share the round trips. Each caller's promise settles when its entry is committed.
 */
export class AuditBatcher {
  private readonly queues = new Map<string, { waiting: Waiting[]; running: boolean }>();

  constructor(private readonly db: () => PrismaClient) {}

  append(tenantId: string, input: AuditEntryInput): Promise<void> {
    // Checked here, so one caller's bad entry fails that caller alone, not the batch it would join.
    const entry = auditEntryInput.parse(input);
    return new Promise<void>((resolve, reject) => {
      const queue = this.queues.get(tenantId) ?? { waiting: [], running: false };
      this.queues.set(tenantId, queue);
      queue.waiting.push({ entry, resolve, reject });
      if (!queue.running) void this.drain(tenantId, queue);
    });
  }

  private async drain(tenantId: string, queue: { waiting: Waiting[]; running: boolean }) {
    queue.running = true;
    try {
      while (queue.waiting.length > 0) {
        const batch = queue.waiting.splice(0, MAX_BATCH);
        try {
          await withTenantSql(
            this.db(),
            tenantId,
            (sql, [chainRows = []]) =>
              appendAuditBatch(
                sql,
                tenantId,
                batch.map((w) => w.entry),
                parseLockedChain(chainRows, tenantId),
              ),
            [lockChainStatement(tenantId)],
          );
          for (const w of batch) w.resolve();
        } catch (error) {
          for (const w of batch) w.reject(error);
        }
      }
    } finally {
      queue.running = false;
      this.queues.delete(tenantId);
    }
  }
}
