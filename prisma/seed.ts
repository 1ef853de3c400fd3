import type { PrismaClient } from "@/server/db/client";
import { withTenant } from "@/server/db/scope";
import { signUp } from "@/server/auth/sign-up";
import { createUserWithPassword } from "@/server/auth/users";
import { addMember } from "@/server/tenancy/members";
import { ROLES } from "@/server/tenancy/roles";
import { tenantForUser } from "@/server/tenancy/tenants";

/** Every demo account's password (also in the README). */
export const DEMO_PASSWORD = "tenet-demo-pass";

export const DEMO_TENANTS = [
  { slug: "acme", name: "Acme", domain: "acme.example" },
  { slug: "globex", name: "Globex", domain: "globex.example" },
] as const;

/** `owner@acme.example`, `approver@globex.example`, … one user per role in each demo tenant. */
export const demoEmail = (role: string, domain: string) => `${role}@${domain}`;

const displayName = (role: string, tenant: string) => `${tenant} ${role[0]?.toUpperCase()}${role.slice(1)}`;

/**
 * Seeds the demo tenants through the same domain functions the app uses. Idempotent: a tenant whose
 * owner already exists is left alone. Returns the accounts it created.
 */
export async function seedDemo(db: PrismaClient): Promise<string[]> {
  const created: string[] = [];
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
      for (const role of ROLES.filter((r) => r !== "owner")) {
        const email = demoEmail(role, tenant.domain);
        const user = await createUserWithPassword(tx, {
          email,
          name: displayName(role, tenant.name),
          password: DEMO_PASSWORD,
          emailVerified: true,
        });
        await addMember(tx, tenantId, user.id, role);
        created.push(email);
      }
    });
  }
  return created;
}
