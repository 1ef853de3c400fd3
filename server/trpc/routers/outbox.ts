import { myOutbox, myOutboxInput, myOutboxOutput } from "@/server/mail/outbox";
import { authedProcedure, router } from "../trpc";

/** The signed-in user's own mail, for when the app sends none by SMTP (server/mail/outbox.ts). */
export const outboxRouter = router({
  mine: authedProcedure
    .input(myOutboxInput)
    .output(myOutboxOutput)
    .query(({ ctx, input }) => myOutbox(ctx.db, ctx.session.userId, input)),
});
