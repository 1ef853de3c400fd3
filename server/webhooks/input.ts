import { z } from "zod";
import { AppError, notFound, type FieldErrors } from "@/server/errors";
import type { TenantContext } from "@/server/tenancy/context";
import { canManageAccess } from "@/server/tenancy/roles";

/** Zod's issues as a BAD_REQUEST with field errors; nothing has been written when this is thrown. */
export function parsed<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields: FieldErrors = {};
  for (const issue of result.error.issues)
    (fields[issue.path.join(".") || "input"] ??= []).push(issue.message);
  const summary = Object.entries(fields)
    .map(([field, messages]) => `${field}: ${messages.join("; ")}`)
    .join("; ");
  throw new AppError("BAD_REQUEST", summary, { fields });
}

/** Ids from the client are unverified: a malformed one is as absent as another tenant's. */
export function checkedId(id: string, what: string): string {
  if (!z.uuid().safeParse(id).success) throw notFound(`${what} not found`);
  return id;
}

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
