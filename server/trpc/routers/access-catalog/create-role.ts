import { createAppRole } from "@/server/it/access-catalog";
import { createRoleInput, createRoleOutput } from "./create-role.types";
import { catalogManagerProcedure } from "./procedure";

/** A new role in one of the tenant's apps, with its SCIM group and whose approval it needs. */
export const createRole = catalogManagerProcedure
  .input(createRoleInput)
  .output(createRoleOutput)
  .mutation(({ ctx, input }) => createAppRole(ctx.scope, input));
