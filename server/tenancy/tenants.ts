import { randomUUID } from "node:crypto";
import { z } from "zod";
import { Prisma, type PrismaClient, type Tx } from "@/server/db/client";
import { enterTenant, withUser } from "@/server/db/scope";
import { AppError } from "@/server/errors";
import { installDefaultPolicies } from "@/server/kernel/access/policies";
import { appendAudit, userActor } from "@/server/kernel/audit/log";
import { recordMemberAction } from "./audit";
import type { TenantContext } from "./context";
import type { Role } from "./roles";

const RESERVED_SLUGS = new Set([
  "api",
  "admin",
  "app",
  "new",
  "settings",
  "sign-in",
  "sign-up",
  "invite",
  "t",
  "www",
]);

export const tenantNameSchema = z
  .string()
  .trim()
  .min(2, "Use at least 2 characters")
  .max(80, "Use at most 80 characters");
export const tenantSlugSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(3, "Use at least 3 characters")
  .max(40, "Use at most 40 characters")
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, "Use lowercase letters, digits and single hyphens")
  .refine((s) => !RESERVED_SLUGS.has(s), "That address is reserved");

export type TenantSummary = { id: string; slug: string; name: string; role: Role };

export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

/** Creates a tenant with `ownerId` as its owner, inside `tx` (which is switched to the new tenant). */
export async function createTenantIn(tx: Tx, input: { name: string; slug: string }, ownerId: string) {
  const id = randomUUID();
  await enterTenant(tx, id);
  let tenant;
  try {
    tenant = await tx.tenant.create({ data: { id, name: input.name, slug: input.slug } });
    await tx.membership.create({ data: { tenantId: id, userId: ownerId, role: "owner" } });
    await installDefaultPolicies(tx, id);
  } catch (error) {
    if (isUniqueViolation(error))
      throw new AppError("CONFLICT", `The address "${input.slug}" is already taken`);
    throw error;
  }
  await appendAudit(tx, id, {
    actor: await userActor(tx, ownerId),
    action: "tenant.created",
    resource: { type: "tenant", id, label: tenant.name },
    outcome: "succeeded",
    detail: { name: tenant.name, slug: tenant.slug },
  });
  return tenant;
}

export async function createTenant(db: PrismaClient, input: { name: string; slug: string }, ownerId: string) {
  return withUser(db, ownerId, (tx) => createTenantIn(tx, input, ownerId));
}

/** Every tenant the user belongs to, for the tenant switcher. */
export async function listTenantsForUser(db: PrismaClient, userId: string): Promise<TenantSummary[]> {
  const memberships = await withUser(db, userId, (tx) =>
    tx.membership.findMany({
      where: { userId, deactivatedAt: null },
      select: { role: true, tenant: { select: { id: true, slug: true, name: true } } },
      orderBy: { tenant: { name: "asc" } },
    }),
  );
  return memberships.map((m) => ({ ...m.tenant, role: m.role }));
}

const tenantIdRows = z.array(z.object({ id: z.uuid() }));

/** Tenant ids per page of the tenant directory; the database caps a page at 10,000. */
export const TENANT_ID_PAGE = 1_000;

/**
 * One page of every tenant's id, in id order, after `after` (the last id of the previous page), for
 * system work done for each tenant in turn. Read through the directory function of migration
 * `…_tenant_directory`, since row-level security shows the app role no tenant outside its scope.
 */
export async function listTenantIds(
  db: PrismaClient,
  page: { after?: string | null; limit?: number } = {},
): Promise<string[]> {
  const limit = Math.min(Math.max(Math.trunc(page.limit ?? TENANT_ID_PAGE), 1), 10_000);
  const rows: unknown = await db.$queryRaw`
    SELECT id::text AS id FROM app_tenant_ids(${page.after ?? null}::uuid, ${limit}::int) AS id`;
  return tenantIdRows.parse(rows).map((r) => r.id);
}

/**
 * Resolves a tenant from an unverified slug (a URL or header) through the user's own membership.
 * Unknown tenants, tenants the user does not belong to, and a membership the identity provider
 * deactivated (SCIM `active: false`) look the same: null.
 */
export async function findMembershipBySlug(tx: Tx, userId: string, slug: string) {
  const membership = await tx.membership.findFirst({
    where: { userId, deactivatedAt: null, tenant: { slug } },
    select: { id: true, role: true, tenant: { select: { id: true, slug: true, name: true } } },
  });
  return membership;
}

/** For server components: the tenant and the user's role in it, or null (render "not found"). */
export async function tenantForUser(
  db: PrismaClient,
  userId: string,
  slug: string,
): Promise<TenantSummary | null> {
  const m = await withUser(db, userId, (tx) => findMembershipBySlug(tx, userId, slug));
  return m ? { ...m.tenant, role: m.role } : null;
}

export async function renameTenant(ctx: TenantContext, name: string) {
  const before = await ctx.db.tenant.findUniqueOrThrow({
    where: { id: ctx.tenantId },
    select: { name: true },
  });
  const tenant = await ctx.db.tenant.update({
    where: { id: ctx.tenantId },
    data: { name },
    select: { id: true, slug: true, name: true },
  });
  await recordMemberAction(ctx, {
    action: "tenant.renamed",
    resource: { type: "tenant", id: tenant.id, label: tenant.name },
    detail: { from: before.name, to: tenant.name },
  });
  return tenant;
}
