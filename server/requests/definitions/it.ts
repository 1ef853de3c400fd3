import { AppError } from "@/server/errors";
import { requestableRole } from "@/server/it/access-catalog";
import { equipmentForm, softwareAccessForm } from "../forms";
import { defineRequest, level } from "../definition";

function splitName(name: string): { givenName?: string; familyName?: string } {
  const parts = name.trim().split(/\s+/);
  if (parts.length < 2) return parts[0] ? { givenName: parts[0] } : {};
  return { givenName: parts.slice(0, -1).join(" "), familyName: parts.at(-1) };
}

/**
 * Access to an app of the IT access catalog: an account (and the role's group) in the app, created
 * through the app's SCIM connection as the requester, behind their manager's approval (and the role's
 * own approver, when the catalog names one).
 */
export const softwareAccess = defineRequest({
  type: "software-access",
  title: "Software access",
  description: "An account and role in an app from the access catalog, provisioned automatically.",
  category: "it",
  audience: "everyone",
  form: softwareAccessForm,
  defaultRule: { levels: [level("Manager", "manager")] },
  async prepare({ tx, tenantId, requester }, input) {
    const found = await requestableRole(tx, tenantId, input.roleId);
    if (!found) throw new AppError("BAD_REQUEST", "That app role is not in the access catalog");
    const { app, role } = found;
    if (!app.scimConnectionId)
      throw new AppError(
        "BAD_REQUEST",
        `${app.name} is not connected for provisioning yet; ask IT to connect it`,
      );
    const connectionId = app.scimConnectionId;
    const label = `${app.name} (${role.name}) for ${requester.name}`;
    return {
      title: label,
      steps: [
        {
          key: "grant",
          as: "requester",
          syscall: {
            action: "it.access.grant",
            resource: { type: "AppAccess", id: role.id, attrs: { userId: requester.id, app: app.name } },
            resourceLabel: label,
            connectionId,
            input: {
              userName: requester.email,
              email: requester.email,
              ...splitName(requester.name),
              ...(role.scimGroup === null ? {} : { group: role.scimGroup }),
              app: app.name,
            },
          },
        },
      ],
      requiredLevels:
        role.approverRole === null ? [] : [level(`${app.name} approver`, `role:${role.approverRole}`)],
    };
  },
});

/** A device from IT's stock, assigned as the requester once their manager and IT (an admin) approved. */
export const equipment = defineRequest({
  type: "equipment",
  title: "Equipment",
  description: "A laptop, phone, monitor or other device from IT's stock.",
  category: "it",
  audience: "everyone",
  form: equipmentForm,
  defaultRule: { levels: [level("Manager", "manager"), level("IT", "role:admin")] },
  prepare({ requester }, input) {
    return {
      title: `A ${input.kind} for ${requester.name}`,
      steps: [
        {
          key: "assign",
          as: "requester",
          syscall: {
            action: "it.device.assign",
            resource: { type: "Device", id: `first-${input.kind}`, attrs: {} },
            resourceLabel: `A ${input.kind} for ${requester.name}`,
            input: { kind: input.kind, userId: requester.id },
          },
        },
      ],
    };
  },
});
