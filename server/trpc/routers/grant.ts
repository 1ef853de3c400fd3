/** The Grants page's API, for owners and admins: thin over server/kernel/access/grant-admin.ts. */
import { z } from "zod";
import {
  createGrant,
  decideGrantRequest,
  listGrantRequests,
  listGrants,
  revokeGrant,
} from "@/server/kernel/access/grant-admin";
import { ACTION_NAMES, RESOURCE_TYPES } from "@/server/kernel/access/schema";
import { ACCESS_MANAGERS } from "@/server/tenancy/roles";
import { roleProcedure, router } from "../trpc";

const accessProcedure = roleProcedure(ACCESS_MANAGERS);

const id = (what: string) => z.uuid(`Not a valid ${what} id`);

export const grantRouter = router({
  list: accessProcedure
    .input(z.object({ state: z.enum(["active", "all"]).default("active"), agentId: id("agent").optional() }))
    .query(({ ctx, input }) => listGrants(ctx.scope, input)),

  create: accessProcedure
    .input(
      z.object({
        agentId: id("agent"),
        actions: z
          .array(z.enum(ACTION_NAMES, "Choose one of the kernel's actions"))
          .min(1, "Choose at least one action")
          .max(ACTION_NAMES.length),
        resource: z
          .object({
            type: z.enum(RESOURCE_TYPES, "Choose one of the resource types"),
            id: z
              .string()
              .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "Use lowercase letters, digits, - and _ (at most 64)")
              .optional(),
          })
          .nullable()
          .default(null),
        expiresAt: z.date({ error: "Choose when the grant expires" }),
        reason: z
          .string({ error: "Say why the agent needs this" })
          .trim()
          .min(3, "Say why the agent needs this (at least 3 characters)")
          .max(500, "Keep the reason to 500 characters"),
      }),
    )
    .mutation(({ ctx, input }) => createGrant(ctx.scope, input)),

  revoke: accessProcedure
    .input(z.object({ grantId: id("grant") }))
    .mutation(({ ctx, input }) => revokeGrant(ctx.scope, input)),

  requests: accessProcedure
    .input(z.object({ status: z.enum(["pending", "all"]).default("pending") }))
    .query(({ ctx, input }) => listGrantRequests(ctx.scope, input)),

  decide: accessProcedure
    .input(
      z.object({
        requestId: id("request"),
        approve: z.boolean({ error: "Choose approve or deny" }),
        comment: z.string().trim().max(500, "Keep the comment to 500 characters").optional(),
      }),
    )
    .mutation(({ ctx, input }) => decideGrantRequest(ctx.scope, input)),
});
