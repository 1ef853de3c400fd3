import { setRoutingRule } from "@/server/requests/routing";
import { adminProcedure } from "../../trpc";
import { setInput, setOutput } from "./set.types";

/** Saves a request type's approval levels, or restores the default (owners and admins). */
export const set = adminProcedure
  .input(setInput)
  .output(setOutput)
  .mutation(({ ctx, input }) => setRoutingRule(ctx.scope, input));
