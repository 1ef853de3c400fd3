import type { Sql } from "@/server/db/sql";
import { AppError } from "@/server/errors";

/**
 * Who operates the platform: the owners and admins of one tenant, recorded in `kernel.settings`. Only
 * the database owner writes it (`npm run platform:operators`, and the demo seed); the app role may
 * read it and nothing more, so nobody can make themselves an operator from inside the app.
 */

export type OperatorTenant = { id: string; slug: string; name: string };

/** The operator tenant, or null while none is set (then nobody can change the pools). */
export async function operatorTenant(owner: Sql): Promise<OperatorTenant | null> {
  const [row] = await owner.query<OperatorTenant>(
    `SELECT t.id::text AS id, t.slug, t.name FROM kernel.settings s JOIN "Tenant" t ON t.id = s.operator_tenant_id`,
  );
  return row ?? null;
}

/**
 * Makes the owners and admins of the tenant with this slug the platform's operators, in place of any
 * before them. Runs as the database owner: `owner` must be its connection.
 */
export async function setOperatorTenant(
  owner: Sql,
  slug: string,
): Promise<{ operator: OperatorTenant; previous: OperatorTenant | null }> {
  const [tenant] = await owner.query<OperatorTenant>(
    `SELECT id::text AS id, slug, name FROM "Tenant" WHERE slug = $1`,
    [slug],
  );
  if (!tenant)
    throw new AppError(
      "NOT_FOUND",
      `No tenant has the slug "${slug}" (a tenant's slug is the part after /t/ in the address of its pages)`,
    );
  const previous = await operatorTenant(owner);
  await owner.query("UPDATE kernel.settings SET operator_tenant_id = $1::uuid", [tenant.id]);
  return { operator: tenant, previous };
}
