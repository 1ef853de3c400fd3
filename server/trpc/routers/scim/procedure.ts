import { ACCESS_MANAGERS } from "@/server/tenancy/roles";
import { roleProcedure } from "../../trpc";

/** The SCIM token lets an identity provider add and remove members: owners and admins only. */
export const scimProcedure = roleProcedure(ACCESS_MANAGERS);
