import { z } from "zod";
import {
  acceptInvite,
  acceptInviteInput,
  createInvite,
  createInviteInput,
  listInvites,
  previewInvite,
  revokeInvite,
} from "@/server/tenancy/invites";
import { roleSchema } from "@/server/tenancy/roles";
import { adminProcedure, publicProcedure, router } from "../trpc";

const inviteStatus = z.enum(["pending", "accepted", "revoked", "expired"]);
const token = z.string().min(10, "Not a valid invitation link").max(1000, "Not a valid invitation link");

export const inviteRouter = router({
  list: adminProcedure
    .output(
      z.array(
        z.object({
          id: z.uuid(),
          email: z.string(),
          role: roleSchema,
          status: inviteStatus,
          expiresAt: z.date(),
          createdAt: z.date(),
          invitedBy: z.string(),
        }),
      ),
    )
    .query(({ ctx }) => listInvites(ctx.scope)),

  create: adminProcedure
    .input(createInviteInput)
    .output(
      z.object({
        id: z.uuid(),
        email: z.string(),
        role: roleSchema,
        expiresAt: z.date(),
        url: z.url(),
        emailed: z.boolean(),
      }),
    )
    .mutation(({ ctx, input }) => createInvite(ctx.scope, input)),

  revoke: adminProcedure
    .input(z.object({ inviteId: z.uuid("Not a valid invitation id") }))
    .output(z.object({ revoked: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await revokeInvite(ctx.scope, input.inviteId);
      return { revoked: true as const };
    }),

  /** What an invitation link offers, for the page the link opens. The signed token is the credential. */
  preview: publicProcedure
    .input(z.object({ token }))
    .output(
      z.object({
        tenantName: z.string(),
        tenantSlug: z.string(),
        email: z.string(),
        role: roleSchema,
        status: inviteStatus,
        expiresAt: z.date(),
        accountExists: z.boolean(),
      }),
    )
    .query(({ ctx, input }) => previewInvite(ctx.db, input.token)),

  accept: publicProcedure
    .input(acceptInviteInput)
    .output(z.object({ tenantSlug: z.string(), email: z.string(), accountCreated: z.boolean() }))
    .mutation(({ ctx, input }) => acceptInvite(ctx.db, input, ctx.session?.userId ?? null)),
});
