import type { PrismaClient } from "@/server/db/client";
import { withTenant } from "@/server/db/scope";
import type { TenantContext } from "@/server/tenancy/context";
import type { TestTenant, TestUser } from "@/server/testing/fixtures";
import { createSite, createSpace, type Site, type Space, type SpaceKind } from "./spaces";

/** Test helpers: a site with spaces, and a member's tenant context. Used by tests only. */

export async function createTestSite(
  tenant: TestTenant,
  timeZone = "Europe/Berlin",
  spaces: { name: string; kind?: SpaceKind }[] = [{ name: "Boardroom" }],
): Promise<{ site: Site; spaces: Space[] }> {
  return tenant.asOwner(async (ctx) => {
    const site = await createSite(ctx, { name: `HQ ${Math.random().toString(36).slice(2, 8)}`, timeZone });
    const made: Space[] = [];
    for (const s of spaces)
      made.push(
        await createSpace(ctx, { siteId: site.id, kind: s.kind ?? "room", name: s.name, capacity: 8 }),
      );
    return { site, spaces: made };
  });
}

/** Runs `fn` as `user` in one tenant-scoped transaction, like a tRPC handler. */
export function asMember<T>(
  db: PrismaClient,
  tenant: TestTenant,
  user: TestUser,
  fn: (ctx: TenantContext) => Promise<T>,
): Promise<T> {
  return withTenant(db, { tenantId: tenant.id, userId: user.userId }, (tx) =>
    fn({
      tenantId: tenant.id,
      actor: { userId: user.userId, membershipId: user.membershipId, role: user.role },
      db: tx,
    }),
  );
}
