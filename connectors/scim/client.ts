/**
 * A SCIM 2.0 client (RFC 7644) for provisioning users and groups in an external application.
 *
 * The transport is injected: production passes the SSRF-guarded fetch (connectors/http/fetch.ts,
 * `(url, init) => guardedFetch(url, init, { allowHosts })`), tests may pass the global fetch. Responses
 * are validated against the schemas in schema.ts; every failure is a `ScimError` whose detail never
 * contains the bearer token (a provider that echoes it back gets it redacted).
 */
import type { z } from "zod";
import { ScimError } from "./errors";
import {
  enterpriseUserSchema,
  errorResponseSchema,
  groupSchema,
  listResponseSchema,
  memberSchema,
  nameSchema,
  emailSchema,
  schemaUrns,
  scimMediaType,
  userSchema,
  type PatchOperationInput,
  type ScimGroup,
  type ScimListResponse,
  type ScimUser,
} from "./schema";

export interface ScimFetchInit {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** What the client reads of a response; both the global fetch's Response and GuardedResponse fit. */
export interface ScimFetchResponse {
  readonly status: number;
  text(): string | Promise<string>;
}

export type ScimFetch = (url: string, init: ScimFetchInit) => Promise<ScimFetchResponse>;

export interface ScimClientOptions {
  /** The SCIM service's base URL, e.g. `https://api.example.com/scim/v2` (RFC 7644 §3.13). */
  readonly baseUrl: string;
  /** Sent as `Authorization: Bearer …` (RFC 7644 §2). */
  readonly token: string;
  readonly fetch: ScimFetch;
}

/** A user to create or a full replacement (PUT); `schemas` defaults to the core User (and Enterprise when used). */
export interface ScimUserInput {
  readonly schemas?: readonly string[];
  readonly userName: string;
  readonly externalId?: string;
  readonly name?: z.input<typeof nameSchema>;
  readonly displayName?: string;
  readonly emails?: readonly z.input<typeof emailSchema>[];
  readonly active?: boolean;
  readonly [schemaUrns.enterpriseUser]?: z.input<typeof enterpriseUserSchema>;
  readonly [attribute: string]: unknown;
}

export interface ScimGroupInput {
  readonly displayName: string;
  readonly externalId?: string;
  readonly members?: readonly z.input<typeof memberSchema>[];
}

export interface ListQuery {
  /** An RFC 7644 §3.4.2.2 filter, e.g. `userName eq "bjensen"`. Build values with `filterString`. */
  readonly filter?: string;
  /** 1-based (RFC 7644 §3.4.2.4). */
  readonly startIndex?: number;
  readonly count?: number;
}

/** A string literal for a filter: JSON string syntax, as RFC 7644 §3.4.2.2 requires. */
export const filterString = (value: string) => JSON.stringify(value);

const userListSchema = listResponseSchema(userSchema);
const groupListSchema = listResponseSchema(groupSchema);

export class ScimClient {
  private readonly baseUrl: string;

  constructor(private readonly options: ScimClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
  }

  createUser(user: ScimUserInput): Promise<ScimUser> {
    return this.send("POST", "/Users", userSchema, withUserSchemas(user));
  }

  getUser(id: string): Promise<ScimUser> {
    return this.send("GET", `/Users/${encodeURIComponent(id)}`, userSchema);
  }

  async listUsers(query: ListQuery = {}): Promise<ScimListResponse<ScimUser>> {
    return toList(await this.send("GET", `/Users${queryString(query)}`, userListSchema));
  }

  /** PATCH (RFC 7644 §3.5.2). A provider may answer 204 without the resource; then this returns null. */
  patchUser(id: string, operations: readonly PatchOperationInput[]): Promise<ScimUser | null> {
    return this.sendOptional("PATCH", `/Users/${encodeURIComponent(id)}`, userSchema, patchBody(operations));
  }

  /** PUT (RFC 7644 §3.5.1): the user's whole representation; attributes left out are cleared. */
  replaceUser(id: string, user: ScimUserInput): Promise<ScimUser> {
    return this.send("PUT", `/Users/${encodeURIComponent(id)}`, userSchema, withUserSchemas(user));
  }

  /** Deprovisioning by deactivation: RFC 7643 §4.1.1 `active` false, which keeps the account for audit. */
  async deactivateUser(id: string): Promise<void> {
    await this.patchUser(id, [{ op: "replace", path: "active", value: false }]);
  }

  async deleteUser(id: string): Promise<void> {
    await this.request("DELETE", `/Users/${encodeURIComponent(id)}`);
  }

  createGroup(group: ScimGroupInput): Promise<ScimGroup> {
    return this.send("POST", "/Groups", groupSchema, { schemas: [schemaUrns.group], ...group });
  }

  getGroup(id: string): Promise<ScimGroup> {
    return this.send("GET", `/Groups/${encodeURIComponent(id)}`, groupSchema);
  }

  async listGroups(query: ListQuery = {}): Promise<ScimListResponse<ScimGroup>> {
    return toList(await this.send("GET", `/Groups${queryString(query)}`, groupListSchema));
  }

  patchGroup(id: string, operations: readonly PatchOperationInput[]): Promise<ScimGroup | null> {
    return this.sendOptional(
      "PATCH",
      `/Groups/${encodeURIComponent(id)}`,
      groupSchema,
      patchBody(operations),
    );
  }

  /** Adds members by id in one operation (RFC 7644 §3.5.2.1: existing members are not repeated). */
  async addGroupMembers(id: string, memberIds: readonly string[]): Promise<void> {
    if (memberIds.length === 0) return;
    await this.patchGroup(id, [{ op: "add", path: "members", value: memberIds.map((value) => ({ value })) }]);
  }

  /** Removes members by id with value filters (RFC 7644 §3.5.2.2, `members[value eq "…"]`). */
  async removeGroupMembers(id: string, memberIds: readonly string[]): Promise<void> {
    if (memberIds.length === 0) return;
    await this.patchGroup(
      id,
      memberIds.map((value) => ({ op: "remove", path: `members[value eq ${filterString(value)}]` })),
    );
  }

  private async send<T extends z.ZodType>(
    method: string,
    path: string,
    schema: T,
    body?: unknown,
  ): Promise<z.output<T>> {
    const result = await this.sendOptional(method, path, schema, body);
    if (result === null)
      throw new ScimError(502, null, `The SCIM service answered ${method} ${path} without a body`);
    return result;
  }

  private async sendOptional<T extends z.ZodType>(
    method: string,
    path: string,
    schema: T,
    body?: unknown,
  ): Promise<z.output<T> | null> {
    const { status, text } = await this.request(method, path, body);
    if (status === 204 || text.trim() === "") return null;
    const parsed = schema.safeParse(parseJson(text));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
      throw new ScimError(
        502,
        null,
        this.redact(
          `The SCIM service's response to ${method} ${path} is not valid${where}: ${issue?.message ?? "unreadable"}`,
        ),
      );
    }
    return parsed.data;
  }

  private async request(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; text: string }> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.options.token}`,
      // RFC 7644 §3.1 / §8.1: SCIM bodies are application/scim+json.
      accept: `${scimMediaType}, application/json`,
    };
    if (body !== undefined) headers["content-type"] = scimMediaType;
    const init: ScimFetchInit =
      body === undefined ? { method, headers } : { method, headers, body: JSON.stringify(body) };
    const response = await this.options.fetch(`${this.baseUrl}${path}`, init);
    const text = await response.text();
    if (response.status >= 200 && response.status < 300) return { status: response.status, text };
    throw this.errorFrom(response.status, text, `${method} ${path}`);
  }

  /** RFC 7644 §3.12: the Error body's status, scimType and detail, or the HTTP status alone. */
  private errorFrom(status: number, text: string, what: string): ScimError {
    const parsed = errorResponseSchema.safeParse(parseJson(text));
    const detail =
      parsed.success && parsed.data.detail ? parsed.data.detail : `${what} failed with HTTP ${status}`;
    return new ScimError(status, parsed.success ? parsed.data.scimType : null, this.redact(detail));
  }

  /** The token never leaves in an error, even when a provider echoes the Authorization header back. */
  private redact(text: string): string {
    return this.options.token === "" ? text : text.replaceAll(this.options.token, "[redacted]");
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function withUserSchemas(user: ScimUserInput): Record<string, unknown> {
  const schemas = user.schemas ?? [
    schemaUrns.user,
    ...(user[schemaUrns.enterpriseUser] === undefined ? [] : [schemaUrns.enterpriseUser]),
  ];
  return { ...user, schemas };
}

const patchBody = (operations: readonly PatchOperationInput[]) => ({
  schemas: [schemaUrns.patchOp],
  Operations: operations,
});

/** Query parameters percent-encoded (spaces as %20, not "+", which some providers read literally). */
function queryString(query: ListQuery): string {
  const parts: string[] = [];
  if (query.filter !== undefined) parts.push(`filter=${encodeURIComponent(query.filter)}`);
  if (query.startIndex !== undefined) parts.push(`startIndex=${query.startIndex}`);
  if (query.count !== undefined) parts.push(`count=${query.count}`);
  return parts.length === 0 ? "" : `?${parts.join("&")}`;
}

function toList<T>(list: {
  totalResults: number;
  startIndex?: number | undefined;
  itemsPerPage?: number | undefined;
  Resources: T[];
}): ScimListResponse<T> {
  return {
    totalResults: list.totalResults,
    startIndex: list.startIndex ?? 1,
    itemsPerPage: list.itemsPerPage ?? list.Resources.length,
    resources: list.Resources,
  };
}
