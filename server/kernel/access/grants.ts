import { AppError } from "@/server/errors";
import { ACTIONS, isActionName, isResourceType, NAMESPACE, type ResourceType } from "./schema";
import { RESERVED_ID_PREFIX } from "./validate";

/**
 * A grant lets one agent perform some actions, optionally on one resource or one resource type,
 * until it expires or is revoked. Agents have no other permissions.
 */
export type Grant = {
  id: string;
  agentId: string;
  actions: string[];
  resource?: { type: string; id: string } | { type: string };
  expiresAt: Date;
  revokedAt?: Date | null;
};

/**
 * Ids that reach Cedar text: lowercase letters, digits, "-" and "_" only (UUIDs fit). Nothing that
 * could close a string literal or change the meaning of the policy can get through.
 */
export const ENTITY_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Said to whoever is creating the grant; the grant's id (when it has one) goes in `cause`. */
const invalid = (message: string, grantId?: string) =>
  new AppError(
    "BAD_REQUEST",
    `${message[0]?.toUpperCase() ?? ""}${message.slice(1)}`,
    grantId === undefined ? {} : { cause: { grantId } },
  );

function checkedId(what: string, value: string, grantId?: string): string {
  if (!ENTITY_ID_PATTERN.test(value)) throw invalid(`${what} is not a valid id`, grantId);
  return value;
}

const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** What a grant allows: some actions, optionally on one resource type or one resource. */
export type GrantScope = {
  actions: readonly string[];
  resource?: { type: string; id?: string | undefined } | null;
};

/**
 * Checks a scope and writes its action and resource constraints in Cedar. Throws a readable
 * BAD_REQUEST for unknown actions or types, actions that do not all apply to the chosen type, or
 * ids that could not be written safely; grant-admin.ts checks new grants with it before storing them.
 */
export function grantScope(
  tenantId: string,
  scope: GrantScope,
  grantId?: string,
): { actions: string; resource: string } {
  checkedId("the tenant id", tenantId, grantId);
  if (scope.actions.length === 0) throw invalid("choose at least one action", grantId);
  const resourceTypes = new Set<ResourceType>();
  const names = scope.actions.map((action) => {
    if (!isActionName(action)) throw invalid(`unknown action ${JSON.stringify(action)}`, grantId);
    resourceTypes.add(ACTIONS[action]);
    return `${NAMESPACE}::Action::"${action}"`;
  });
  const actions = `[${names.join(", ")}]`;
  if (!scope.resource) return { actions, resource: "resource" };

  const { type, id } = scope.resource;
  if (!isResourceType(type)) throw invalid(`unknown resource type ${JSON.stringify(type)}`, grantId);
  if ([...resourceTypes].some((t) => t !== type))
    throw invalid(`every action must apply to ${type}`, grantId);
  return {
    actions,
    resource:
      id === undefined
        ? `resource is ${NAMESPACE}::${type}`
        : `resource == ${NAMESPACE}::${type}::"${tenantId}/${checkedId("the resource id", id, grantId)}"`,
  };
}

/**
 * The Cedar permit for one grant, or null when the grant is revoked or already expired at `now`.
 * The expiry is also written into the policy (`context.now < …`), so a cached policy set stops
 * honouring the grant at the right second without being rebuilt. A revocation must rebuild it.
 */
export function grantToPolicy(tenantId: string, grant: Grant, now: Date): string | null {
  const grantId = checkedId("the grant id", grant.id, grant.id);
  const agentId = checkedId("the agent id", grant.agentId, grantId);
  if (Number.isNaN(grant.expiresAt.getTime())) throw invalid("the expiry is not a date", grantId);
  const scope = grantScope(tenantId, grant, grantId);

  if (grant.revokedAt || grant.expiresAt.getTime() <= now.getTime()) return null;
  return [
    `@id("${RESERVED_ID_PREFIX}${grantId}")`,
    `permit (principal == ${NAMESPACE}::Agent::"${tenantId}/${agentId}", action in ${scope.actions}, ${scope.resource})`,
    `when { context.now < ${epochSeconds(grant.expiresAt)} };`,
  ].join("\n");
}

/** Policy text for a tenant's live grants. Throws on a malformed grant rather than skipping it. */
export function grantsToPolicyText(tenantId: string, grants: readonly Grant[], now: Date): string {
  return grants
    .map((grant) => grantToPolicy(tenantId, grant, now))
    .filter((policy) => policy !== null)
    .join("\n\n");
}
