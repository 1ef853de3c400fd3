import type { PrismaClient } from "@/server/db/client";
import { withTenantSql } from "@/server/db/scope";
import {
  directoryStatement,
  parseDirectory,
  principalAgentIds,
  principalUserIds,
  resolvePrincipal,
  type PrincipalRef,
  type ResolvedPrincipal,
  type Unresolved,
} from "./principals";

type Waiting = {
  principal: PrincipalRef;
  resolve: (resolved: ResolvedPrincipal | Unresolved) => void;
  reject: (error: unknown) => void;
};

/** The most principals looked up in one read. */
const MAX_BATCH = 256;

/**
 * Resolves principals (is this agent enabled, is this user a member, and their names) with group
 * commit, like the kernel's decisions: lookups of one tenant that arrive while its previous read is in
 * flight share the next one, a single directory query. Always read fresh, never cached, so a disabled
 * agent is refused on its very next call.
 */
export class PrincipalBatcher {
  private readonly queues = new Map<string, { waiting: Waiting[]; running: boolean }>();

  constructor(private readonly db: () => PrismaClient) {}

  resolve(tenantId: string, principal: PrincipalRef): Promise<ResolvedPrincipal | Unresolved> {
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(tenantId) ?? { waiting: [], running: false };
      this.queues.set(tenantId, queue);
      queue.waiting.push({ principal, resolve, reject });
      if (!queue.running) void this.drain(tenantId, queue);
    });
  }

  private async drain(tenantId: string, queue: { waiting: Waiting[]; running: boolean }) {
    queue.running = true;
    try {
      while (queue.waiting.length > 0) {
        const batch = queue.waiting.splice(0, MAX_BATCH);
        try {
          const directory = await withTenantSql(
            this.db(),
            tenantId,
            (_sql, [rows = []]) => Promise.resolve(parseDirectory(rows)),
            [
              directoryStatement(
                tenantId,
                batch.flatMap((w) => principalUserIds(w.principal)),
                batch.flatMap((w) => principalAgentIds(w.principal)),
              ),
            ],
          );
          for (const w of batch) w.resolve(resolvePrincipal(directory, w.principal));
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
