import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";

export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type Member = RouterOutputs["member"]["list"][number];
export type PendingInvite = RouterOutputs["invite"]["list"][number];
export type CreatedInvite = RouterOutputs["invite"]["create"];
export type Role = Member["role"];
/** A role and what it allows, for role pickers. */
export type RoleOption = { value: Role; description: string };
export type AuditListInput = Omit<inferRouterInputs<AppRouter>["audit"]["list"], "cursor">;
export type AuditEntrySummary = RouterOutputs["audit"]["list"]["entries"][number];
