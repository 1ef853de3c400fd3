import { describe, expect, it } from "vitest";
import { AppError } from "@/server/errors";
import { checkDestination, guardedFetch, type Resolver } from "./fetch";

/** A resolver that answers from a table; every refusal here happens before any socket is opened. */
const resolverOf =
  (table: Record<string, string[]>): Resolver =>
  (hostname) =>
    Promise.resolve(
      (table[hostname] ?? []).map((address) => ({ address, family: address.includes(":") ? 6 : 4 })),
    );

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe("guardedFetch refuses internal destinations before connecting", () => {
  it.each([
    ["http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local / cloud metadata address"],
    ["http://127.0.0.1/", "127.0.0.1 is a loopback address"],
    ["http://[::1]:8080/", "::1 is a loopback address"],
    ["http://0x7f000001/", "127.0.0.1 is a loopback address"],
    ["http://2130706433/", "127.0.0.1 is a loopback address"],
    ["http://0177.0.0.1/", "127.0.0.1 is a loopback address"],
    ["http://127.1/", "127.0.0.1 is a loopback address"],
    [
      "http://[::ffff:127.0.0.1]/",
      "::ffff:7f00:1 is an IPv4-mapped address carrying 127.0.0.1, a loopback address",
    ],
    ["http://[fd00:ec2::254]/", "fd00:ec2::254 is a cloud metadata address"],
    ["http://100.100.100.200/", "100.100.100.200 is a cloud metadata address"],
    ["https://10.0.0.1/", "10.0.0.1 is a private-network address"],
    ["http://[64:ff9b::a9fe:a9fe]/", "a NAT64 address carrying 169.254.169.254"],
  ])("%s", async (url, reason) => {
    const error = await refusal(guardedFetch(url, {}, { lookup: resolverOf({}) }));
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toContain(reason);
  });

  it("refuses a public-looking name that resolves to a private address", async () => {
    const error = await refusal(
      guardedFetch(
        "https://api.partner.example/v1",
        {},
        { lookup: resolverOf({ "api.partner.example": ["10.20.30.40"] }) },
      ),
    );
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toContain("api.partner.example resolves to 10.20.30.40, a private-network address");
  });

  it("refuses a name when any one of its addresses is internal", async () => {
    const lookup = resolverOf({ "mixed.example": ["93.184.215.14", "2606:4700::1111", "169.254.169.254"] });
    const error = await refusal(guardedFetch("http://mixed.example/", {}, { lookup }));
    expect(error.message).toContain(
      "mixed.example resolves to 169.254.169.254, a link-local / cloud metadata address",
    );
  });

  it("refuses localhost and names that resolve to IPv4-mapped loopback", async () => {
    const lookup = resolverOf({ localhost: ["127.0.0.1", "::1"], "sneaky.example": ["::ffff:7f00:1"] });
    expect((await refusal(guardedFetch("http://localhost:3000/", {}, { lookup }))).message).toContain(
      "localhost resolves to 127.0.0.1, a loopback address",
    );
    expect((await refusal(guardedFetch("http://sneaky.example/", {}, { lookup }))).message).toContain(
      "carrying 127.0.0.1, a loopback address",
    );
  });

  it.each(["file:///etc/passwd", "gopher://127.0.0.1:25/", "ftp://example.com/", "javascript:alert(1)"])(
    "refuses the non-http(s) URL %s",
    async (url) => {
      const error = await refusal(guardedFetch(url, {}, { lookup: resolverOf({}) }));
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.message).toMatch(/^Only http and https URLs can be fetched/);
    },
  );

  it("refuses what is not a URL", async () => {
    expect((await refusal(guardedFetch("not a url"))).message).toBe("Not a valid URL");
  });

  it("says when a name does not resolve", async () => {
    const error = await refusal(guardedFetch("http://nowhere.example/", {}, { lookup: resolverOf({}) }));
    expect(error.code).toBe("UNAVAILABLE");
    expect(error.message).toBe("Could not resolve nowhere.example (no addresses)");
  });
});

describe("checkDestination", () => {
  it("returns the address to pin, and lets an allowlisted host through", async () => {
    const lookup = resolverOf({ "crm.internal": ["10.0.0.5"], "api.example": ["93.184.215.14"] });
    await expect(checkDestination(new URL("http://api.example/"), { lookup })).resolves.toEqual({
      address: "93.184.215.14",
      family: 4,
    });
    await expect(checkDestination(new URL("http://crm.internal/"), { lookup })).rejects.toThrow(
      /private-network/,
    );
    await expect(
      checkDestination(new URL("http://crm.internal:8443/"), { lookup, allowHosts: ["crm.internal:8443"] }),
    ).resolves.toEqual({ address: "10.0.0.5", family: 4 });
    await expect(
      checkDestination(new URL("http://crm.internal:9000/"), { lookup, allowHosts: ["crm.internal:8443"] }),
    ).rejects.toThrow(/private-network/);
  });
});
