/**
 * Where the app's Inngest client sends events and syncs, decided from the validated configuration
 * alone (no I/O, so it is unit-tested). The SDK's own precedence is in docs/engine-protocol.md §1.
 */
import type { parseEnv } from "@/server/env.js";

type Env = ReturnType<typeof parseEnv>;
export type ConnectionEnv = Pick<
  Env,
  | "NODE_ENV"
  | "INNGEST_DEV"
  | "INNGEST_BASE_URL"
  | "INNGEST_SIGNING_KEY"
  | "INNGEST_EVENT_KEY"
  | "ENGINE_URL"
  | "ENGINE_HOST"
  | "ENGINE_PORT"
>;

export type InngestConnection = {
  /** True when the app talks to Tenet's own engine (server/engine), whose console the Runs page reads. */
  embeddedEngine: boolean;
  /** The client's `isDev`; undefined leaves the mode to the SDK (which then means cloud). */
  isDev: boolean | undefined;
  /** The client's `baseUrl` (API and events); undefined leaves it to the SDK's defaults. */
  baseUrl: string | undefined;
  /** Where workflow traffic goes, for messages; null when the SDK's default cloud origin applies. */
  target: string | null;
  /** The client's `eventKey`; undefined leaves it to the SDK. */
  eventKey: string | undefined;
};

/**
 * The event key sent to Tenet's engine when none is configured. The engine accepts any key unless it
 * is given INNGEST_EVENT_KEY (server/engine/main.ts); the SDK in cloud mode refuses to send without
 * one, so it gets the same placeholder the SDK itself sends in dev mode.
 */
export const UNSET_EVENT_KEY = "NO_EVENT_KEY_SET";

/**
 * The engine's origin: ENGINE_URL, else its listening address. An engine that listens on every
 * interface (0.0.0.0, ::) is reached on loopback.
 */
export function engineUrl(e: Pick<Env, "ENGINE_URL" | "ENGINE_HOST" | "ENGINE_PORT">): string {
  if (e.ENGINE_URL) return e.ENGINE_URL.replace(/\/+$/, "");
  const host =
    e.ENGINE_HOST === "0.0.0.0"
      ? "127.0.0.1"
      : e.ENGINE_HOST === "::" || e.ENGINE_HOST === "[::]"
        ? "[::1]"
        : e.ENGINE_HOST.includes(":") && !e.ENGINE_HOST.startsWith("[")
          ? `[${e.ENGINE_HOST}]`
          : e.ENGINE_HOST;
  return `http://${host}:${e.ENGINE_PORT}`;
}

/** INNGEST_DEV as the SDK reads it: a boolean word, or a URL that also names the dev server. */
function readInngestDev(value: string | undefined): { dev: boolean | undefined; url: string | undefined } {
  if (value === undefined) return { dev: undefined, url: undefined };
  const word = value.trim().toLowerCase();
  if (word === "true" || word === "1") return { dev: true, url: undefined };
  if (word === "false" || word === "0") return { dev: false, url: undefined };
  if (word === "undefined") return { dev: undefined, url: undefined };
  // Anything else that parses as a URL means dev mode against that server (`package/components/Inngest.js`
  // `explicitDevUrl`; a bare "localhost:8288" gets http:// as the SDK's normalizeUrl adds it).
  const withScheme = value.includes("://") ? value : `http://${value}`;
  try {
    return { dev: true, url: new URL(withScheme).href };
  } catch {
    return { dev: undefined, url: undefined };
  }
}

/**
 * With INNGEST_BASE_URL or INNGEST_DEV set, the SDK's rules apply unchanged (they may point at Inngest's
 * own dev server or cloud). Otherwise the app uses Tenet's engine: in cloud mode (every call signed
 * with INNGEST_SIGNING_KEY) in production, and in dev mode (unsigned) outside it, unless a signing
 * key is configured there too: the engine, given the key, signs its calls and requires signed answers,
 * which the SDK gives only in cloud mode (docs/engine-protocol.md §6.3).
 */
export function inngestConnection(e: ConnectionEnv): InngestConnection {
  if (e.INNGEST_BASE_URL || e.INNGEST_DEV) {
    const dev = readInngestDev(e.INNGEST_DEV);
    const baseUrl = e.INNGEST_BASE_URL ?? dev.url;
    return {
      embeddedEngine: false,
      isDev: dev.dev,
      baseUrl,
      target: baseUrl ?? (dev.dev ? "http://localhost:8288/" : null),
      eventKey: e.INNGEST_EVENT_KEY,
    };
  }
  const url = engineUrl(e);
  const signed = e.NODE_ENV === "production" || e.INNGEST_SIGNING_KEY !== undefined;
  return {
    embeddedEngine: true,
    isDev: !signed,
    baseUrl: url,
    target: url,
    eventKey: e.INNGEST_EVENT_KEY ?? (signed ? UNSET_EVENT_KEY : undefined),
  };
}
