import { myRequests } from "@/server/requests/requests";
import { tenantProcedure } from "../../trpc";
import { mineInput, mineOutput } from "./mine.types";

/** The viewer's own requests, newest first. */
export const mine = tenantProcedure
  .input(mineInput)
  .output(mineOutput)
  .query(({ ctx, input }) => myRequests(ctx.scope, input));
