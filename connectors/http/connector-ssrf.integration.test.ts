/**
 * The SSRF guard as a tenant meets it through the HTTP connector: a connection pointed at an internal
 * address is refused before anything is sent, in every spelling, after DNS, and after a redirect; it
 * works only for a host the connection's allowlist names.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "@/server/errors";
import type { ConnectionConfig } from "../sdk";
import { createHttpDriver } from "./driver";
import type { Resolver } from "./fetch";
import { connectorContext, json, startTestServer, type TestServer } from "./test-server";

const API_KEY = "ak_ssrf_test_5e6f7a8b";

let internal: TestServer; // what an attacker wants to reach
let internal6: TestServer; // the same, on IPv6 loopback
let partner: TestServer; // an allowlisted API that redirects

/** DNS for the tests: public-looking names that point inside. */
const lookup: Resolver = (hostname) => {
  const table: Record<string, string> = {
    "intranet.partner.example": "10.0.0.5",
    "api.partner.example": "127.0.0.1",
  };
  const address = table[hostname];
  return Promise.resolve(address === undefined ? [] : [{ address, family: 4 }]);
};
const driver = createHttpDriver({ lookup });
const get = driver.actions["http.get"];

beforeAll(async () => {
  internal = await startTestServer((_hit, response) => json(response, 200, { secret: "internal" }));
  internal6 = await startTestServer((_hit, response) => json(response, 200, { secret: "internal6" }), "::1");
  partner = await startTestServer((hit, response) => {
    const to = (location: string) => void response.writeHead(302, { location }).end();
    if (hit.path === "/to-internal") return to(`${internal.origin}/`);
    if (hit.path === "/to-metadata") return to("http://169.254.169.254/latest/meta-data/iam/");
    if (hit.path === "/to-name") return to(`http://api.partner.example:${internal.port}/`);
    return json(response, 200, { ok: true });
  });
});

afterAll(async () => {
  await Promise.all([internal.close(), internal6.close(), partner.close()]);
});

beforeEach(() => {
  internal.hits.length = 0;
  internal6.hits.length = 0;
  partner.hits.length = 0;
});

const ctxFor = (config: ConnectionConfig) =>
  connectorContext({
    id: randomUUID(),
    config: { auth: "api_key", allowHosts: [], ...config },
    credentials: { apiKey: API_KEY },
  });

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  expect(error.message).not.toContain(API_KEY);
  return error;
}

const nothingReachedInternal = () => {
  expect(internal.hits).toHaveLength(0);
  expect(internal6.hits).toHaveLength(0);
};

describe("the HTTP connector refuses internal destinations", () => {
  it("refuses the cloud metadata address 169.254.169.254", async () => {
    const error = await refusal(
      get.run({ path: "/latest/meta-data/" }, ctxFor({ baseUrl: "https://169.254.169.254" })),
    );
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toContain("169.254.169.254 is a link-local / cloud metadata address");
  });

  it("refuses 127.0.0.1", async () => {
    const error = await refusal(
      get.run({ path: "/" }, ctxFor({ baseUrl: `https://127.0.0.1:${internal.port}` })),
    );
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toContain("127.0.0.1 is a loopback address");
    nothingReachedInternal();
  });

  it("refuses [::1]", async () => {
    const error = await refusal(
      get.run({ path: "/" }, ctxFor({ baseUrl: `https://[::1]:${internal6.port}` })),
    );
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toContain("::1 is a loopback address");
    nothingReachedInternal();
  });

  it("refuses 0x7f000001 (hexadecimal 127.0.0.1)", async () => {
    const error = await refusal(
      get.run({ path: "/" }, ctxFor({ baseUrl: `https://0x7f000001:${internal.port}` })),
    );
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toContain("127.0.0.1 is a loopback address");
    nothingReachedInternal();
  });

  it("refuses 2130706433 (decimal 127.0.0.1)", async () => {
    const error = await refusal(
      get.run({ path: "/" }, ctxFor({ baseUrl: `https://2130706433:${internal.port}` })),
    );
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toContain("127.0.0.1 is a loopback address");
    nothingReachedInternal();
  });

  it("refuses a public name that resolves to a private address", async () => {
    const error = await refusal(
      get.run({ path: "/" }, ctxFor({ baseUrl: "https://intranet.partner.example" })),
    );
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toContain(
      "intranet.partner.example resolves to 10.0.0.5, a private-network address",
    );
  });

  it.each([
    ["/to-internal", "127.0.0.1 is a loopback address"],
    ["/to-metadata", "169.254.169.254 is a link-local / cloud metadata address"],
    ["/to-name", "api.partner.example resolves to 127.0.0.1, a loopback address"],
  ])("refuses a redirect from an allowlisted API to an internal host (%s)", async (path, reason) => {
    const ctx = ctxFor({ baseUrl: partner.origin, allowHosts: [`127.0.0.1:${partner.port}`] });
    const error = await refusal(get.run({ path }, ctx));
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toContain(reason);
    expect(partner.hits).toHaveLength(1);
    nothingReachedInternal();
  });

  it("refuses an OAuth token endpoint on an internal host, before the API is called", async () => {
    const ctx = connectorContext({
      id: randomUUID(),
      config: {
        baseUrl: partner.origin,
        allowHosts: [`127.0.0.1:${partner.port}`],
        auth: "oauth2_client_credentials",
        tokenUrl: "https://169.254.169.254/oauth/token",
      },
      credentials: { clientId: "client", clientSecret: "cs_ssrf_secret_42" },
    });
    const error = await refusal(get.run({ path: "/" }, ctx));
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toContain("169.254.169.254");
    expect(error.message).not.toContain("cs_ssrf_secret_42");
    expect(partner.hits).toHaveLength(0);
  });
});

describe("the HTTP connector reaches an internal host the connection allowlists", () => {
  it("reaches 127.0.0.1 on the allowlisted port only", async () => {
    const output = await get.run(
      { path: "/" },
      ctxFor({ baseUrl: internal.origin, allowHosts: [`127.0.0.1:${internal.port}`] }),
    );
    expect(output.body).toEqual({ secret: "internal" });
    // Another port on the same address is another service.
    const baseUrl = `https://127.0.0.1:${internal.port}`;
    const other = await refusal(
      get.run({ path: "/" }, ctxFor({ baseUrl, allowHosts: [`127.0.0.1:${partner.port}`] })),
    );
    expect(other.code).toBe("FORBIDDEN");
    expect(internal.hits).toHaveLength(1);
  });

  it("reaches [::1] when allowlisted", async () => {
    const ctx = ctxFor({ baseUrl: internal6.origin, allowHosts: [`[::1]:${internal6.port}`] });
    const output = await get.run({ path: "/" }, ctx);
    expect(output.body).toEqual({ secret: "internal6" });
  });

  it("reaches 0x7f000001 and 2130706433 when 127.0.0.1 is allowlisted", async () => {
    for (const host of ["0x7f000001", "2130706433"]) {
      const ctx = ctxFor({
        baseUrl: `http://${host}:${internal.port}`,
        allowHosts: [`127.0.0.1:${internal.port}`],
      });
      const output = await get.run({ path: "/" }, ctx);
      expect(output.status).toBe(200);
    }
    expect(internal.hits).toHaveLength(2);
  });

  it("reaches a name that resolves inside when the name is allowlisted", async () => {
    const baseUrl = `http://api.partner.example:${internal.port}`;
    const output = await get.run({ path: "/" }, ctxFor({ baseUrl, allowHosts: ["api.partner.example"] }));
    expect(output.body).toEqual({ secret: "internal" });
    expect(internal.hits[0]?.headers.host).toBe(`api.partner.example:${internal.port}`);
  });

  it("follows a redirect to an internal host only when that host is allowlisted too", async () => {
    const ctx = ctxFor({
      baseUrl: partner.origin,
      allowHosts: [`127.0.0.1:${partner.port}`, `127.0.0.1:${internal.port}`],
    });
    const output = await get.run({ path: "/to-internal" }, ctx);
    expect(output.body).toEqual({ secret: "internal" });
    // The redirect left the API's origin, so the key was not sent along.
    expect(internal.hits[0]?.headers.authorization).toBeUndefined();
  });
});
