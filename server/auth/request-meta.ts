import { env } from "@/server/env.js";

/**
 * The client's address as seen by the first proxy we trust. Next.js appends the socket peer to
 * X-Forwarded-For, so with no trusted proxy the last entry is the real peer and earlier entries,
 * which a client can forge, are ignored.
 */
export function clientIp(headers: Headers): string {
  const hops = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((h) => h.trim())
    .filter(Boolean);
  return hops[hops.length - 1 - env.TRUST_PROXY_HOPS] ?? hops[0] ?? "unknown";
}

export function userAgent(headers: Headers): string | undefined {
  return headers.get("user-agent") ?? undefined;
}
