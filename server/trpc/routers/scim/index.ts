/**
 * The "Identity provider (SCIM)" card's API over server/scim/tokens.ts: the tenant's SCIM base URL and
 * token status, generate (or rotate) and revoke, for owners and admins.
 */
import { router } from "../../trpc";
import { generateToken } from "./generate-token";
import { revokeToken } from "./revoke-token";
import { status } from "./status";

export const scimRouter = router({ status, generateToken, revokeToken });
