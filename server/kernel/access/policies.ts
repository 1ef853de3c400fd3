import type { Tx } from "@/server/db/client";
import { sqlOf } from "@/server/db/sql";
import { AppError, notFound } from "@/server/errors";
import type { TenantContext } from "@/server/tenancy/context";
import { appendAudit, userActor } from "@/server/kernel/audit/log";
import type { Approver } from "./approval";
import type { AccessDecision } from "./decide";
import { DEFAULT_POLICY_PACK } from "./default-pack";
import type { AccessPrincipal, AccessResource } from "./entities";
import { AccessEvaluator } from "./evaluator";
import { loadDirectory, principalAgentIds, principalUserIds, resolvePrincipal } from "./principals";
import { ACTION_INFO, ACTIONS, type ActionName } from "./schema";
import { currentPolicyText, ensureLoaded, liveEvaluator, liveGrants } from "./store";
import { scanPolicies } from "./source";
import { validatePolicyText, type PolicyError, type ValidatedPolicy } from "./validate";

/** The most policy text a tenant may save: generous for hand-written rules, bounded for the parser. */
export const MAX_POLICY_LENGTH = 200_000;

export type PolicyVersionView = {
  version: number;
  summary: string;
  createdAt: Date;
  author: string | null;
};

const versionSelect = {
  version: true,
  summary: true,
  createdAt: true,
  createdBy: { select: { name: true } },
} as const;

const toView = (row: {
  version: number;
  summary: string;
  createdAt: Date;
  createdBy: { name: string } | null;
}): PolicyVersionView => ({
  version: row.version,
  summary: row.summary,
  createdAt: row.createdAt,
  author: row.createdBy?.name ?? null,
});

/** Writes the default pack as version 1 of a new tenant's policies. */
export async function installDefaultPolicies(tx: Tx, tenantId: string): Promise<void> {
  await tx.policyVersion.create({
    data: { tenantId, version: 1, text: DEFAULT_POLICY_PACK, summary: "Default policy pack" },
  });
}

/** The policies in force, with each policy's id, effect and approval gate for the page's outline. */
export async function currentPolicies(ctx: TenantContext) {
  const row = await ctx.db.policyVersion.findFirst({
    where: { tenantId: ctx.tenantId },
    orderBy: { version: "desc" },
    select: { ...versionSelect, text: true },
  });
  if (!row) throw notFound("This tenant has no policies yet");
  const checked = validatePolicyText(row.text, { tenantId: ctx.tenantId });
  return {
    ...toView(row),
    text: row.text,
    policies: checked.ok ? checked.policies : [],
    tenantId: ctx.tenantId,
  };
}

export async function policyHistory(ctx: TenantContext): Promise<PolicyVersionView[]> {
  const rows = await ctx.db.policyVersion.findMany({
    where: { tenantId: ctx.tenantId },
    orderBy: { version: "desc" },
    select: versionSelect,
    take: 200,
  });
  return rows.map(toView);
}

export async function policyVersion(ctx: TenantContext, version: number) {
  const row = await ctx.db.policyVersion.findUnique({
    where: { tenantId_version: { tenantId: ctx.tenantId, version } },
    select: { ...versionSelect, text: true },
  });
  if (!row) throw notFound(`Version ${version} not found`);
  return { ...toView(row), text: row.text };
}

export type DraftCheck = { ok: true; policies: ValidatedPolicy[] } | { ok: false; errors: PolicyError[] };

/** Validates draft text as the editor types: errors with line and column, or the policies it holds. */
export function checkDraft(ctx: Pick<TenantContext, "tenantId">, text: string): DraftCheck {
  const result = validatePolicyText(text, { tenantId: ctx.tenantId });
  return result.ok ? { ok: true, policies: result.policies } : { ok: false, errors: result.errors };
}

function describeErrors(errors: PolicyError[]): string {
  const [first] = errors;
  if (!first) return "The policies are not valid";
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
  return `Policy text, line ${first.line}, column ${first.column}: ${first.message}${more}`;
}

/**
 * Saves a new version. `baseVersion` is the version the author started from: if someone saved in
 * between, the save is refused rather than silently overwriting their change. Invalid text is
 * refused with every error and its position, and nothing is written.
 */
export async function savePolicies(
  ctx: TenantContext,
  input: { text: string; summary: string; baseVersion: number },
): Promise<PolicyVersionView> {
  const check = validatePolicyText(input.text, { tenantId: ctx.tenantId });
  if (!check.ok)
    throw new AppError("BAD_REQUEST", describeErrors(check.errors), {
      fields: { text: check.errors.map((e) => `${e.line}:${e.column} ${e.message}`) },
    });
  const latest = await currentPolicyText(sqlOf(ctx.db), ctx.tenantId);
  if (latest.version !== input.baseVersion)
    throw new AppError(
      "CONFLICT",
      `Version ${latest.version} was saved after you opened version ${input.baseVersion}. Reload to see it, then apply your change again.`,
    );
  if (latest.text === input.text)
    throw new AppError("BAD_REQUEST", "Nothing changed since the current version");

  const version = latest.version + 1;
  const row = await ctx.db.policyVersion
    .create({
      data: {
        tenantId: ctx.tenantId,
        version,
        text: input.text,
        summary: input.summary,
        createdById: ctx.actor.userId,
      },
      select: versionSelect,
    })
    .catch((error: unknown) => {
      // Two saves from the same base: the unique (tenantId, version) lets exactly one through.
      throw new AppError(
        "CONFLICT",
        `Someone else saved version ${version} a moment ago. Reload and try again.`,
        {
          cause: error,
        },
      );
    });
  const before = new Set(policyIds(latest.text));
  const after = new Set(check.policies.map((p) => p.id));
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action: "policy.updated",
    resource: { type: "policy_set", id: String(version), label: `policies v${version}` },
    outcome: "succeeded",
    detail: {
      version,
      previousVersion: latest.version,
      summary: input.summary,
      added: [...after].filter((id) => !before.has(id)).sort(),
      removed: [...before].filter((id) => !after.has(id)).sort(),
      policyCount: after.size,
    },
  });
  return toView(row);
}

/** The @ids in text that was valid when saved: scanning is enough, no need to validate it again. */
function policyIds(text: string): string[] {
  return scanPolicies(text).flatMap((p) => p.annotations.filter((a) => a.name === "id").map((a) => a.value));
}

/** A what-if question: could this principal do this action to a resource like this one? */
export type WhatIfInput = {
  principal: { type: "user"; userId: string } | { type: "agent"; agentId: string; actingForUserId: string };
  action: ActionName;
  resource: {
    id?: string | undefined;
    ownerUserId?: string | undefined;
    amountCents?: number | undefined;
    days?: number | undefined;
    app?: string | undefined;
  };
  approvals: Approver[];
  /** Evaluate this draft instead of the saved policies (grants are included either way). */
  draftText?: string | undefined;
};

export type WhatIfAnswer = AccessDecision & { effect: string; policiesVersion: number | "draft" };

// Draft sets live apart from the live ones (see AccessEvaluator's namespace), one per tenant.
const draftEvaluator = new AccessEvaluator("what-if");

function whatIfResource(action: ActionName, input: WhatIfInput["resource"], ownerId: string): AccessResource {
  const id = input.id ?? "what-if";
  const amountCents = input.amountCents ?? 0;
  const type = ACTIONS[action];
  switch (type) {
    case "TimeOffRequest":
      return { type, id, attrs: { requesterId: ownerId, days: input.days ?? 1 } };
    case "Employee":
      return { type, id, attrs: { userId: ownerId } };
    case "AppAccess":
      return { type, id, attrs: { userId: ownerId, app: input.app ?? "app" } };
    case "MaintenanceTicket":
      return { type, id, attrs: { reporterId: ownerId } };
    case "Expense":
      return { type, id, attrs: { submitterId: ownerId, amountCents } };
    case "PurchaseRequest":
      return { type, id, attrs: { requesterId: ownerId, amountCents } };
    case "Booking":
      return { type, id, attrs: { bookerId: ownerId } };
    case "Visitor":
      return { type, id, attrs: { hostId: ownerId } };
    case "HttpEndpoint":
      return { type, id, attrs: { host: input.app ?? "api.example.com" } };
    case "Device":
    case "Room":
    case "Desk":
    case "Equipment":
    case "Webhook":
      return { type, id, attrs: {} };
  }
}

/**
 * Evaluates a hypothetical request exactly as kernel.call would (same entities, same effect from the
 * action catalog), without executing or auditing anything. The resource "belongs to" `ownerUserId`
 * (requester, submitter, …), defaulting to the principal's own user.
 */
export async function whatIf(ctx: TenantContext, input: WhatIfInput): Promise<WhatIfAnswer> {
  const now = new Date();
  const ownerIds = input.resource.ownerUserId ? [input.resource.ownerUserId] : [];
  const directory = await loadDirectory(
    sqlOf(ctx.db),
    ctx.tenantId,
    [...principalUserIds(input.principal), ...ownerIds],
    principalAgentIds(input.principal),
  );
  const principal = resolvePrincipal(directory, input.principal);
  if ("problem" in principal) throw notFound(principal.message);
  const self = principal.access.type === "User" ? principal.access.id : principal.access.actingForId;
  const ownerId = input.resource.ownerUserId ?? self;
  const owner = directory.members.get(ownerId);
  if (!owner) throw notFound("The resource's owner is not a member of this tenant");

  let evaluator = liveEvaluator;
  let policiesVersion: number | "draft";
  if (input.draftText === undefined) {
    await ensureLoaded(sqlOf(ctx.db), ctx.tenantId, now);
    policiesVersion = (await currentPolicyText(sqlOf(ctx.db), ctx.tenantId)).version;
  } else {
    const check = validatePolicyText(input.draftText, { tenantId: ctx.tenantId });
    if (!check.ok) throw new AppError("BAD_REQUEST", `The draft has errors. ${describeErrors(check.errors)}`);
    evaluator = draftEvaluator;
    // A version the draft evaluator has never seen, so it always reloads this draft.
    const version = (draftEvaluator.version(ctx.tenantId) ?? 0) + 1;
    draftEvaluator.setPolicies(
      ctx.tenantId,
      { version, policyText: input.draftText, grants: await liveGrants(sqlOf(ctx.db), ctx.tenantId, now) },
      now,
    );
    policiesVersion = "draft";
  }
  const effect = ACTION_INFO[input.action].effect;
  const access: AccessPrincipal = principal.access;
  const decision = evaluator.decide(
    ctx.tenantId,
    {
      principal: access,
      action: input.action,
      resource: whatIfResource(input.action, input.resource, ownerId),
      context: { effect, now, approvals: input.approvals },
    },
    { users: [owner] },
  );
  return { ...decision, effect, policiesVersion };
}
