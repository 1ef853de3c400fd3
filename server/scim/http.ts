/**
 * Tenet's SCIM 2.0 endpoint over the Fetch API's Request and Response: the Next.js route
 * (app/api/scim/v2/[tenant]/[...path]/route.ts) and the integration tests' node:http server both call
 * `handleScimRequest`. URLs are `<origin>/api/scim/v2/<tenant-slug>/<Resource>[/<id>]`.
 *
 * Every request must carry the tenant's bearer token (RFC 7644 §2); a missing, wrong, revoked or other
 * tenant's token gets the same 401, and nothing of the tenant is read before the token is checked.
 * The work runs in one transaction scoped to the tenant by row-level security, so a failed request
 * writes nothing. Errors are RFC 7644 §3.12 Error resources.
 */
import { ScimError } from "@/connectors/scim/errors";
import { errorResponse, scimMediaType } from "@/connectors/scim/schema";
import { getDb, type PrismaClient } from "@/server/db/client";
import { withTenant } from "@/server/db/scope";
import { hasSqlState, sqlOf, UNIQUE_VIOLATION } from "@/server/db/sql";
import { AppError, appErrorCodes } from "@/server/errors";
import { isUniqueViolation } from "@/server/tenancy/tenants";
import { listQueryFrom, type Resource, type ScimScope } from "./common";
import { discovery, serviceProviderConfig } from "./discovery";
import { createGroup, deleteGroup, getGroup, listGroups, patchGroup, replaceGroup } from "./groups";
import { authenticateScimToken } from "./tokens";
import { createUser, deleteUser, getUser, listUsers, patchUser, replaceUser } from "./users";

const MAX_BODY_BYTES = 1024 * 1024;
const ROOT = "/scim/v2/";

function json(status: number, body: Resource, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": scimMediaType, "cache-control": "no-store", ...headers },
  });
}

const failure = (error: ScimError, headers: Record<string, string> = {}) =>
  json(error.status, errorResponse(error.status, error.scimType, error.detail), headers);

const unauthorized = () =>
  failure(new ScimError(401, null, "Authorization failed: send the tenant's SCIM token as a Bearer token"), {
    "www-authenticate": 'Bearer realm="SCIM"',
  });

const withEtag = (status: number, result: { resource: Resource; version: number }) =>
  json(status, result.resource, { etag: `W/"${result.version}"` });

function bearerToken(request: Request): string | null {
  const header = request.headers.get("authorization");
  const match = header === null ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

async function readBody(request: Request): Promise<unknown> {
  const text = await request.text();
  if (Buffer.byteLength(text, "utf8") > MAX_BODY_BYTES)
    throw new ScimError(413, null, `The request body is larger than ${MAX_BODY_BYTES} bytes`);
  try {
    return JSON.parse(text);
  } catch {
    throw new ScimError(400, "invalidSyntax", "The request body is not valid JSON");
  }
}

/** Serves one SCIM request for the tenant named in its URL. */
export async function handleScimRequest(request: Request, db: PrismaClient = getDb()): Promise<Response> {
  try {
    return await route(request, db);
  } catch (error) {
    if (error instanceof ScimError) return failure(error);
    // Two requests creating the same person at once: the database's unique keys let one through.
    if (isUniqueViolation(error) || hasSqlState(error, UNIQUE_VIOLATION))
      return failure(new ScimError(409, "uniqueness", "The resource was created by a concurrent request"));
    if (error instanceof AppError) {
      const status = appErrorCodes[error.code].http;
      return failure(
        new ScimError(status, null, status >= 500 ? "The request could not be completed" : error.message),
      );
    }
    console.error("[scim] request failed", error);
    return failure(new ScimError(500, null, "Something went wrong on our side"));
  }
}

async function route(request: Request, db: PrismaClient): Promise<Response> {
  const url = new URL(request.url);
  const at = url.pathname.indexOf(ROOT);
  const segments =
    at === -1
      ? []
      : url.pathname
          .slice(at + ROOT.length)
          .split("/")
          .filter((s) => s !== "");
  const [rawSlug, resource, rawId, ...rest] = segments.map((s) => decodeURIComponent(s));
  if (rawSlug === undefined) return failure(new ScimError(404, null, "Not found"));

  const token = bearerToken(request);
  const auth = token === null ? null : await authenticateScimToken(db, rawSlug, token);
  if (auth === null) return unauthorized();

  const baseUrl = `${url.origin}${url.pathname.slice(0, at + ROOT.length)}${encodeURIComponent(rawSlug)}`;
  if (rest.length > 0 || resource === undefined) return failure(new ScimError(404, null, "Not found"));
  const method = request.method.toUpperCase();
  const ifMatch = request.headers.get("if-match");
  const body =
    method === "POST" || method === "PUT" || method === "PATCH" ? await readBody(request) : undefined;
  const notAllowed = () => failure(new ScimError(405, null, `${method} is not supported on /${resource}`));

  return withTenant(db, { tenantId: auth.tenantId }, async (tx) => {
    const scope: ScimScope = { tenantId: auth.tenantId, tokenId: auth.tokenId, db: tx, baseUrl };
    await sqlOf(tx).query(
      `UPDATE scim.token SET last_used_at = now()
        WHERE tenant_id = $1::uuid AND id = $2::uuid AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [auth.tenantId, auth.tokenId],
    );
    switch (resource) {
      case "ServiceProviderConfig":
        return method === "GET" && rawId === undefined
          ? json(200, serviceProviderConfig(baseUrl))
          : notAllowed();
      case "ResourceTypes":
      case "Schemas": {
        if (method !== "GET") return notAllowed();
        const all = resource === "Schemas" ? discovery.schemas(baseUrl) : discovery.resourceTypes(baseUrl);
        if (rawId !== undefined) {
          const one = all.find((r) => r.id === rawId);
          return one ? json(200, one) : failure(new ScimError(404, null, `${resource}/${rawId} not found`));
        }
        return json(200, {
          schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
          totalResults: all.length,
          startIndex: 1,
          itemsPerPage: all.length,
          Resources: all,
        });
      }
      case "Users":
        if (rawId === undefined) {
          if (method === "GET") return json(200, await listUsers(scope, listQueryFrom(url.searchParams)));
          if (method === "POST") return withEtag(201, await createUser(scope, body));
          return notAllowed();
        }
        switch (method) {
          case "GET":
            return withEtag(200, await getUser(scope, rawId));
          case "PUT":
            return withEtag(200, await replaceUser(scope, rawId, body, ifMatch));
          case "PATCH":
            return withEtag(200, await patchUser(scope, rawId, body, ifMatch));
          case "DELETE":
            await deleteUser(scope, rawId, ifMatch);
            return new Response(null, { status: 204 });
          default:
            return notAllowed();
        }
      case "Groups": {
        const withMembers = !excludes(url.searchParams, "members");
        if (rawId === undefined) {
          if (method === "GET")
            return json(200, await listGroups(scope, listQueryFrom(url.searchParams), withMembers));
          if (method === "POST") return withEtag(201, await createGroup(scope, body));
          return notAllowed();
        }
        switch (method) {
          case "GET":
            return withEtag(200, await getGroup(scope, rawId, withMembers));
          case "PUT":
            return withEtag(200, await replaceGroup(scope, rawId, body, ifMatch));
          case "PATCH":
            return withEtag(200, await patchGroup(scope, rawId, body, ifMatch));
          case "DELETE":
            await deleteGroup(scope, rawId, ifMatch);
            return new Response(null, { status: 204 });
          default:
            return notAllowed();
        }
      }
      case "Bulk":
        throw new ScimError(501, null, "Bulk operations are not supported");
      default:
        throw new ScimError(404, null, `Unknown resource type /${resource}`);
    }
  });
}

/** RFC 7644 §3.4.2.5 excludedAttributes: a comma-separated list of attribute names. */
function excludes(params: URLSearchParams, attribute: string): boolean {
  const list = params.get("excludedAttributes");
  return list !== null && list.split(",").some((a) => a.trim().toLowerCase() === attribute);
}
