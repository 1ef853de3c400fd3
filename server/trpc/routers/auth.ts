import { z } from "zod";
import { signUp, signUpInput } from "@/server/auth/sign-up";
import { publicProcedure, router } from "../trpc";

export const authRouter = router({
  /** Creates an account and its tenant; the client then signs in with the same credentials. */
  signUp: publicProcedure
    .input(signUpInput)
    .output(z.object({ tenantSlug: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const { tenantSlug } = await signUp(ctx.db, input);
      return { tenantSlug };
    }),
});
