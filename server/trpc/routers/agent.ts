/** Agents registered in a tenant (server/kernel/access/grant-admin.ts), for owners and admins. */
import { z } from "zod";
import { listAgents, registerAgent, setAgentDisabled } from "@/server/kernel/access/agents";
import { ACCESS_MANAGERS } from "@/server/tenancy/roles";
import { roleProcedure, router } from "../trpc";

const accessProcedure = roleProcedure(ACCESS_MANAGERS);

const label = (what: string, max: number) =>
  z
    .string({ error: `Enter the ${what}` })
    .trim()
    .min(1, `Enter the ${what}`)
    .max(max, `Keep the ${what} to ${max} characters`);

export const agentRouter = router({
  list: accessProcedure.query(({ ctx }) => listAgents(ctx.scope)),

  register: accessProcedure
    .input(
      z.object({
        name: label("agent's name", 80),
        skillId: z
          .string({ error: "Enter the skill id" })
          .regex(/^[a-z0-9][a-z0-9._-]{0,79}$/, "Use lowercase letters, digits, '.', '_' and '-'"),
        skillName: label("skill name", 80),
        skillVersion: z
          .string({ error: "Enter the skill version" })
          .regex(/^\d+\.\d+(\.\d+)?$/, "Use a version like 1.2 or 1.2.0"),
        publisher: label("publisher", 80),
      }),
    )
    .mutation(({ ctx, input }) => registerAgent(ctx.scope, input)),

  setDisabled: accessProcedure
    .input(z.object({ agentId: z.uuid("Not a valid agent id"), disabled: z.boolean() }))
    .mutation(({ ctx, input }) => setAgentDisabled(ctx.scope, input)),
});
