import { z } from "zod";
import { ROLES } from "@/server/tenancy/roles";

/** The `it` connector's it.access.request schemas: plain zod, so its manifest stays safe to import anywhere. */

export const accessRequestInput = z.object({
  /** A role of the access catalog (it.app_role), which names its app. */
  roleId: z.uuid("Choose a role of an app in the access catalog"),
  /** For whom; an active member of the tenant. */
  userId: z.uuid("Choose a person"),
  reason: z.string().trim().min(1, "Say why access is needed").max(1000, "Use at most 1000 characters"),
});
export type AccessRequestInput = z.output<typeof accessRequestInput>;

export const accessRequestOutput = z.strictObject({
  requestId: z.uuid(),
  appId: z.uuid(),
  app: z.string(),
  roleId: z.uuid(),
  role: z.string(),
  userId: z.uuid(),
  status: z.literal("pending"),
  /** The tenant role whose approval it waits for; null: none is needed. */
  approverRole: z.enum(ROLES).nullable(),
});
export type AccessRequestOutput = z.output<typeof accessRequestOutput>;
