import { updateAppRole } from "@/server/it/access-catalog";
import { catalogManagerProcedure } from "./procedure";
import { updateRoleInput, updateRoleOutput } from "./update-role.types";

/** Renames a role, changes its group or approver, archives or unarchives it; another tenant's is not found. */
export const updateRole = catalogManagerProcedure
  .input(updateRoleInput)
  .output(updateRoleOutput)
  .mutation(({ ctx, input }) => updateAppRole(ctx.scope, input));
