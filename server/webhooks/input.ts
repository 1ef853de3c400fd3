import { AppError } from "@/server/errors";
import type { TenantContext } from "@/server/tenancy/context";
import { canManageAccess } from "@/server/tenancy/roles";

/** Webhooks carry a tenant's data out and let outsiders start its workflows: owners and admins only. */
export function requireWebhookManager(ctx: TenantContext): void {
  if (!canManageAccess(ctx.actor.role)) {
    throw new AppError("FORBIDDEN", "Only owners and admins can manage webhooks");
  }
}
