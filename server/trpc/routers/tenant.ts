import { z } from "zod";
import {
  createTenant,
  listTenantsForUser,
  renameTenant,
  tenantNameSchema,
  tenantSlugSchema,
} from "@/server/tenancy/tenants";
import { roleSchema } from "@/server/tenancy/roles";
import { adminProcedure, authedProcedure, router, tenantProcedure } from "../trpc";

const tenantSummary = z.object({ id: z.uuid(), slug: z.string(), name: z.string(), role: roleSchema });

export const tenantRouter = router({
  /** The caller's tenants, for the tenant switcher. */
  list: authedProcedure
    .output(z.array(tenantSummary))
    .query(({ ctx }) => listTenantsForUser(ctx.db, ctx.session.userId)),

  create: authedProcedure
    .input(z.object({ name: tenantNameSchema, slug: tenantSlugSchema }))
    .output(z.object({ slug: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const tenant = await createTenant(ctx.db, input, ctx.session.userId);
      return { slug: tenant.slug };
    }),

  current: tenantProcedure
    .output(tenantSummary)
    .query(({ ctx }) => ({ ...ctx.tenant, role: ctx.scope.actor.role })),

  rename: adminProcedure
    .input(z.object({ name: tenantNameSchema }))
    .output(z.object({ slug: z.string(), name: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const tenant = await renameTenant(ctx.scope, input.name);
      return { slug: tenant.slug, name: tenant.name };
    }),
});
