/**
 * The SSRF guard: which network addresses an outbound connector call may contact.
 *
 * The rule is "public unicast only": an address is refused when it is in any range below, and every
 * IPv6 address outside global unicast (2000::/3) is refused too, so a range missing from the tables
 * fails closed. IPv6 forms that carry an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64, 6to4) are
 * judged by the IPv4 address they carry, because that is where the packets go.
 *
 * Host names are canonicalized with the WHATWG URL parser (what browsers and `fetch` use), which
 * turns every numeric spelling (`0x7f000001`, `2130706433`, `0177.0.0.1`, `127.1`, `0x7f.1`) into a
 * dotted quad and compresses IPv6 (`[::ffff:127.0.0.1]` → `[::ffff:7f00:1]`); the tables are then
 * checked with node:net's BlockList against that one form. Names are checked after DNS resolution,
 * in fetch.ts.
 */
import { BlockList, isIP } from "node:net";
import { AppError } from "@/server/errors";

type Family = "ipv4" | "ipv6";

/** A labelled set of ranges; the label finishes the sentence "<address> is …". */
interface Range {
  readonly reason: string;
  readonly list: BlockList;
}

function range(reason: string, family: Family, cidrs: readonly string[]): Range {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [network, prefix] = cidr.split("/");
    if (network === undefined || prefix === undefined) throw new Error(`Bad CIDR ${cidr}`);
    list.addSubnet(network, Number(prefix), family);
  }
  return { reason, list };
}

/**
 * IPv4 ranges, most specific first (metadata before link-local and CGNAT), so the message names the
 * sharpest reason. Sources: RFC 6890 special-purpose registry, RFC 1122, RFC 1918, RFC 3927, RFC 6598,
 * RFC 5737, RFC 2544, RFC 5771, RFC 1112, and the cloud providers' metadata endpoints.
 */
const ipv4Ranges: readonly Range[] = [
  // AWS, GCP, Azure, DigitalOcean, OpenStack: 169.254.169.254; Oracle Cloud: 192.0.0.192;
  // Alibaba Cloud: 100.100.100.200.
  range("a link-local / cloud metadata address", "ipv4", ["169.254.169.254/32"]),
  range("a cloud metadata address", "ipv4", ["100.100.100.200/32", "192.0.0.192/32"]),
  range("a loopback address", "ipv4", ["127.0.0.0/8"]),
  range("a private-network address", "ipv4", ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]),
  range("a link-local address", "ipv4", ["169.254.0.0/16"]),
  range("a carrier-grade NAT (shared) address", "ipv4", ["100.64.0.0/10"]),
  // 0.0.0.0 reaches the local host on Linux, so "this network" is as dangerous as loopback.
  range('an unspecified ("this network") address', "ipv4", ["0.0.0.0/8"]),
  range("the broadcast address", "ipv4", ["255.255.255.255/32"]),
  range("a multicast address", "ipv4", ["224.0.0.0/4"]),
  range("a reserved address", "ipv4", [
    "192.0.0.0/24", // IETF protocol assignments
    "192.0.2.0/24", // TEST-NET-1 (documentation)
    "192.88.99.0/24", // 6to4 relay anycast (deprecated)
    "198.18.0.0/15", // benchmarking
    "198.51.100.0/24", // TEST-NET-2
    "203.0.113.0/24", // TEST-NET-3
    "240.0.0.0/4", // future use
  ]),
];

/** IPv6 ranges (RFC 6890, RFC 4193, RFC 4291, RFC 3849, RFC 9637), most specific first. */
const ipv6Ranges: readonly Range[] = [
  range("a cloud metadata address", "ipv6", ["fd00:ec2::254/128"]), // AWS's IPv6 metadata endpoint
  range("a loopback address", "ipv6", ["::1/128"]),
  range("an unspecified address", "ipv6", ["::/128"]),
  range("a private-network (unique local) address", "ipv6", ["fc00::/7", "fec0::/10"]),
  range("a link-local address", "ipv6", ["fe80::/10"]),
  range("a multicast address", "ipv6", ["ff00::/8"]),
  range("a reserved address", "ipv6", [
    "64:ff9b:1::/48", // local-use NAT64
    "100::/64", // discard-only
    "2001::/32", // Teredo: the client's IPv4 address is hidden in the last 32 bits, obfuscated
    "2001:2::/48", // benchmarking
    "2001:10::/28", // ORCHID
    "2001:20::/28", // ORCHIDv2
    "2001:db8::/32", // documentation
    "3fff::/20", // documentation
  ]),
];

/** Global unicast: every IPv6 address outside it (and not carrying an IPv4 address) is refused. */
const ipv6GlobalUnicast = range("", "ipv6", ["2000::/3"]).list;

export type AddressCheck =
  | { readonly allowed: true; readonly address: string; readonly family: 4 | 6 }
  | { readonly allowed: false; readonly address: string; readonly reason: string };

/**
 * Whether an IP address (v4 dotted quad or v6, without brackets) may be contacted. `reason` finishes
 * the sentence "<address> is …", e.g. "a loopback address", or "::ffff:7f00:1 carries 127.0.0.1, …".
 * A string that is not an IP address is refused.
 */
export function checkAddress(input: string): AddressCheck {
  // A zone id (fe80::1%eth0, as DNS answers may carry) names an interface, not a different address.
  const address = stripBrackets(input).split("%")[0] ?? "";
  const family = isIP(address);
  if (family === 4) {
    const reason = ipv4Reason(address);
    return reason === null ? { allowed: true, address, family: 4 } : { allowed: false, address, reason };
  }
  if (family === 6) {
    const reason = ipv6Reason(address);
    return reason === null ? { allowed: true, address, family: 6 } : { allowed: false, address, reason };
  }
  return { allowed: false, address: input, reason: "not an IP address" };
}

function ipv4Reason(address: string): string | null {
  for (const { reason, list } of ipv4Ranges) if (list.check(address, "ipv4")) return reason;
  return null;
}

function ipv6Reason(address: string): string | null {
  const embedded = embeddedIpv4(ipv6Bytes(address));
  if (embedded !== null) {
    const inner = ipv4Reason(embedded.ipv4);
    if (inner !== null) return `${embedded.form} carrying ${embedded.ipv4}, ${inner}`;
    return embedded.routable ? null : `${embedded.form} (deprecated; never a public destination)`;
  }
  for (const { reason, list } of ipv6Ranges) if (list.check(address, "ipv6")) return reason;
  if (!ipv6GlobalUnicast.check(address, "ipv6"))
    return "a reserved address (outside IPv6 global unicast, 2000::/3)";
  return null;
}

/**
 * The IPv4 address an IPv6 address carries, when its form sends packets to it:
 * IPv4-mapped ::ffff:0:0/96 (RFC 4291 §2.5.5.2), IPv4-compatible ::/96 (§2.5.5.1, deprecated),
 * SIIT IPv4-translated ::ffff:0:0:0/96 (RFC 2765), NAT64 64:ff9b::/96 (RFC 6052), 6to4 2002::/16
 * (RFC 3056, the IPv4 address in bits 16–47).
 */
function embeddedIpv4(bytes: Uint8Array): { form: string; ipv4: string; routable: boolean } | null {
  const zero = (from: number, to: number) => bytes.subarray(from, to).every((b) => b === 0);
  const quad = (at: number) => Array.from(bytes.subarray(at, at + 4)).join(".");
  if (zero(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return { form: "an IPv4-mapped address", ipv4: quad(12), routable: true };
  }
  // ::/128 and ::1/128 (and ::2 … ::ffff) are IPv6's own special addresses, not IPv4-compatible ones.
  if (zero(0, 12) && !zero(12, 14))
    return { form: "an IPv4-compatible address", ipv4: quad(12), routable: false };
  if (zero(0, 8) && bytes[8] === 0xff && bytes[9] === 0xff && zero(10, 12)) {
    return { form: "an IPv4-translated address", ipv4: quad(12), routable: false };
  }
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zero(4, 12)) {
    return { form: "a NAT64 address", ipv4: quad(12), routable: true };
  }
  if (bytes[0] === 0x20 && bytes[1] === 0x02)
    return { form: "a 6to4 address", ipv4: quad(2), routable: true };
  return null;
}

/** The 16 bytes of an IPv6 address already validated by isIP (so only the RFC 4291 shapes occur). */
function ipv6Bytes(address: string): Uint8Array {
  // A trailing dotted quad (::ffff:1.2.3.4) stands for the last two 16-bit groups.
  const text = address
    .toLowerCase()
    .replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_quad: string, a: string, b: string, c: string, d: string) => {
      const hex = (hi: string, lo: string) => ((Number(hi) << 8) | Number(lo)).toString(16);
      return `${hex(a, b)}:${hex(c, d)}`;
    });
  const groups = (part: string) => (part === "" ? [] : part.split(":").map((g) => parseInt(g, 16)));
  const [head = "", tail] = text.split("::");
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = new Uint8Array(16);
  all.forEach((group, i) => {
    bytes[i * 2] = group >> 8;
    bytes[i * 2 + 1] = group & 0xff;
  });
  return bytes;
}

function stripBrackets(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/** A host as the URL parser sees it: an IPv4 dotted quad, an IPv6 address without brackets, or a name. */
export type ParsedHost =
  | { readonly kind: "ip"; readonly address: string; readonly family: 4 | 6 }
  | { readonly kind: "name"; readonly name: string };

/** Classifies a WHATWG-canonical hostname (`url.hostname`). */
export function parseHost(hostname: string): ParsedHost {
  const bare = stripBrackets(hostname);
  const family = isIP(bare);
  if (family === 4 || family === 6) return { kind: "ip", address: bare, family };
  return { kind: "name", name: hostname };
}

/**
 * A tenant's allowlist entry, canonicalized: an exact host name or IP address, optionally with a
 * port (`crm.internal`, `crm.internal:8443`, `10.0.0.5`, `[fd00::5]:8080`). Numeric spellings are
 * canonicalized like URLs' (`0x7f000001` → `127.0.0.1`). Wildcards, paths and schemes are refused:
 * an allowlist entry opens exactly one host.
 */
export function normalizeAllowedHost(entry: string): string {
  const trimmed = entry.trim();
  if (trimmed === "" || /[/?#@*\s\\]/.test(trimmed) || trimmed.includes("://")) {
    throw new AppError("BAD_REQUEST", `"${entry}" is not a host name: give a host, optionally with :port`);
  }
  let url: URL;
  try {
    url = new URL(`http://${trimmed}/`);
  } catch (cause) {
    throw new AppError("BAD_REQUEST", `"${entry}" is not a host name: give a host, optionally with :port`, {
      cause,
    });
  }
  // The URL parser drops a default port (:80); an entry that names a port keeps it.
  const port = /:(\d+)$/.exec(trimmed)?.[1];
  return port === undefined ? url.hostname : `${url.hostname}:${Number(port)}`;
}

/** The port a URL connects to (URL leaves `port` empty for the scheme's default). */
export function effectivePort(url: URL): number {
  if (url.port !== "") return Number(url.port);
  return url.protocol === "https:" ? 443 : 80;
}

/**
 * Whether a tenant deliberately allowed this URL's host (and port): then its addresses are not
 * checked, so a tenant can reach an internal service on purpose. Entries go through
 * normalizeAllowedHost; an invalid entry matches nothing.
 */
export function isHostAllowed(url: URL, allowHosts: readonly string[]): boolean {
  const host = url.hostname;
  const port = effectivePort(url);
  return allowHosts.some((entry) => {
    let normalized: string;
    try {
      normalized = normalizeAllowedHost(entry);
    } catch {
      return false;
    }
    return normalized === host || normalized === `${host}:${port}`;
  });
}

/**
 * The message of a refusal, naming the host and why: "169.254.169.254 is a link-local / cloud
 * metadata address", or "intranet.example.com resolves to 10.0.0.5, a private-network address".
 */
export function refusalMessage(host: string, check: { address: string; reason: string }): string {
  const bare = stripBrackets(host);
  const what =
    bare === check.address
      ? `${bare} is ${check.reason}`
      : `${host} resolves to ${check.address}, ${check.reason}`;
  return `Refused to connect: ${what}. A tenant admin can allowlist the host to reach it on purpose.`;
}
