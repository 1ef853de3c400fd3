import type { PrismaClient, Tx } from "@/server/db/client";
import { withTenant } from "@/server/db/scope";
import type { Sql } from "@/server/db/sql";
import { signUp } from "@/server/auth/sign-up";
import { createUserWithPassword } from "@/server/auth/users";
import { createGrant, requestGrant } from "@/server/kernel/access/grant-admin";
import { registerAgent } from "@/server/kernel/access/agents";
import { operatorTenant, setOperatorTenant } from "@/server/kernel/scheduler/operators";
import { addMember } from "@/server/tenancy/members";
import { ROLES } from "@/server/tenancy/roles";
import { tenantForUser } from "@/server/tenancy/tenants";
import { seedDomains, type DemoTenant } from "./seed-domains";

/** Every demo account's password (also in the README). */
export const DEMO_PASSWORD = "tenet-demo-pass";

export const DEMO_TENANTS = [
  { slug: "acme", name: "Acme", domain: "acme.example", prefix: "ACME" },
  { slug: "globex", name: "Globex", domain: "globex.example", prefix: "GLOBEX" },
] as const;

/**
 * The platform's operators: the one tenant whose owners and admins change the kernel's resource pools
 * (the Kernel page). Its only member is its owner.
 */
export const OPERATOR_TENANT = {
  slug: "ops",
  name: "Tenet Operations",
  ownerEmail: "operator@tenet.example",
  ownerName: "Olivia Operator",
} as const;

/** `owner@acme.example`, `approver@globex.example`, … one user per role in each demo tenant. */
export const demoEmail = (role: string, domain: string) => `${role}@${domain}`;

const displayName = (role: string, tenant: string) => `${tenant} ${role[0]?.toUpperCase()}${role.slice(1)}`;

/**
 * Seeds the demo tenants through the same domain functions the app uses, and the operator tenant,
 * then each demo tenant's HR, facilities, finance and IT data (seed-domains.ts).
 * Idempotent: a tenant whose owner already exists gets no new accounts, a domain already seeded is left
 * alone, and an operator tenant chosen with `npm run platform:operators` is kept. `owner` is the database owner's connection: only it may record
 * the operator tenant. Returns the accounts it created.
 */
export async function seedDemo(db: PrismaClient, owner: Sql): Promise<string[]> {
  const created = await seedOperators(db, owner);
  for (const tenant of DEMO_TENANTS) {
    const ownerEmail = demoEmail("owner", tenant.domain);
    if (await db.user.findUnique({ where: { email: ownerEmail }, select: { id: true } })) continue;
    const { userId } = await signUp(db, {
      name: displayName("owner", tenant.name),
      email: ownerEmail,
      password: DEMO_PASSWORD,
      tenantName: tenant.name,
      tenantSlug: tenant.slug,
    });
    created.push(ownerEmail);
    const owned = await tenantForUser(db, userId, tenant.slug);
    if (!owned) throw new Error(`Seeding ${tenant.slug}: the new tenant is not visible to its owner`);
    const tenantId = owned.id;
    await withTenant(db, { tenantId }, async (tx) => {
      const members = new Map<string, string>();
      for (const role of ROLES.filter((r) => r !== "owner")) {
        const email = demoEmail(role, tenant.domain);
        const user = await createUserWithPassword(tx, {
          email,
          name: displayName(role, tenant.name),
          password: DEMO_PASSWORD,
          emailVerified: true,
        });
        await addMember(tx, tenantId, user.id, role);
        members.set(role, user.id);
        created.push(email);
      }
      const ownership = await tx.membership.findUniqueOrThrow({
        where: { tenantId_userId: { tenantId, userId } },
      });
      await seedAgents(tx, tenantId, { userId, membershipId: ownership.id }, members.get("employee"));
    });
  }
  await seedDomains(db, await demoTenants(db));
  return created;
}

/** The demo tenants as they are now, found through their owners (tenants are visible to members only). */
async function demoTenants(db: PrismaClient): Promise<DemoTenant[]> {
  const tenants: DemoTenant[] = [];
  for (const tenant of DEMO_TENANTS) {
    const owner = await db.user.findUnique({
      where: { email: demoEmail("owner", tenant.domain) },
      select: { id: true },
    });
    const found = owner ? await tenantForUser(db, owner.id, tenant.slug) : null;
    if (found)
      tenants.push({
        tenantId: found.id,
        slug: tenant.slug,
        name: tenant.name,
        prefix: tenant.prefix,
        domain: tenant.domain,
      });
  }
  return tenants;
}

async function seedOperators(db: PrismaClient, owner: Sql): Promise<string[]> {
  const ops = OPERATOR_TENANT;
  const exists = await db.user.findUnique({ where: { email: ops.ownerEmail }, select: { id: true } });
  if (!exists)
    await signUp(db, {
      name: ops.ownerName,
      email: ops.ownerEmail,
      password: DEMO_PASSWORD,
      tenantName: ops.name,
      tenantSlug: ops.slug,
    });
  if (!(await operatorTenant(owner))) await setOperatorTenant(owner, ops.slug);
  return exists ? [] : [ops.ownerEmail];
}

/**
 * Two agents per demo tenant, so the Grants page has something to show: a room booker with a 30-day
 * grant, and an onboarding helper that has asked for more than it has.
 */
async function seedAgents(
  tx: Tx,
  tenantId: string,
  owner: { userId: string; membershipId: string },
  employeeId: string | undefined,
) {
  const ctx = { tenantId, actor: { ...owner, role: "owner" as const }, db: tx };
  const booker = await registerAgent(ctx, {
    name: "Room booker",
    skillId: "room-booker",
    skillName: "Room booker",
    skillVersion: "1.0.0",
    publisher: "Tenet Labs",
  });
  await createGrant(ctx, {
    agentId: booker.id,
    actions: ["facilities.room.book"],
    resource: null,
    expiresAt: new Date(Date.now() + 30 * 24 * 3600_000),
    reason: "Books meeting rooms for the team",
  });
  const helper = await registerAgent(ctx, {
    name: "Onboarding helper",
    skillId: "onboarding-helper",
    skillName: "Onboarding helper",
    skillVersion: "1.2.0",
    publisher: "Tenet Labs",
  });
  if (employeeId)
    await requestGrant(tx, tenantId, {
      agentId: helper.id,
      actingForUserId: employeeId,
      actions: ["it.access.request"],
      resource: { type: "AppAccess" },
      durationMinutes: 7 * 24 * 60,
      reason: "Request Figma and GitHub access for a new starter's first week",
    });
}
