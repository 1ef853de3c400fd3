/**
 * The SCIM connector's driver: the manifest's actions over ScimClient, every request through the
 * SSRF-guarded fetch with the connection's allowlist. The token is used for the call only; errors
 * carry the service's status and detail (redacted by the client), never the token.
 */
import { guardedFetch } from "@/connectors/http/fetch";
import { defineDriver, type Change, type DriverContext, type DryRun } from "@/connectors/sdk";
import { AppError, type AppErrorCode } from "@/server/errors";
import { ScimClient, filterString } from "./client";
import { ScimError } from "./errors";
import {
  scimConfig,
  scimCredentials,
  scimManifest,
  type GrantInput,
  type GrantOutput,
  type ReadInput,
  type ReadOutput,
  type RevokeInput,
  type RevokeOutput,
  type ScimConnectionConfig,
} from "./manifest";
import type { ScimGroup, ScimUser } from "./schema";

type Connection = { config: ScimConnectionConfig; token: string };

function connectionOf(ctx: DriverContext): Connection {
  if (ctx.connection === null) throw new AppError("BAD_REQUEST", "The SCIM connector needs a connection");
  const config = scimConfig.safeParse(ctx.connection.config);
  if (!config.success) {
    const issue = config.error.issues[0];
    throw new AppError(
      "BAD_REQUEST",
      `The connection's settings are not valid: ${issue ? `${issue.path.join(".")}: ${issue.message}` : "unreadable"}`,
    );
  }
  const credentials = scimCredentials.safeParse(ctx.connection.credentials);
  if (!credentials.success) throw new AppError("BAD_REQUEST", "The connection has no SCIM token");
  return { config: config.data, token: credentials.data.token };
}

function clientOf(ctx: DriverContext): ScimClient {
  const { config, token } = connectionOf(ctx);
  return new ScimClient({
    baseUrl: config.baseUrl,
    token,
    fetch: (url, init) =>
      guardedFetch(url, { ...init, signal: ctx.signal }, { allowHosts: config.allowHosts }),
  });
}

const statusCodes: Record<number, AppErrorCode> = {
  400: "BAD_REQUEST",
  401: "FORBIDDEN",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  412: "CONFLICT",
  429: "RATE_LIMITED",
};

/** A SCIM failure as the AppError the kernel reports; the detail is the client's (token redacted). */
async function scim<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof ScimError)) throw error;
    const code = statusCodes[error.status] ?? "UNAVAILABLE";
    const refused = error.status === 401 ? " (check the connection's token)" : "";
    throw new AppError(code, `The app's SCIM service refused to ${what}: ${error.detail}${refused}`, {
      cause: error,
    });
  }
}

async function findUser(client: ScimClient, userName: string): Promise<ScimUser | null> {
  const list = await scim("look the account up", () =>
    client.listUsers({ filter: `userName eq ${filterString(userName)}`, count: 2 }),
  );
  // userName is unique case-insensitively (RFC 7643 §4.1.1); a service that matches loosely is narrowed here.
  return list.resources.find((u) => u.userName.toLowerCase() === userName.toLowerCase()) ?? null;
}

async function findGroup(client: ScimClient, displayName: string): Promise<ScimGroup | null> {
  const list = await scim("look the group up", () =>
    client.listGroups({ filter: `displayName eq ${filterString(displayName)}`, count: 2 }),
  );
  const group = list.resources.find((g) => g.displayName.toLowerCase() === displayName.toLowerCase());
  if (!group?.id) return null;
  // Some services leave members out of list answers; the group itself has them.
  const id = group.id;
  return group.members === undefined ? scim("read the group", () => client.getGroup(id)) : group;
}

async function requireGroup(client: ScimClient, displayName: string): Promise<ScimGroup & { id: string }> {
  const group = await findGroup(client, displayName);
  if (!group?.id)
    throw new AppError("NOT_FOUND", `The app has no group named ${JSON.stringify(displayName)}`);
  return { ...group, id: group.id };
}

const isMember = (group: ScimGroup, userId: string | undefined) =>
  userId !== undefined && (group.members ?? []).some((m) => m.value === userId);

function requireId(user: ScimUser): string {
  if (!user.id) throw new AppError("UNAVAILABLE", "The app's SCIM service returned an account without an id");
  return user.id;
}

async function grant(input: GrantInput, ctx: DriverContext): Promise<GrantOutput> {
  const client = clientOf(ctx);
  // The group first: a grant that cannot complete must not leave an account behind.
  const group = input.group === undefined ? null : await requireGroup(client, input.group);
  const existing = await findUser(client, input.userName);
  let user: ScimUser;
  let created = false;
  let reactivated = false;
  if (existing === null) {
    const email = input.email ?? (input.userName.includes("@") ? input.userName : undefined);
    const name = {
      ...(input.givenName === undefined ? {} : { givenName: input.givenName }),
      ...(input.familyName === undefined ? {} : { familyName: input.familyName }),
    };
    user = await scim("create the account", () =>
      client.createUser({
        userName: input.userName,
        active: true,
        ...(Object.keys(name).length > 0 ? { name } : {}),
        ...(email === undefined ? {} : { emails: [{ value: email, type: "work", primary: true }] }),
      }),
    );
    created = true;
  } else if (existing.active === false) {
    const id = requireId(existing);
    user = (await scim("reactivate the account", () =>
      client.patchUser(id, [{ op: "replace", path: "active", value: true }]),
    )) ?? { ...existing, active: true };
    reactivated = true;
  } else {
    user = existing;
  }
  const userId = requireId(user);
  if (group !== null && !isMember(group, userId)) {
    await scim("add the account to the group", () => client.addGroupMembers(group.id, [userId]));
  }
  return { scimUserId: userId, created, reactivated, groupId: group?.id ?? null };
}

async function grantDryRun(input: GrantInput, ctx: DriverContext): Promise<DryRun> {
  const client = clientOf(ctx);
  const app = input.app ?? hostOf(ctx);
  const changes: Change[] = [];
  const warnings: string[] = [];
  const user = await findUser(client, input.userName);
  const account = `${app} account ${input.userName}`;
  if (user === null) {
    changes.push({ op: "create", object: account, fields: { active: { to: true } } });
  } else if (user.active === false) {
    changes.push({ op: "update", object: account, fields: { active: { from: false, to: true } } });
  }
  if (input.group !== undefined) {
    const group = await findGroup(client, input.group);
    if (group === null)
      warnings.push(`${app} has no group named ${JSON.stringify(input.group)}: the grant would fail`);
    else if (!isMember(group, user?.id))
      changes.push({
        op: "update",
        object: `${app} group ${group.displayName}`,
        fields: { members: { to: `+ ${input.userName}` } },
      });
  }
  if (changes.length === 0 && warnings.length === 0)
    warnings.push(`${input.userName} already has this access in ${app}: nothing to do`);
  return { changes, warnings };
}

const nameOf = (user: ScimUser | null, part: "givenName" | "familyName") => user?.name?.[part] ?? null;

async function revoke(input: RevokeInput, ctx: DriverContext): Promise<RevokeOutput> {
  const client = clientOf(ctx);
  const user = await findUser(client, input.userName);
  const deactivate = input.deactivate ?? input.group === undefined;
  const result: RevokeOutput = {
    scimUserId: user?.id ?? null,
    deactivated: false,
    removedFromGroup: false,
    givenName: nameOf(user, "givenName"),
    familyName: nameOf(user, "familyName"),
  };
  if (user === null) return result;
  const userId = requireId(user);
  if (input.group !== undefined) {
    const group = await findGroup(client, input.group);
    if (group?.id && isMember(group, userId)) {
      const groupId = group.id;
      await scim("remove the account from the group", () => client.removeGroupMembers(groupId, [userId]));
      result.removedFromGroup = true;
    }
  }
  if (deactivate && user.active !== false) {
    await scim("deactivate the account", () => client.deactivateUser(userId));
    result.deactivated = true;
  }
  return result;
}

async function revokeDryRun(input: RevokeInput, ctx: DriverContext): Promise<DryRun> {
  const client = clientOf(ctx);
  const app = input.app ?? hostOf(ctx);
  const user = await findUser(client, input.userName);
  if (user === null)
    return { changes: [], warnings: [`${app} has no account ${input.userName}: nothing to revoke`] };
  const changes: Change[] = [];
  if (input.group !== undefined) {
    const group = await findGroup(client, input.group);
    if (group !== null && isMember(group, user.id))
      changes.push({
        op: "update",
        object: `${app} group ${group.displayName}`,
        fields: { members: { to: `- ${input.userName}` } },
      });
  }
  if ((input.deactivate ?? input.group === undefined) && user.active !== false)
    changes.push({
      op: "update",
      object: `${app} account ${input.userName}`,
      fields: { active: { from: true, to: false } },
    });
  return {
    changes,
    warnings: changes.length === 0 ? [`${input.userName} has no such access in ${app}: nothing to do`] : [],
  };
}

async function read(input: ReadInput, ctx: DriverContext): Promise<ReadOutput> {
  const client = clientOf(ctx);
  const list = await scim("list accounts", () =>
    client.listUsers({
      ...(input.filter === undefined ? {} : { filter: input.filter }),
      ...(input.startIndex === undefined ? {} : { startIndex: input.startIndex }),
      ...(input.count === undefined ? {} : { count: input.count }),
    }),
  );
  return {
    totalResults: list.totalResults,
    startIndex: list.startIndex,
    itemsPerPage: list.itemsPerPage,
    accounts: list.resources.map((u) => ({
      id: u.id ?? "",
      userName: u.userName,
      active: u.active ?? true,
      displayName: u.displayName ?? null,
      emails: (u.emails ?? []).map((e) => e.value),
      groups: (u.groups ?? []).map((g) => g.display ?? g.value),
    })),
  };
}

function hostOf(ctx: DriverContext): string {
  return new URL(connectionOf(ctx).config.baseUrl).host;
}

/** "Test connection": the service's ServiceProviderConfig (RFC 7644 §4), read with the token. */
async function test(ctx: DriverContext): Promise<string> {
  const { config, token } = connectionOf(ctx);
  const base = config.baseUrl.replace(/\/+$/, "");
  const response = await guardedFetch(
    `${base}/ServiceProviderConfig`,
    {
      method: "GET",
      headers: { authorization: `Bearer ${token}`, accept: "application/scim+json, application/json" },
      signal: ctx.signal,
    },
    { allowHosts: config.allowHosts },
  );
  if (response.status === 401 || response.status === 403)
    throw new AppError("FORBIDDEN", `${base} refused the token (HTTP ${response.status})`);
  if (response.status !== 200)
    throw new AppError("UNAVAILABLE", `${base}/ServiceProviderConfig answered HTTP ${response.status}`);
  let body: unknown;
  try {
    body = response.json();
  } catch {
    throw new AppError("UNAVAILABLE", `${base}/ServiceProviderConfig did not answer with JSON`);
  }
  const supported = (feature: string) => {
    if (typeof body !== "object" || body === null) return false;
    const value: unknown = Reflect.get(body, feature);
    return typeof value === "object" && value !== null && Reflect.get(value, "supported") === true;
  };
  const features = [
    `PATCH ${supported("patch") ? "supported" : "not supported"}`,
    `filtering ${supported("filter") ? "supported" : "not supported"}`,
    `ETags ${supported("etag") ? "supported" : "not supported"}`,
  ];
  return `Connected to ${base}: SCIM 2.0, ${features.join(", ")}`;
}

export const scimDriver = defineDriver(
  scimManifest,
  {
    "it.access.grant": { run: grant, dryRun: grantDryRun },
    "it.access.revoke": { run: revoke, dryRun: revokeDryRun },
    "it.account.read": { run: read },
  },
  { test },
);
