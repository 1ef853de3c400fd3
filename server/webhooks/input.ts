import { AppError } from "@/server/errors";
import type { TenantContext } from "@/server/tenancy/context";
import { canManageAccess } from "@/server/tenancy/roles";

/** Webhooks carry a tenant's data out and let outsiders start its workflows: owners and admins only. */
export function requireWebhookManager(ctx: TenantContext): void {
  if (!canManageAccess(ctx.actor.role)) {
    throw new AppError("FORBIDDEN", "Only owners and admins can manage webhooks");
  }
}

/**
 * Whether a raw query failed on a UNIQUE constraint, wherever the driver adapter and Prisma nested the
 * SQLSTATE (Prisma reports a raw query's failure as P2010 with the database's code inside).
 */
export function isUniqueViolation(error: unknown, depth = 0): boolean {
  if (typeof error !== "object" || error === null || depth > 4) return false;
  for (const key of ["originalCode", "code"]) if (Reflect.get(error, key) === "23505") return true;
  return ["cause", "meta", "driverAdapterError"].some((key) =>
    isUniqueViolation(Reflect.get(error, key), depth + 1),
  );
}
