/**
 * What the SCIM service provider's Users and Groups share: the scope a request runs in, its audit
 * actor, list queries (filter, sort, paging; RFC 7644 §3.4.2) and ETags (§3.14).
 */
import { ScimError, invalidFilter, invalidValue } from "@/connectors/scim/errors";
import { evaluateFilter, getAttribute, isRecord } from "@/connectors/scim/evaluate";
import { parseFilter } from "@/connectors/scim/filter";
import { schemaUrns } from "@/connectors/scim/schema";
import type { Tx } from "@/server/db/client";
import { appendAudit } from "@/server/kernel/audit/log";
import type { AuditEntryInput } from "@/server/kernel/audit/entry";

/** One authenticated SCIM request: its tenant, the token that authenticated it, and a tenant transaction. */
export type ScimScope = {
  tenantId: string;
  tokenId: string;
  db: Tx;
  /** `https://…/api/scim/v2/<tenant>`, for meta.location. */
  baseUrl: string;
};

export type Resource = Record<string, unknown>;

/** The identity provider, as the audit log names it: a system actor, identified by the token used. */
export const scimActor = (scope: ScimScope): AuditEntryInput["actor"] => ({
  type: "system",
  id: scope.tokenId,
  label: "SCIM (identity provider)",
});

export async function auditScim(
  scope: ScimScope,
  event: Omit<AuditEntryInput, "actor" | "outcome">,
): Promise<void> {
  await appendAudit(scope.db, scope.tenantId, { ...event, actor: scimActor(scope), outcome: "succeeded" });
}

/** A weak ETag from the row's version (RFC 7644 §3.14). */
export const etagOf = (version: number) => `W/"${version}"`;

/**
 * RFC 7644 §3.14: with If-Match, a change applies only to the version the client saw; `*` matches any.
 * Without it the change applies (ETags are optional for clients).
 */
export function checkIfMatch(ifMatch: string | null, version: number): void {
  if (ifMatch === null) return;
  const tags = ifMatch.split(",").map((t) => t.trim());
  if (tags.includes("*") || tags.includes(etagOf(version)) || tags.includes(`"${version}"`)) return;
  throw new ScimError(412, null, "The resource changed since the version given in If-Match");
}

export type ListQuery = {
  filter: string | null;
  startIndex: number;
  count: number;
  sortBy: string | null;
  sortOrder: "ascending" | "descending";
};

export const MAX_PAGE = 200;

/** RFC 7644 §3.4.2.4: startIndex below 1 is 1, a negative count is 0; counts are capped (§3.4.2.4 "MAY"). */
export function listQueryFrom(params: URLSearchParams): ListQuery {
  const integer = (name: string, fallback: number) => {
    const raw = params.get(name);
    if (raw === null || raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value)) throw invalidValue(`${name} must be an integer`);
    return value;
  };
  const order = params.get("sortOrder")?.toLowerCase() ?? "ascending";
  if (order !== "ascending" && order !== "descending")
    throw invalidValue('sortOrder must be "ascending" or "descending"');
  return {
    filter: params.get("filter"),
    startIndex: Math.max(1, integer("startIndex", 1)),
    count: Math.min(MAX_PAGE, Math.max(0, integer("count", 100))),
    sortBy: params.get("sortBy"),
    sortOrder: order,
  };
}

/** A sort key: the attribute's first value (or a complex value's `value`), lowercased when a string. */
function sortKey(resource: Resource, path: string): string | number | boolean | null {
  let current: unknown = resource;
  for (const part of path.split(".")) {
    if (Array.isArray(current)) current = current[0];
    current = isRecord(current) ? getAttribute(current, part) : undefined;
  }
  if (Array.isArray(current)) current = current[0];
  if (isRecord(current)) current = getAttribute(current, "value");
  if (typeof current === "string") return current.toLowerCase();
  if (typeof current === "number" || typeof current === "boolean") return current;
  return null;
}

/** Filters, sorts and pages resources into an RFC 7644 §3.4.2 ListResponse. */
export function listResponse(resources: readonly Resource[], query: ListQuery): Resource {
  let selected = [...resources];
  if (query.filter !== null) {
    if (query.filter.length > 2000) throw invalidFilter("The filter is longer than 2000 characters");
    const node = parseFilter(query.filter);
    selected = selected.filter((resource) => evaluateFilter(node, resource));
  }
  if (query.sortBy !== null) {
    const path = query.sortBy.replace(new RegExp(`^${escapeRegExp(schemaUrns.user)}:`, "i"), "");
    const direction = query.sortOrder === "descending" ? -1 : 1;
    // RFC 7644 §3.4.2.3: resources without the attribute sort last in ascending order.
    selected.sort((a, b) => {
      const x = sortKey(a, path);
      const y = sortKey(b, path);
      if (x === y) return 0;
      if (x === null) return direction;
      if (y === null) return -direction;
      return (x < y ? -1 : 1) * direction;
    });
  }
  const page = selected.slice(query.startIndex - 1, query.startIndex - 1 + query.count);
  return {
    schemas: [schemaUrns.listResponse],
    totalResults: selected.length,
    startIndex: query.startIndex,
    itemsPerPage: page.length,
    Resources: page,
  };
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Timestamps as RFC 7643 §2.3.5 dateTime strings. */
export const isoOf = (value: Date | string) => new Date(value).toISOString();
