/**
 * What every outbound connector driver does before its first request: check the call's input and the
 * connection's settings and credentials against the manifest's schemas (the kernel checks input too;
 * a driver re-checks because it is the last line before the network), and keep secrets out of every
 * message. Credential errors name the field only, never a value.
 */
import { z } from "zod";
import { AppError } from "@/server/errors";
import type { DriverContext } from "../sdk";
import { isHostAllowed, normalizeAllowedHost } from "./ssrf";

export interface ParsedConnection<C, S> {
  readonly id: string;
  readonly config: C;
  readonly credentials: S;
}

/**
 * The call's connection, checked. A connection whose settings or credentials do not fit is a setup
 * problem an admin fixes on the Connectors page: the message says which field, and for credentials
 * nothing about the value (zod's messages may quote what they received).
 */
export function parsedConnection<C, S>(
  ctx: DriverContext,
  connector: string,
  schemas: { config: z.ZodType<C>; credentials: z.ZodType<S> },
): ParsedConnection<C, S> {
  const connection = ctx.connection;
  if (connection === null) {
    throw new AppError("BAD_REQUEST", `The ${connector} connector needs a connection; none was given`);
  }
  const config = schemas.config.safeParse(connection.config);
  if (!config.success) {
    const problems = config.error.issues.map((i) => `${i.path.join(".") || "settings"}: ${i.message}`);
    throw new AppError(
      "BAD_REQUEST",
      `The ${connector} connection's settings are invalid: ${problems.join("; ")}`,
    );
  }
  const credentials = schemas.credentials.safeParse(connection.credentials);
  if (!credentials.success) {
    const fields = [
      ...new Set(credentials.error.issues.map((i) => i.path.join(".")).filter((p) => p !== "")),
    ];
    const which = fields.length > 0 ? ` (check ${fields.join(", ")})` : "";
    throw new AppError(
      "BAD_REQUEST",
      `The ${connector} connection's credentials are missing or malformed${which}; re-enter them on the Connectors page`,
    );
  }
  return { id: connection.id, config: config.data, credentials: credentials.data };
}

const REDACTED = "[redacted]";

/**
 * `text` with every secret in it replaced: the last guard for messages and response bodies that a
 * remote server built (an error page that echoes the request, an API that reflects headers back).
 * Secrets shorter than 4 characters are not searched for: they would redact ordinary words.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) if (secret.length >= 4) result = result.split(secret).join(REDACTED);
  return result;
}

/** The HTTP Basic credentials of RFC 7617 §2, as the header value. */
export function basicAuthorization(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`;
}

/** An http(s) URL without user info (credentials belong in the credentials form, not in a setting). */
export const httpUrl = z.string().superRefine((value, issues) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    issues.addIssue({ code: "custom", message: "Enter a full URL, like https://api.example.com" });
    return;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    issues.addIssue({ code: "custom", message: "Use an http or https URL" });
  if (url.username !== "" || url.password !== "")
    issues.addIssue({ code: "custom", message: "Put credentials in the credentials, not in the URL" });
  if (url.hash !== "") issues.addIssue({ code: "custom", message: "Remove the #fragment" });
});

/** The hosts a tenant deliberately lets this connection reach though they are internal (ssrf.ts). */
export const allowHostsSetting = z
  .array(z.string().trim().min(1, "Enter a host"))
  .max(50, "Allowlist at most 50 hosts")
  .default([])
  .superRefine((entries, issues) => {
    entries.forEach((entry, index) => {
      try {
        normalizeAllowedHost(entry);
      } catch (error) {
        issues.addIssue({
          code: "custom",
          path: [index],
          message: error instanceof Error ? error.message : "Not a host",
        });
      }
    });
  });

/**
 * Credentials cross the network only encrypted: a plain-http URL is accepted only for a host the
 * tenant allowlisted (an internal service, or a test double on loopback). Returns the problem, if any.
 */
export function plainHttpProblem(value: string, allowHosts: readonly string[]): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null; // reported by httpUrl
  }
  if (url.protocol !== "http:" || isHostAllowed(url, allowHosts)) return null;
  return `Use https: credentials are sent over plain http only to an allowlisted host (${url.host} is not)`;
}
