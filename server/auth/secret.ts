import { hkdfSync } from "node:crypto";
import { env } from "@/server/env.js";

/** A key for one purpose, derived from AUTH_SECRET so that each use (invites, email links) has its own. */
export function derivedKey(purpose: string): Buffer {
  if (!env.AUTH_SECRET) {
    throw new Error("AUTH_SECRET is not set (npm run dev sets one; see the README's configuration table).");
  }
  return Buffer.from(hkdfSync("sha256", env.AUTH_SECRET, "tenet", purpose, 32));
}
