/**
 * The SCIM connector: accounts in any application that speaks SCIM 2.0 (RFC 7644), such as Figma,
 * Slack, GitHub Enterprise or another Tenet tenant. Granting access creates (or reactivates) the
 * person's account and adds it to the role's group; revoking removes it from the group or deactivates
 * it (`active: false`, which keeps the account for the app's own audit trail, rather than deleting it).
 */
import { z } from "zod";
import { defineAction, defineManifest } from "@/connectors/sdk";

export const scimCredentials = z.object({
  token: z.string().trim().min(1, "Paste the app's SCIM bearer token").describe("SCIM bearer token"),
});

/**
 * The app's SCIM base URL must be https, unless its host is on the connection's allowlist (a SCIM
 * service on the company's own network, or a test server on loopback), which the SSRF guard also uses.
 */
/**
 * Whether the URL's host is on the list, as `host` or `host:port`. A plain-text check for forms (this
 * module is imported by pages); the SSRF guard (connectors/http/ssrf.ts) decides at request time.
 */
function listed(url: URL, allowHosts: readonly string[]): boolean {
  const port = url.port === "" ? (url.protocol === "https:" ? "443" : "80") : url.port;
  const host = url.hostname.toLowerCase();
  return allowHosts.some((entry) => {
    const e = entry.trim().toLowerCase();
    return e === host || e === `${host}:${port}`;
  });
}

export const scimConfig = z
  .object({
    baseUrl: z
      .url({
        protocol: /^https?$/,
        error: "Give the app's SCIM base URL, e.g. https://api.example.com/scim/v2",
      })
      .describe("SCIM base URL"),
    allowHosts: z
      .array(z.string().trim().min(1).max(260))
      .max(20)
      .default([])
      .describe(
        "Hosts this connection may reach although they resolve to private addresses (host or host:port)",
      ),
  })
  .superRefine((config, issues) => {
    const url = new URL(config.baseUrl);
    if (url.protocol !== "https:" && !listed(url, config.allowHosts)) {
      issues.addIssue({
        code: "custom",
        path: ["baseUrl"],
        message: "Use an https URL (plain http only for a host in allowHosts)",
      });
    }
  });
export type ScimConnectionConfig = z.output<typeof scimConfig>;

const userName = z.string().trim().min(1, "Give the person's user name in the app").max(320);
const label = z.string().trim().min(1).max(200);

export const grantInput = z.object({
  /** The account's userName in the app; usually the person's work email. */
  userName,
  /** Defaults to the userName when that is an email address. */
  email: z.email().max(254).optional(),
  givenName: label.optional(),
  familyName: label.optional(),
  /** The app's group (displayName) that carries the role, if the role has one. */
  group: label.optional(),
  /** The app's name for previews and the audit log ("Figma"); the connection's host when absent. */
  app: label.optional(),
});
export type GrantInput = z.output<typeof grantInput>;

export const grantOutput = z.object({
  scimUserId: z.string(),
  created: z.boolean(),
  reactivated: z.boolean(),
  groupId: z.string().nullable(),
});
export type GrantOutput = z.output<typeof grantOutput>;

export const revokeInput = z.object({
  userName,
  /** Removes the account from this group only. */
  group: label.optional(),
  /** Deactivates the account; the default when no group is given. */
  deactivate: z.boolean().optional(),
  app: label.optional(),
});
export type RevokeInput = z.output<typeof revokeInput>;

export const revokeOutput = z.object({
  scimUserId: z.string().nullable(),
  deactivated: z.boolean(),
  removedFromGroup: z.boolean(),
  /** What a grant needs to restore the account as it was. */
  givenName: z.string().nullable(),
  familyName: z.string().nullable(),
});
export type RevokeOutput = z.output<typeof revokeOutput>;

export const readInput = z.object({
  /** An RFC 7644 §3.4.2.2 filter, e.g. `userName eq "bob@acme.com"`. */
  filter: z.string().trim().min(1).max(1000).optional(),
  startIndex: z.number().int().min(1).optional(),
  count: z.number().int().min(0).max(200).optional(),
  app: label.optional(),
});
export type ReadInput = z.output<typeof readInput>;

export const accountSchema = z.object({
  id: z.string(),
  userName: z.string(),
  active: z.boolean(),
  displayName: z.string().nullable(),
  emails: z.array(z.string()),
  groups: z.array(z.string()),
});

export const readOutput = z.object({
  totalResults: z.number().int(),
  startIndex: z.number().int(),
  itemsPerPage: z.number().int(),
  accounts: z.array(accountSchema),
});
export type ReadOutput = z.output<typeof readOutput>;

const appOf = (input: { app?: string | undefined }) => input.app ?? "the app";
const accountKey = (name: string) => ({ key: `scim-user:${name.toLowerCase()}` });
const inGroup = (group: string | undefined) => (group === undefined ? "" : ` (group ${group})`);

export const scimManifest = defineManifest({
  id: "scim",
  version: "1.0.0",
  name: "SCIM 2.0 app",
  category: "it",
  description:
    "Creates, reactivates and deactivates accounts, and manages group membership, in any app with a SCIM 2.0 API",
  auth: { type: "bearer", credentials: scimCredentials, config: scimConfig },
  rateLimits: { concurrency: 20, tenantRequestsPerMinute: 300 },
  actions: {
    "it.access.grant": defineAction<GrantInput, GrantOutput>({
      action: "it.access.grant",
      title: "Grant app access",
      effect: "write",
      input: grantInput,
      output: grantOutput,
      reversible: {
        by: "it.access.revoke",
        input: (input, output): RevokeInput => ({
          userName: input.userName,
          ...(input.group === undefined ? {} : { group: input.group }),
          // Undo exactly what the grant did: an account it created or reactivated goes back to inactive.
          deactivate: output.created || output.reactivated,
          ...(input.app === undefined ? {} : { app: input.app }),
        }),
      },
      resources: (input) => [accountKey(input.userName)],
      scopes: ["users:write", "groups:write"],
      timeoutMs: 30_000,
      describe: (input) => `Create account for ${input.userName} in ${appOf(input)}${inGroup(input.group)}`,
    }),
    "it.access.revoke": defineAction<RevokeInput, RevokeOutput>({
      action: "it.access.revoke",
      title: "Revoke app access",
      effect: "destructive",
      input: revokeInput,
      output: revokeOutput,
      reversible: {
        by: "it.access.grant",
        input: (input, output): GrantInput => ({
          userName: input.userName,
          ...(output.givenName === null ? {} : { givenName: output.givenName }),
          ...(output.familyName === null ? {} : { familyName: output.familyName }),
          ...(input.group === undefined ? {} : { group: input.group }),
          ...(input.app === undefined ? {} : { app: input.app }),
        }),
      },
      resources: (input) => [accountKey(input.userName)],
      scopes: ["users:write", "groups:write"],
      timeoutMs: 30_000,
      describe: (input) =>
        input.group !== undefined && input.deactivate !== true
          ? `Remove ${input.userName} from group ${input.group} in ${appOf(input)}`
          : `Deactivate the account of ${input.userName} in ${appOf(input)}${inGroup(input.group)}`,
    }),
    "it.account.read": defineAction<ReadInput, ReadOutput>({
      action: "it.account.read",
      title: "Look up accounts",
      effect: "read",
      input: readInput,
      output: readOutput,
      reversible: false,
      scopes: ["users:read"],
      timeoutMs: 30_000,
      describe: (input) =>
        input.filter === undefined
          ? `List accounts in ${appOf(input)}`
          : `Find accounts in ${appOf(input)} where ${input.filter}`,
    }),
  },
});
