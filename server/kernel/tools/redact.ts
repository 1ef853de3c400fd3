import type { ToolConnection } from "./registry";

/**
 * Defense in depth for credentials: drivers must never return or throw them, but should one do it,
 * every credential value is replaced by "[redacted]" in what the kernel keeps or hands back (the
 * output, the error, a dry run's changes, a connection test's message) before it is audited, stored
 * in "ToolCall" or returned. Values shorter than MIN_SECRET_LENGTH are left alone: blanking every
 * "a" or "42" in an output would destroy it, and so short a value protects nothing anyway.
 */
export const REDACTED = "[redacted]";
export const MIN_SECRET_LENGTH = 4;

export type Secrets = readonly string[];

/** The connection's credential values worth looking for, longest first (so a longer one wins). */
export function secretsOf(connection: ToolConnection | null): Secrets {
  if (!connection) return [];
  const values = Object.values(connection.credentials).filter((v) => v.length >= MIN_SECRET_LENGTH);
  return [...new Set(values)].sort((a, b) => b.length - a.length);
}

export function redactText(text: string, secrets: Secrets): string {
  return secrets.reduce((t, secret) => t.split(secret).join(REDACTED), text);
}

/** A JSON-like value with every string (keys included) redacted; other values are kept as they are. */
export function redactValue(value: unknown, secrets: Secrets): unknown {
  if (secrets.length === 0) return value;
  if (typeof value === "string") return redactText(value, secrets);
  if (Array.isArray(value)) return value.map((item: unknown) => redactValue(item, secrets));
  if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [redactText(key, secrets), redactValue(item, secrets)]),
    );
  return value;
}
