import { z } from "zod";
import { changeMemberRole, listMembers, removeMember } from "@/server/tenancy/members";
import { roleSchema } from "@/server/tenancy/roles";
import { adminProcedure, router, tenantProcedure } from "../trpc";

const memberView = z.object({
  membershipId: z.uuid(),
  userId: z.uuid(),
  name: z.string(),
  email: z.string(),
  role: roleSchema,
  joinedAt: z.date(),
});
const membershipId = z.uuid("Not a valid member id");

export const memberRouter = router({
  list: tenantProcedure.output(z.array(memberView)).query(({ ctx }) => listMembers(ctx.scope)),

  changeRole: adminProcedure
    .input(z.object({ membershipId, role: roleSchema }))
    .output(memberView)
    .mutation(({ ctx, input }) => changeMemberRole(ctx.scope, input)),

  remove: adminProcedure
    .input(z.object({ membershipId }))
    .output(z.object({ removed: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await removeMember(ctx.scope, input);
      return { removed: true as const };
    }),
});
