/**
 * Benchmark setup shared by the bench scripts: a tenant signed up through the domain functions, its
 * members, and agents with a grant, as the product would make them. Import it after the script has
 * settled its environment (server/env.js is read once, on import).
 */
import { randomBytes } from "node:crypto";
import { signUp } from "@/server/auth/sign-up";
import { createUserWithPassword } from "@/server/auth/users";
import type { PrismaClient, Tx } from "@/server/db/client";
import { withTenant } from "@/server/db/scope";
import { registerAgent } from "@/server/kernel/access/agents";
import { createGrant } from "@/server/kernel/access/grant-admin";
import type { ActionName } from "@/server/kernel/access/schema";
import type { TenantContext } from "@/server/tenancy/context";
import { addMember } from "@/server/tenancy/members";
import { tenantForUser } from "@/server/tenancy/tenants";

const PASSWORD = "bench-password-1";

export type BenchTenant = {
  tenantId: string;
  slug: string;
  /** Runs `fn` as the tenant's owner in one tenant-scoped transaction. */
  asOwner: <T>(fn: (ctx: TenantContext) => Promise<T>) => Promise<T>;
};

export async function benchTenant(db: PrismaClient, prefix: string, n: number): Promise<BenchTenant> {
  const slug = `${prefix}-${n}-${randomBytes(3).toString("hex")}`;
  const { userId: ownerId } = await signUp(db, {
    name: `Owner ${n}`,
    email: `owner@${slug}.test`,
    password: PASSWORD,
    tenantName: `Bench ${n}`,
    tenantSlug: slug,
  });
  const tenant = await tenantForUser(db, ownerId, slug);
  if (!tenant) throw new Error("bench tenant not visible");
  const tenantId = tenant.id;
  return {
    tenantId,
    slug,
    asOwner: (fn) =>
      withTenant(db, { tenantId }, async (tx) => {
        const membership = await tx.membership.findUniqueOrThrow({
          where: { tenantId_userId: { tenantId, userId: ownerId } },
        });
        return fn({
          tenantId,
          actor: { userId: ownerId, membershipId: membership.id, role: "owner" },
          db: tx,
        });
      }),
  };
}

/** A new member of the tenant with `role`; returns the user's id. */
export async function benchMember(
  tx: Tx,
  tenant: Pick<BenchTenant, "tenantId" | "slug">,
  role: "employee" | "approver",
  name: string,
): Promise<string> {
  const user = await createUserWithPassword(tx, {
    email: `${role}@${tenant.slug}.test`,
    name,
    password: PASSWORD,
  });
  await addMember(tx, tenant.tenantId, user.id, role);
  return user.id;
}

/** A registered agent granted `actions` for a day; returns its id. */
export async function benchAgent(
  ctx: TenantContext,
  agent: { name: string; skillId: string; skillName: string; actions: ActionName[] },
): Promise<string> {
  const { id } = await registerAgent(ctx, {
    name: agent.name,
    skillId: agent.skillId,
    skillName: agent.skillName,
    skillVersion: "1.0.0",
    publisher: "Tenet",
  });
  await createGrant(ctx, {
    agentId: id,
    actions: agent.actions,
    resource: null,
    expiresAt: new Date(Date.now() + 24 * 3600_000),
    reason: "bench",
  });
  return id;
}
