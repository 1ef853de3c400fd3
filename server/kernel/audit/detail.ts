import type { JsonObject, JsonValue } from "./canonical-json";

/** What callers may put in an entry's detail; normalised to JSON by `normalizeDetail`. */
export type AuditDetailValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | Date
  | readonly AuditDetailValue[]
  | { readonly [key: string]: AuditDetailValue };
export type AuditDetail = { readonly [key: string]: AuditDetailValue };

/** Keys whose values never enter the log, at any depth. */
export const SECRET_KEY = /password|secret|token|authorization|api[-_]?key|credential/i;
export const REDACTED = "[redacted]";

const MAX_DEPTH = 20;
/** Bytes of canonical JSON; an entry is a record of what happened, not a place for payloads. */
export const MAX_DETAIL_LENGTH = 64 * 1024;

// PostgreSQL cannot store NUL in text or jsonb, and the driver turns lone UTF-16 surrogates into U+FFFD.
// Doing that ourselves before hashing keeps the hash equal to what the database gives back.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A string as PostgreSQL will store and return it. */
export function storable(text: string): string {
  return text.replaceAll("\0", "\uFFFD").replace(LONE_SURROGATE, "\uFFFD");
}

function normalize(value: AuditDetailValue, depth: number): JsonValue {
  if (depth > MAX_DEPTH) throw new TypeError(`audit detail is nested deeper than ${MAX_DEPTH} levels`);
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return storable(value);
  if (typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`audit detail holds ${value}, which JSON cannot`);
    return value;
  }
  if (value instanceof Date) return value.toISOString();
  if (isList(value)) return value.map((v) => normalize(v, depth + 1));
  return normalizeObject(value, depth + 1);
}

// Array.isArray does not narrow readonly arrays out of a union.
function isList(value: AuditDetailValue): value is readonly AuditDetailValue[] {
  return Array.isArray(value);
}

function normalizeObject(value: { readonly [key: string]: AuditDetailValue }, depth: number): JsonObject {
  const entries: [string, JsonValue][] = [];
  for (const [key, member] of Object.entries(value)) {
    if (member === undefined) continue;
    entries.push([storable(key), SECRET_KEY.test(key) ? REDACTED : normalize(member, depth)]);
  }
  // fromEntries defines own properties, so a key such as "__proto__" stays data.
  return Object.fromEntries(entries);
}

/**
 * The detail as it is hashed and stored: secrets redacted by key name at every depth, dates as ISO
 * strings, `undefined` members dropped (array holes become null, as in JSON), strings made storable.
 */
export function normalizeDetail(detail: AuditDetail): JsonObject {
  return normalizeObject(detail, 0);
}
