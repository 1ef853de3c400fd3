import { z } from "zod";
import {
  changePassword,
  changePasswordInput,
  getProfile,
  updateProfile,
  updateProfileInput,
} from "@/server/auth/profile";
import { listSessions, revokeOtherSessions } from "@/server/auth/sessions";
import { authedProcedure, router } from "../trpc";

export const profileRouter = router({
  get: authedProcedure
    .output(z.object({ id: z.uuid(), name: z.string(), email: z.string(), hasPassword: z.boolean() }))
    .query(({ ctx }) => getProfile(ctx.db, ctx.session.userId)),

  update: authedProcedure
    .input(updateProfileInput)
    .output(z.object({ name: z.string() }))
    .mutation(({ ctx, input }) => updateProfile(ctx.db, ctx.session.userId, input)),

  changePassword: authedProcedure
    .input(changePasswordInput)
    .output(z.object({ otherSessionsEnded: z.number().int() }))
    .mutation(({ ctx, input }) => changePassword(ctx.db, ctx.session, input)),

  sessions: authedProcedure
    .output(
      z.array(
        z.object({
          handle: z.string(),
          createdAt: z.date(),
          ip: z.string().nullable(),
          userAgent: z.string().nullable(),
          current: z.boolean(),
        }),
      ),
    )
    .query(({ ctx }) => listSessions(ctx.db, ctx.session.userId, ctx.session.sessionId)),

  signOutOtherSessions: authedProcedure
    .output(z.object({ ended: z.number().int() }))
    .mutation(async ({ ctx }) => ({
      ended: await revokeOtherSessions(ctx.db, ctx.session.userId, ctx.session.sessionId),
    })),
});
