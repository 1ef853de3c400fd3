import { handleScimRequest } from "@/server/scim/http";

/** SCIM 2.0 for identity providers (Okta, Entra ID); everything is in server/scim/http.ts. */
const handler = (request: Request) => handleScimRequest(request);

export const dynamic = "force-dynamic";
export { handler as GET, handler as POST, handler as PUT, handler as PATCH, handler as DELETE };
