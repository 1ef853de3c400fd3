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

/** Said to whoever is creating the grant; the grant's id (often not yet shown to anyone) goes in `cause`. */
const invalid = (grantId: string, message: string) =>
  new AppError("BAD_REQUEST", `${message[0]?.toUpperCase() ?? ""}${message.slice(1)}`, {
    cause: { grantId },
  });

function checkedId(grantId: string, what: string, value: string): string {
  if (!ENTITY_ID_PATTERN.test(value)) throw invalid(grantId, `${what} is not a valid id`);
  return value;
}

const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * The Cedar permit for one grant, or null when the grant is revoked or already expired at `now`.
 * The expiry is also written into the policy (`context.now < …`), so a cached policy set stops
 * honouring the grant at the right second without being rebuilt. A revocation must rebuild it.
 */
export function grantToPolicy(tenantId: string, grant: Grant, now: Date): string | null {
  const grantId = checkedId(grant.id, "the grant id", grant.id);
  checkedId(grantId, "the tenant id", tenantId);
  const agentId = checkedId(grantId, "the agent id", grant.agentId);
  if (Number.isNaN(grant.expiresAt.getTime())) throw invalid(grantId, "the expiry is not a date");
  if (grant.actions.length === 0) throw invalid(grantId, "choose at least one action");

  const resourceTypes = new Set<ResourceType>();
  const actions = grant.actions.map((action) => {
    if (!isActionName(action)) throw invalid(grantId, `unknown action ${JSON.stringify(action)}`);
    resourceTypes.add(ACTIONS[action]);
    return `${NAMESPACE}::Action::"${action}"`;
  });

  let resource = "resource";
  if (grant.resource) {
    const { type } = grant.resource;
    if (!isResourceType(type)) throw invalid(grantId, `unknown resource type ${JSON.stringify(type)}`);
    if ([...resourceTypes].some((t) => t !== type))
      throw invalid(grantId, `every action must apply to ${type}`);
    resource =
      "id" in grant.resource
        ? `resource == ${NAMESPACE}::${type}::"${tenantId}/${checkedId(grantId, "the resource id", grant.resource.id)}"`
        : `resource is ${NAMESPACE}::${type}`;
  }

  if (grant.revokedAt || grant.expiresAt.getTime() <= now.getTime()) return null;
  return [
    `@id("${RESERVED_ID_PREFIX}${grantId}")`,
    `permit (principal == ${NAMESPACE}::Agent::"${tenantId}/${agentId}", action in [${actions.join(", ")}], ${resource})`,
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
