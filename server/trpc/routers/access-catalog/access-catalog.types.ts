import { z } from "zod";
import { ROLES } from "@/server/tenancy/roles";

export const appRoleView = z.object({
  id: z.string(),
  appId: z.string(),
  name: z.string(),
  scimGroup: z.string().nullable(),
  approverRole: z.enum(ROLES).nullable(),
  archived: z.boolean(),
});

export const appView = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  scimConnectionId: z.string().nullable(),
  owner: z.object({ userId: z.string(), name: z.string() }),
  archived: z.boolean(),
  roles: z.array(appRoleView),
});
