import type { PrismaClient } from "@/server/db/client";
import { withTenantSql } from "@/server/db/scope";
import { GroupCommit } from "../group-commit";
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

/** The most principals looked up in one read. */
const MAX_BATCH = 256;

/**
 * Resolves principals (is this agent enabled, is this user a member, and their names) with group
 * commit (../group-commit.ts): lookups of one tenant that arrive together share one directory query.
 * Always read fresh, never cached, so a disabled agent is refused on its very next call.
 */
export class PrincipalBatcher {
  private readonly batches: GroupCommit<PrincipalRef, ResolvedPrincipal | Unresolved>;

  constructor(db: () => PrismaClient) {
    this.batches = new GroupCommit(async (tenantId, principals) => {
      const directory = await withTenantSql(
        db(),
        tenantId,
        (_sql, [rows = []]) => Promise.resolve(parseDirectory(rows)),
        [
          directoryStatement(
            tenantId,
            principals.flatMap(principalUserIds),
            principals.flatMap(principalAgentIds),
          ),
        ],
      );
      return principals.map((principal) => resolvePrincipal(directory, principal));
    }, MAX_BATCH);
  }

  resolve(tenantId: string, principal: PrincipalRef): Promise<ResolvedPrincipal | Unresolved> {
    return this.batches.submit(tenantId, principal);
  }
}
