import type { TenantContext } from "@/server/tenancy/context";
import { adminProcedure, tenantProcedure } from "../../trpc";

/**
 * Every member decides what is in their inbox; owners and admins also see every open approval and
 * reassign them (the domain checks the same roles).
 */
export const memberProcedure = tenantProcedure;
export const managerProcedure = adminProcedure;

/**
 * The verified tenant and actor without the handler's transaction: deciding and reassigning commit in
 * their own transaction before they tell the workflow engine.
 */
export const scopeOf = (scope: TenantContext): Omit<TenantContext, "db"> => ({
  tenantId: scope.tenantId,
  actor: scope.actor,
});
