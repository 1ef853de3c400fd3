import { z } from "zod";
import { defineAction, defineManifest } from "../sdk";
import { allowHostsSetting, httpUrl, plainHttpProblem } from "./connection";
import { FORBIDDEN_HEADERS, requestHeaders, requestPath, requestQuery, responseOutput } from "./request";

/**
 * The generic HTTP connector: reads from and sends to one REST API, the connection's base URL, with
 * an API key or OAuth 2.0 client credentials. Every request (the token endpoint's too) goes through
 * the SSRF guard with the connection's allowlist.
 *
 * The SDK's AuthSpec names one `type` per connector; this one's is `api_key`, and the connection's
 * `auth` setting says which of the two credential shapes it holds.
 */

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export const httpConfig = z
  .object({
    baseUrl: httpUrl.describe(
      "The API's base URL; every call's path is under it, e.g. https://api.example.com/v2",
    ),
    allowHosts: allowHostsSetting.describe(
      "Internal hosts this connection may reach on purpose (host or host:port); public hosts need no entry",
    ),
    auth: z.enum(["api_key", "oauth2_client_credentials"]).describe("How the connection signs in"),
    apiKeyHeader: z
      .string()
      .regex(HEADER_NAME, "Not a valid header name")
      .default("Authorization")
      .describe(
        'The header that carries the API key: Authorization (sent as "Bearer <key>") or e.g. X-API-Key',
      ),
    tokenUrl: httpUrl.optional().describe("OAuth 2.0 token endpoint (client credentials)"),
    scope: z.string().max(1000).optional().describe("OAuth 2.0 scope to ask for, space-separated"),
    testPath: requestPath
      .optional()
      .describe("A path that answers 200 to an authenticated GET, for Test connection"),
  })
  .superRefine((config, issues) => {
    if (config.auth === "oauth2_client_credentials" && config.tokenUrl === undefined)
      issues.addIssue({
        code: "custom",
        path: ["tokenUrl"],
        message: "OAuth 2.0 needs the token endpoint's URL",
      });
    const lower = config.apiKeyHeader.toLowerCase();
    if (lower !== "authorization" && FORBIDDEN_HEADERS.includes(lower))
      issues.addIssue({
        code: "custom",
        path: ["apiKeyHeader"],
        message: `${config.apiKeyHeader} cannot carry an API key`,
      });
    for (const field of ["baseUrl", "tokenUrl"] as const) {
      const value = config[field];
      const problem = value === undefined ? null : plainHttpProblem(value, config.allowHosts);
      if (problem !== null) issues.addIssue({ code: "custom", path: [field], message: problem });
    }
  });
export type HttpConfig = z.output<typeof httpConfig>;

/**
 * Either an API key, or a client id and secret. One object with optional fields rather than a
 * z.union: the Connectors page builds its form from the schema's top-level properties
 * (server/connections/catalog-view.ts), and a union has none. The check and the transform make the
 * result the union all the same. Empty strings count as absent (a form sends them for blank boxes).
 */
const secret = (label: string) => z.string().optional().describe(label);
export const httpCredentials = z
  .strictObject({
    apiKey: secret("API key (for API-key sign-in)"),
    clientId: secret("OAuth 2.0 client id (for client-credentials sign-in)"),
    clientSecret: secret("OAuth 2.0 client secret (for client-credentials sign-in)"),
  })
  .superRefine((c, issues) => {
    const given = (v: string | undefined) => v !== undefined && v !== "";
    if (given(c.apiKey)) {
      for (const field of ["clientId", "clientSecret"] as const)
        if (given(c[field]))
          issues.addIssue({
            code: "custom",
            path: [field],
            message: "Give an API key or client credentials, not both",
          });
      return;
    }
    for (const field of ["clientId", "clientSecret"] as const)
      if (!given(c[field]))
        issues.addIssue({
          code: "custom",
          path: [field],
          message: "Give an API key, or a client id and client secret",
        });
  })
  .transform((c): { apiKey: string } | { clientId: string; clientSecret: string } =>
    c.apiKey ? { apiKey: c.apiKey } : { clientId: c.clientId ?? "", clientSecret: c.clientSecret ?? "" },
  );
export type HttpCredentials = z.output<typeof httpCredentials>;

const requestFields = {
  path: requestPath.describe("Path under the connection's base URL, e.g. /users/42"),
  query: requestQuery.optional().describe("Query parameters"),
  headers: requestHeaders.optional().describe("Extra request headers (not Authorization, Cookie or Host)"),
};

export const httpGetInput = z.strictObject(requestFields);
export type HttpGetInput = z.output<typeof httpGetInput>;

export const httpSendInput = z.strictObject({
  method: z.enum(["POST", "PUT", "PATCH", "DELETE"]),
  ...requestFields,
  body: z.json().optional().describe("JSON body"),
});
export type HttpSendInput = z.output<typeof httpSendInput>;

export const httpManifest = defineManifest({
  id: "http",
  version: "1.0.0",
  name: "HTTP API",
  category: "integration",
  description:
    "Reads from and sends JSON to one REST API with an API key or OAuth 2.0 client credentials; internal addresses are refused unless allowlisted.",
  auth: { type: "api_key", credentials: httpCredentials, config: httpConfig },
  rateLimits: { concurrency: 20, tenantRequestsPerMinute: 600 },
  actions: {
    "http.get": defineAction({
      action: "http.get",
      title: "Read from an HTTP API",
      effect: "read",
      input: httpGetInput,
      output: responseOutput,
      reversible: false,
      scopes: [],
      timeoutMs: 30_000,
      describe: (input) => `GET ${input.path} from the HTTP API`,
    }),
    "http.send": defineAction({
      action: "http.send",
      title: "Send to an HTTP API",
      effect: "write",
      input: httpSendInput,
      output: responseOutput,
      // What a remote API does with a request is its own; no generic inverse exists.
      reversible: false,
      scopes: [],
      timeoutMs: 30_000,
      describe: (input) => `${input.method} ${input.path} on the HTTP API`,
    }),
  },
});
