import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";

export type RouterOutputs = inferRouterOutputs<AppRouter>;
type RouterInputs = inferRouterInputs<AppRouter>;
export type Member = RouterOutputs["member"]["list"][number];
export type PendingInvite = RouterOutputs["invite"]["list"][number];
export type CreatedInvite = RouterOutputs["invite"]["create"];
export type Role = Member["role"];
/** A role and what it allows, for role pickers. */
export type RoleOption = { value: Role; description: string };
export type AuditListInput = Omit<RouterInputs["audit"]["list"], "cursor">;
export type AuditEntrySummary = RouterOutputs["audit"]["list"]["entries"][number];
export type CurrentPolicies = RouterOutputs["policy"]["current"];
export type PolicyOutline = CurrentPolicies["policies"][number];
export type PolicyVersionSummary = RouterOutputs["policy"]["history"][number];
export type PolicyCatalog = RouterOutputs["policy"]["catalog"];
export type CatalogAction = PolicyCatalog["actions"][number];
export type ActionName = CatalogAction["name"];
export type Approver = PolicyCatalog["approvers"][number];
export type PolicyCheck = RouterOutputs["policy"]["check"];
export type PolicyError = Extract<PolicyCheck, { ok: false }>["errors"][number];
export type WhatIfInput = RouterInputs["policy"]["whatIf"];
export type WhatIfAnswer = RouterOutputs["policy"]["whatIf"];
export type Grant = RouterOutputs["grant"]["list"][number];
export type GrantRequest = RouterOutputs["grant"]["requests"][number];
export type Agent = RouterOutputs["agent"]["list"][number];
