/**
 * The HTTP connector's driver against a real API and token endpoint on 127.0.0.1: API keys, OAuth 2.0
 * client credentials (RFC 6749 §4.4), the path and header rules, dry runs and idempotency keys.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "@/server/errors";
import type { DriverContext } from "../sdk";
import { createHttpDriver } from "./driver";
import { httpManifest } from "./manifest";
import { TokenCache } from "./oauth2";
import { connectorContext, json, startTestServer, type Hit, type TestServer } from "./test-server";

const API_KEY = "ak_live_7d0c1b2e4f5a6b7c";
const CLIENT_ID = "tenet:client";
const CLIENT_SECRET = "cs_9f8e7d6c5b4a3f2e";

let api: TestServer;
/** Tokens the API accepts; a test revokes one by deleting it. */
const validTokens = new Set<string>();
let issued = 0;
let tokenLifetime: number | undefined = 3600;
let apiAlways401 = false;

const apiHits = () => api.hits.filter((h) => h.path.startsWith("/v2"));
const tokenHits = () => api.hits.filter((h) => h.path === "/oauth/token");

function authorized(hit: Hit): boolean {
  const auth = hit.headers.authorization ?? "";
  if (apiAlways401) return false;
  if (auth === `Bearer ${API_KEY}` || hit.headers["x-api-key"] === API_KEY) return true;
  return auth.startsWith("Bearer ") && validTokens.has(auth.slice(7));
}

beforeAll(async () => {
  api = await startTestServer((hit, response) => {
    if (hit.path === "/oauth/token") {
      const expected = `Basic ${Buffer.from(`${encodeURIComponent(CLIENT_ID)}:${CLIENT_SECRET}`).toString("base64")}`;
      if (hit.headers.authorization !== expected)
        return json(response, 401, {
          error: "invalid_client",
          error_description: "Client authentication failed",
        });
      const form = new URLSearchParams(hit.body);
      if (form.get("grant_type") !== "client_credentials")
        return json(response, 400, { error: "unsupported_grant_type" });
      const token = `tok-${++issued}`;
      validTokens.add(token);
      return json(response, 200, { access_token: token, token_type: "Bearer", expires_in: tokenLifetime });
    }
    if (!authorized(hit)) return json(response, 401, { error: "unauthorized" });
    if (hit.path === "/v2/reflect") return json(response, 200, { headers: hit.headers });
    if (hit.path === "/v2/big")
      return void response.writeHead(200, { "content-type": "text/plain" }).end("y".repeat(70_000));
    if (hit.path === "/v2/missing") return json(response, 404, { error: "no such thing" });
    if (hit.path === "/v2/broken") return json(response, 503, { error: "down" });
    const query = Object.fromEntries(new URL(hit.url, "http://x").searchParams);
    return json(
      response,
      hit.method === "POST" ? 201 : 200,
      {
        method: hit.method,
        path: hit.path,
        query,
        body: hit.body === "" ? null : (JSON.parse(hit.body) as unknown),
      },
      { "set-cookie": "session=abc", "x-request-id": "req-1" },
    );
  });
});

afterAll(async () => {
  await api.close();
});

beforeEach(() => {
  api.hits.length = 0;
  apiAlways401 = false;
  tokenLifetime = 3600;
});

function apiKeyContext(config: Record<string, string | string[]> = {}, apiKey = API_KEY): DriverContext {
  return connectorContext({
    id: randomUUID(),
    config: {
      baseUrl: `${api.origin}/v2`,
      allowHosts: [`127.0.0.1:${api.port}`],
      auth: "api_key",
      ...config,
    },
    credentials: { apiKey },
  });
}

function oauthContext(connectionId = randomUUID(), clientSecret = CLIENT_SECRET): DriverContext {
  return connectorContext({
    id: connectionId,
    config: {
      baseUrl: `${api.origin}/v2`,
      allowHosts: [`127.0.0.1:${api.port}`],
      auth: "oauth2_client_credentials",
      tokenUrl: `${api.origin}/oauth/token`,
      scope: "employees:read employees:write",
    },
    credentials: { clientId: CLIENT_ID, clientSecret },
  });
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

const driver = createHttpDriver();
const get = driver.actions["http.get"];
const send = driver.actions["http.send"];
const outputSchema = httpManifest.actions["http.get"].output;

describe("http connector with an API key", () => {
  it("sends the key as a Bearer token and returns status, a few headers and the JSON body", async () => {
    const output = await get.run(
      { path: "/users", query: { active: true, tag: ["a", "b"] } },
      apiKeyContext(),
    );
    expect(outputSchema.parse(output)).toEqual(output);
    expect(output).toMatchObject({
      status: 200,
      bodyFormat: "json",
      truncated: false,
      body: { method: "GET", path: "/v2/users", query: { active: "true", tag: "b" } },
    });
    // Only the allowlisted headers: the server's set-cookie is not passed on.
    expect(output.headers).toEqual({ "content-type": "application/json", "x-request-id": "req-1" });
    expect(apiHits()[0]?.url).toBe("/v2/users?active=true&tag=a&tag=b");
    expect(apiHits()[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it("sends the key in a custom header when the connection names one", async () => {
    const output = await get.run({ path: "users" }, apiKeyContext({ apiKeyHeader: "X-API-Key" }));
    expect(output.status).toBe(200);
    expect(apiHits()[0]?.headers["x-api-key"]).toBe(API_KEY);
    expect(apiHits()[0]?.headers.authorization).toBeUndefined();
  });

  it("fails clearly on a wrong key, without the key in the message", async () => {
    const wrong = "ak_live_wrong_0000000000";
    const error = await failure(get.run({ path: "/users" }, apiKeyContext({}, wrong)));
    expect(error.code).toBe("UNAUTHORIZED");
    expect(error.message).toBe(
      `127.0.0.1:${api.port} refused the connection's credentials (HTTP 401 to GET /v2/users)`,
    );
    expect(error.message).not.toContain(wrong);
  });

  it("redacts the key from a body that reflects the request's headers", async () => {
    const output = await get.run({ path: "/reflect" }, apiKeyContext());
    expect(JSON.stringify(output)).not.toContain(API_KEY);
    expect(output.body).toMatchObject({ headers: { authorization: "Bearer [redacted]" } });
  });

  it("returns the API's 4xx answers, and fails on 5xx", async () => {
    const missing = await get.run({ path: "/missing" }, apiKeyContext());
    expect(missing).toMatchObject({ status: 404, body: { error: "no such thing" } });
    const broken = await failure(get.run({ path: "/broken" }, apiKeyContext()));
    expect(broken.code).toBe("UNAVAILABLE");
    expect(broken.message).toContain("HTTP 503");
  });

  it("cuts a long body and says so", async () => {
    const output = await get.run({ path: "/big" }, apiKeyContext());
    expect(output).toMatchObject({ bodyFormat: "text", truncated: true });
    expect(output.body).toHaveLength(64 * 1024);
  });

  it.each([
    ["a parent segment", "../admin"],
    ["an encoded parent segment", "%2e%2E/admin"],
    ["a nested parent segment", "/users/../../admin"],
    ["an encoded slash", "..%2fadmin"],
    ["a backslash", "\\\\evil.example/x"],
    ["an absolute URL elsewhere", "https://evil.example/v2/users"],
    ["an absolute URL on the same host outside the base path", "ABSOLUTE_OUTSIDE"],
    ["a scheme-relative URL", "//evil.example/v2/users"],
  ])("refuses a path outside the base URL (%s) and sends nothing", async (_what, path) => {
    const resolved = path === "ABSOLUTE_OUTSIDE" ? `${api.origin}/admin` : path;
    const error = await failure(get.run({ path: resolved }, apiKeyContext()));
    expect(["BAD_REQUEST", "FORBIDDEN"]).toContain(error.code);
    expect(error.message).toMatch(/^path: /);
    expect(api.hits).toHaveLength(0);
  });

  it("accepts an absolute URL inside the base URL", async () => {
    const output = await get.run({ path: `${api.origin}/v2/users/7` }, apiKeyContext());
    expect(output.body).toMatchObject({ path: "/v2/users/7" });
  });

  it.each(["Authorization", "cookie", "Host", "Proxy-Authorization", "Transfer-Encoding"])(
    "refuses the %s header from the caller and sends nothing",
    async (name) => {
      const error = await failure(get.run({ path: "/users", headers: { [name]: "x" } }, apiKeyContext()));
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.message).toContain(`${name} cannot be set by the caller`);
      expect(api.hits).toHaveLength(0);
    },
  );

  it("refuses the connection's own key header from the caller", async () => {
    const ctx = apiKeyContext({ apiKeyHeader: "X-API-Key" });
    const error = await failure(get.run({ path: "/users", headers: { "x-api-key": "mine" } }, ctx));
    expect(error.message).toContain("x-api-key cannot be set by the caller");
    expect(api.hits).toHaveLength(0);
  });

  it("passes the syscall's idempotency key and the JSON body on http.send", async () => {
    const ctx = { ...apiKeyContext(), idempotencyKey: "syscall-42" };
    const output = await send.run({ method: "POST", path: "/orders", body: { sku: "A-1", qty: 2 } }, ctx);
    expect(output).toMatchObject({ status: 201, body: { method: "POST", body: { sku: "A-1", qty: 2 } } });
    const hit = apiHits()[0];
    expect(hit?.headers["idempotency-key"]).toBe("syscall-42");
    expect(hit?.headers["content-type"]).toBe("application/json");

    await send.run({ method: "DELETE", path: "/orders/1" }, apiKeyContext());
    expect(apiHits()[1]?.headers["idempotency-key"]).toBeUndefined();
  });

  it("dry-runs a send: method, URL and body size, and nothing reaches the server", async () => {
    const dryRun = send.dryRun;
    if (!dryRun) throw new Error("http.send has a dry run");
    const body = { sku: "A-1", qty: 2 };
    const preview = await dryRun({ method: "PUT", path: "/orders/9", body }, apiKeyContext());
    expect(preview.changes).toEqual([
      {
        op: "update",
        object: `PUT ${api.origin}/v2/orders/9`,
        fields: {
          method: { to: "PUT" },
          url: { to: `${api.origin}/v2/orders/9` },
          bodyBytes: { to: JSON.stringify(body).length },
        },
      },
    ]);
    expect(preview.warnings[0]).toContain("Not reversible");
    // An OAuth connection's dry run does not even ask for a token.
    await dryRun({ method: "POST", path: "/orders", body }, oauthContext());
    expect(api.hits).toHaveLength(0);
  });

  it("refuses a bad path in a dry run too", async () => {
    const dryRun = send.dryRun;
    if (!dryRun) throw new Error("http.send has a dry run");
    const error = await failure(dryRun({ method: "POST", path: "../admin" }, apiKeyContext()));
    expect(error.code).toBe("BAD_REQUEST");
  });

  it("tests the connection with an authenticated GET of the base URL or the test path", async () => {
    const test = driver.test;
    if (!test) throw new Error("the http driver has a connection test");
    await expect(test(apiKeyContext())).resolves.toBe(`HTTP 200 from 127.0.0.1:${api.port}`);
    expect(apiHits()[0]).toMatchObject({ method: "GET", path: "/v2/" });
    await expect(test(apiKeyContext({ testPath: "/me" }))).resolves.toBe(
      `HTTP 200 from 127.0.0.1:${api.port}`,
    );
    expect(apiHits()[1]?.path).toBe("/v2/me");
    const missing = await failure(test(apiKeyContext({ testPath: "/missing" })));
    expect(missing.message).toContain("HTTP 404 from");
    const wrong = await failure(test(apiKeyContext({}, "ak_wrong_key_123")));
    expect(wrong.code).toBe("UNAUTHORIZED");
  });

  it("refuses a connection whose settings or credentials do not fit, naming the field but not the value", async () => {
    const noTokenUrl = await failure(
      get.run({ path: "/x" }, apiKeyContext({ auth: "oauth2_client_credentials" })),
    );
    expect(noTokenUrl.message).toContain("tokenUrl: OAuth 2.0 needs the token endpoint's URL");
    const plain = await failure(get.run({ path: "/x" }, apiKeyContext({ allowHosts: [] })));
    expect(plain.message).toContain("baseUrl: Use https");
    const mixed = connectorContext({
      id: randomUUID(),
      config: { baseUrl: `${api.origin}/v2`, allowHosts: [`127.0.0.1:${api.port}`], auth: "api_key" },
      credentials: { apiKey: API_KEY, clientSecret: CLIENT_SECRET },
    });
    const both = await failure(get.run({ path: "/x" }, mixed));
    expect(both.message).toContain("credentials are missing or malformed (check clientSecret)");
    expect(both.message).not.toContain(CLIENT_SECRET);
    expect(both.message).not.toContain(API_KEY);
    expect(api.hits).toHaveLength(0);
  });
});

describe("http connector with OAuth 2.0 client credentials", () => {
  it("asks the token endpoint with Basic client auth, the grant type and the scope, then caches the token", async () => {
    const ctx = oauthContext();
    await get.run({ path: "/users" }, ctx);
    await get.run({ path: "/users" }, ctx);

    expect(tokenHits()).toHaveLength(1);
    const tokenRequest = tokenHits()[0];
    const basic = Buffer.from(
      (tokenRequest?.headers.authorization ?? "").replace(/^Basic /, ""),
      "base64",
    ).toString();
    // RFC 6749 §2.3.1: the id is form-urlencoded before Basic encoding (":" becomes %3A).
    expect(basic).toBe(`tenet%3Aclient:${CLIENT_SECRET}`);
    expect(tokenRequest?.method).toBe("POST");
    expect(tokenRequest?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(tokenRequest?.body))).toEqual({
      grant_type: "client_credentials",
      scope: "employees:read employees:write",
    });
    // The secret is never in the body (client_secret_post is not used).
    expect(tokenRequest?.body).not.toContain(CLIENT_SECRET);
    const token = `tok-${issued}`;
    expect(apiHits().map((h) => h.headers.authorization)).toEqual([`Bearer ${token}`, `Bearer ${token}`]);
  });

  it("refreshes the token once after a 401 and retries the request once", async () => {
    const ctx = oauthContext();
    await get.run({ path: "/users" }, ctx);
    const first = `tok-${issued}`;
    validTokens.delete(first); // revoked at the provider

    const output = await get.run({ path: "/users" }, ctx);
    expect(output.status).toBe(200);
    const second = `tok-${issued}`;
    expect(second).not.toBe(first);
    expect(tokenHits()).toHaveLength(2);
    expect(apiHits().map((h) => h.headers.authorization)).toEqual([
      `Bearer ${first}`,
      `Bearer ${first}`,
      `Bearer ${second}`,
    ]);
  });

  it("gives up after one refresh when the API keeps answering 401", async () => {
    apiAlways401 = true;
    const error = await failure(get.run({ path: "/users" }, oauthContext()));
    expect(error.code).toBe("UNAUTHORIZED");
    expect(tokenHits()).toHaveLength(2);
    expect(apiHits()).toHaveLength(2);
    expect(error.message).not.toMatch(/tok-\d+/);
  });

  it("asks for a new token shortly before the cached one expires", async () => {
    let now = 1_000_000;
    const clockDriver = createHttpDriver({ tokens: new TokenCache(() => now) });
    tokenLifetime = 300;
    const ctx = oauthContext();
    await clockDriver.actions["http.get"].run({ path: "/a" }, ctx);
    now += 239_000; // 61 s before expiry: still cached
    await clockDriver.actions["http.get"].run({ path: "/a" }, ctx);
    expect(tokenHits()).toHaveLength(1);
    now += 2_000; // within the last minute: replaced
    await clockDriver.actions["http.get"].run({ path: "/a" }, ctx);
    expect(tokenHits()).toHaveLength(2);
  });

  it("keeps tokens per connection", async () => {
    await get.run({ path: "/a" }, oauthContext());
    await get.run({ path: "/a" }, oauthContext());
    expect(tokenHits()).toHaveLength(2);
  });

  it("fails clearly when the token endpoint refuses the client, without the secret", async () => {
    const wrong = "cs_wrong_secret_1234";
    const error = await failure(get.run({ path: "/users" }, oauthContext(randomUUID(), wrong)));
    expect(error.code).toBe("UNAUTHORIZED");
    expect(error.message).toBe(
      `The token endpoint at 127.0.0.1:${api.port} refused to issue a token: invalid_client (Client authentication failed)`,
    );
    expect(error.message).not.toContain(wrong);
    expect(apiHits()).toHaveLength(0);
  });

  it("refuses API-key credentials on an OAuth connection", async () => {
    const ctx = connectorContext({
      id: randomUUID(),
      config: {
        baseUrl: `${api.origin}/v2`,
        allowHosts: [`127.0.0.1:${api.port}`],
        auth: "oauth2_client_credentials",
        tokenUrl: `${api.origin}/oauth/token`,
      },
      credentials: { apiKey: API_KEY },
    });
    const error = await failure(get.run({ path: "/users" }, ctx));
    expect(error.message).toBe(
      "This HTTP connection signs in with OAuth 2.0, but its credentials are an API key",
    );
    expect(api.hits).toHaveLength(0);
  });
});
