/**
 * The Policies page's API, for owners and admins: thin over server/kernel/access/policies.ts.
 * Draft text travels in mutations (not queries) because it can be long.
 */
import { z } from "zod";
import {
  checkDraft,
  currentPolicies,
  MAX_POLICY_LENGTH,
  policyHistory,
  policyVersion,
  savePolicies,
  whatIf,
} from "@/server/kernel/access/policies";
import { ACTION_INFO, ACTION_NAMES, ACTIONS } from "@/server/kernel/access/schema";
import { ACCESS_MANAGERS, ROLES } from "@/server/tenancy/roles";
import { roleProcedure, router } from "../trpc";

const accessProcedure = roleProcedure(ACCESS_MANAGERS);

const policyText = z
  .string({ error: "Enter the policy text" })
  .max(MAX_POLICY_LENGTH, `Keep the policies under ${MAX_POLICY_LENGTH.toLocaleString("en")} characters`);
const actionName = z.enum(ACTION_NAMES, "Choose one of the kernel's actions");
const approver = z.enum(["manager", ...ROLES.map((role) => `role:${role}` as const)], "Not a known approver");
const id = (what: string) => z.uuid(`Not a valid ${what} id`);

const whatIfInput = z.object({
  principal: z.discriminatedUnion(
    "type",
    [
      z.object({ type: z.literal("user"), userId: id("user") }),
      z.object({ type: z.literal("agent"), agentId: id("agent"), actingForUserId: id("user") }),
    ],
    "Choose a user or an agent",
  ),
  action: actionName,
  resource: z.object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "Use lowercase letters, digits, - and _ (at most 64)")
      .optional(),
    ownerUserId: id("user").optional(),
    amountCents: z.number().int("Use whole cents").min(0, "Use 0 or more").max(1e12, "Too large").optional(),
    days: z.number().int("Use whole days").min(1, "At least 1 day").max(365, "At most 365 days").optional(),
    app: z.string().trim().min(1).max(100, "Keep the app name to 100 characters").optional(),
  }),
  approvals: z.array(approver).max(10).default([]),
  draftText: policyText.optional(),
});

export const policyRouter = router({
  current: accessProcedure.query(({ ctx }) => currentPolicies(ctx.scope)),

  history: accessProcedure.query(({ ctx }) => policyHistory(ctx.scope)),

  version: accessProcedure
    .input(z.object({ version: z.number().int("Not a version number").min(1, "Versions start at 1") }))
    .query(({ ctx, input }) => policyVersion(ctx.scope, input.version)),

  /** The actions, effects and approvers policies can name: the editor's reference and the tester's menus. */
  catalog: accessProcedure.query(() => ({
    actions: ACTION_NAMES.map((name) => ({ name, resourceType: ACTIONS[name], ...ACTION_INFO[name] })),
    approvers: approver.options,
  })),

  check: accessProcedure
    .input(z.object({ text: policyText }))
    .mutation(({ ctx, input }) => checkDraft(ctx.scope, input.text)),

  save: accessProcedure
    .input(
      z.object({
        text: policyText,
        summary: z
          .string({ error: "Say what you changed" })
          .trim()
          .min(3, "Say what you changed (at least 3 characters)")
          .max(200, "Keep the summary to 200 characters"),
        baseVersion: z.number().int().min(1, "Versions start at 1"),
      }),
    )
    .mutation(({ ctx, input }) => savePolicies(ctx.scope, input)),

  whatIf: accessProcedure.input(whatIfInput).mutation(({ ctx, input }) => whatIf(ctx.scope, input)),
});
