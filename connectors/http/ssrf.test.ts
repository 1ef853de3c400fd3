import { describe, expect, it } from "vitest";
import { checkAddress, isHostAllowed, normalizeAllowedHost, parseHost, refusalMessage } from "./ssrf";

const reasonOf = (address: string) => {
  const check = checkAddress(address);
  return check.allowed ? null : check.reason;
};

describe("checkAddress", () => {
  it.each([
    ["169.254.169.254", "a link-local / cloud metadata address"],
    ["100.100.100.200", "a cloud metadata address"],
    ["192.0.0.192", "a cloud metadata address"],
    ["fd00:ec2::254", "a cloud metadata address"],
    ["127.0.0.1", "a loopback address"],
    ["127.255.255.254", "a loopback address"],
    ["::1", "a loopback address"],
    ["10.1.2.3", "a private-network address"],
    ["172.16.0.1", "a private-network address"],
    ["172.31.255.255", "a private-network address"],
    ["192.168.1.1", "a private-network address"],
    ["fc00::1", "a private-network (unique local) address"],
    ["fdff:ffff::1", "a private-network (unique local) address"],
    ["169.254.1.1", "a link-local address"],
    ["fe80::1", "a link-local address"],
    ["fe80::1%eth0", "a link-local address"],
    ["febf::1", "a link-local address"],
    ["100.64.0.1", "a carrier-grade NAT (shared) address"],
    ["100.127.255.255", "a carrier-grade NAT (shared) address"],
    ["0.0.0.0", 'an unspecified ("this network") address'],
    ["0.1.2.3", 'an unspecified ("this network") address'],
    ["::", "an unspecified address"],
    ["255.255.255.255", "the broadcast address"],
    ["224.0.0.1", "a multicast address"],
    ["239.255.255.250", "a multicast address"],
    ["ff02::1", "a multicast address"],
    ["240.0.0.1", "a reserved address"],
    ["192.0.2.1", "a reserved address"],
    ["198.18.0.1", "a reserved address"],
    ["2001:db8::1", "a reserved address"],
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "a reserved address"], // Teredo
    ["::2", "a reserved address (outside IPv6 global unicast, 2000::/3)"],
    ["100::1", "a reserved address"],
    ["4000::1", "a reserved address (outside IPv6 global unicast, 2000::/3)"],
  ])("refuses %s as %s", (address, reason) => {
    expect(reasonOf(address)).toBe(reason);
  });

  it.each([
    ["::ffff:127.0.0.1", "an IPv4-mapped address carrying 127.0.0.1, a loopback address"],
    ["::ffff:7f00:1", "an IPv4-mapped address carrying 127.0.0.1, a loopback address"],
    [
      "::ffff:a9fe:a9fe",
      "an IPv4-mapped address carrying 169.254.169.254, a link-local / cloud metadata address",
    ],
    ["::127.0.0.1", "an IPv4-compatible address carrying 127.0.0.1, a loopback address"],
    ["::7f00:1", "an IPv4-compatible address carrying 127.0.0.1, a loopback address"],
    ["::8.8.8.8", "an IPv4-compatible address (deprecated; never a public destination)"],
    ["::ffff:0:10.0.0.1", "an IPv4-translated address carrying 10.0.0.1, a private-network address"],
    ["64:ff9b::10.0.0.1", "a NAT64 address carrying 10.0.0.1, a private-network address"],
    ["64:ff9b::a9fe:a9fe", "a NAT64 address carrying 169.254.169.254, a link-local / cloud metadata address"],
    ["64:ff9b:1::1", "a reserved address"],
    ["2002:7f00:1::", "a 6to4 address carrying 127.0.0.1, a loopback address"],
    ["2002:c0a8:101::1", "a 6to4 address carrying 192.168.1.1, a private-network address"],
  ])("judges %s by the IPv4 address it carries", (address, reason) => {
    expect(reasonOf(address)).toBe(reason);
  });

  it.each([
    "8.8.8.8",
    "1.1.1.1",
    "93.184.215.14",
    "172.32.0.1",
    "100.128.0.1",
    "2606:4700::1111",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
    "2002:808:808::1",
  ])("allows the public address %s", (address) => {
    expect(checkAddress(address)).toMatchObject({ allowed: true });
  });

  it("refuses what is not an IP address", () => {
    expect(checkAddress("localhost")).toEqual({
      allowed: false,
      address: "localhost",
      reason: "not an IP address",
    });
  });
});

describe("host parsing (WHATWG URL canonical forms)", () => {
  it.each([
    ["http://0x7f000001/", "127.0.0.1"],
    ["http://2130706433/", "127.0.0.1"],
    ["http://0177.0.0.1/", "127.0.0.1"],
    ["http://127.1/", "127.0.0.1"],
    ["http://0x7f.1/", "127.0.0.1"],
    ["http://0x7f.0.0.0x1/", "127.0.0.1"],
    ["http://0251.0xfe.43518/", "169.254.169.254"],
    ["http://[::1]/", "::1"],
    ["http://[::ffff:127.0.0.1]/", "::ffff:7f00:1"],
  ])("%s is the address %s, which is refused", (input, address) => {
    const host = parseHost(new URL(input).hostname);
    expect(host).toMatchObject({ kind: "ip", address });
    expect(checkAddress(address).allowed).toBe(false);
  });

  it("leaves names to DNS", () => {
    expect(parseHost(new URL("http://LOCALHOST./").hostname)).toEqual({ kind: "name", name: "localhost." });
  });
});

describe("the tenant allowlist", () => {
  it("canonicalizes entries like URL hosts", () => {
    expect(normalizeAllowedHost("CRM.Internal")).toBe("crm.internal");
    expect(normalizeAllowedHost("crm.internal:8443")).toBe("crm.internal:8443");
    expect(normalizeAllowedHost("0x7f000001:80")).toBe("127.0.0.1:80");
    expect(normalizeAllowedHost("[::1]:8080")).toBe("[::1]:8080");
  });

  it.each(["", "*.internal", "http://crm.internal", "crm.internal/path", "user@crm.internal", "a b"])(
    "refuses the entry %j",
    (entry) => {
      expect(() => normalizeAllowedHost(entry)).toThrow(/is not a host name/);
    },
  );

  it("matches the exact host, and the port when the entry names one", () => {
    expect(isHostAllowed(new URL("http://crm.internal/x"), ["crm.internal"])).toBe(true);
    expect(isHostAllowed(new URL("http://crm.internal:9000/x"), ["crm.internal"])).toBe(true);
    expect(isHostAllowed(new URL("https://crm.internal/x"), ["crm.internal:443"])).toBe(true);
    expect(isHostAllowed(new URL("http://crm.internal:9000/x"), ["crm.internal:8443"])).toBe(false);
    expect(isHostAllowed(new URL("http://evil.crm.internal/"), ["crm.internal"])).toBe(false);
    expect(isHostAllowed(new URL("http://0x7f000001:8080/"), ["127.0.0.1:8080"])).toBe(true);
    expect(isHostAllowed(new URL("http://[::1]:8080/"), ["[::1]"])).toBe(true);
    expect(isHostAllowed(new URL("http://crm.internal/"), ["*"])).toBe(false);
  });
});

describe("refusalMessage", () => {
  it("names the host and why", () => {
    expect(
      refusalMessage("169.254.169.254", {
        address: "169.254.169.254",
        reason: "a link-local / cloud metadata address",
      }),
    ).toMatch(/^Refused to connect: 169\.254\.169\.254 is a link-local \/ cloud metadata address\./);
    expect(refusalMessage("[::1]", { address: "::1", reason: "a loopback address" })).toMatch(
      /::1 is a loopback address/,
    );
    expect(
      refusalMessage("intranet.example.com", { address: "10.0.0.5", reason: "a private-network address" }),
    ).toMatch(/intranet\.example\.com resolves to 10\.0\.0\.5, a private-network address/);
  });
});
