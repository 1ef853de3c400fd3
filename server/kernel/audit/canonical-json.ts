/** A JSON value as stored in `AuditEntry.detail` and hashed. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export type JsonObject = { [key: string]: JsonValue };

// Characters JSON.stringify escapes (quote, backslash, controls) or may (surrogates, paired or lone).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NEEDS_ESCAPING = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * A string as JSON.stringify writes it. Most strings need no escaping, and skipping JSON.stringify for
 * them makes hashing a log several times faster.
 */
export function jsonString(text: string): string {
  return NEEDS_ESCAPING.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/**
 * Canonical JSON, so that the same value always hashes the same wherever it is verified: object keys
 * sorted by UTF-16 code units, no whitespace, strings and numbers written as ECMAScript's
 * JSON.stringify writes them. For the values we store this is RFC 8785 (JSON Canonicalization Scheme).
 * Keys whose value is `undefined` are left out, as JSON.stringify does; non-finite numbers have no JSON
 * form and are refused rather than silently turned into null.
 */
export function canonicalJson(value: JsonValue): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} has no JSON form`);
      return JSON.stringify(value);
    case "string":
      return jsonString(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  let out = "{";
  let first = true;
  // Array.prototype.sort without a comparator orders by UTF-16 code units, as RFC 8785 requires.
  for (const key of Object.keys(value).sort()) {
    const member = value[key];
    if (member === undefined) continue;
    out += `${first ? "" : ","}${jsonString(key)}:${canonicalJson(member)}`;
    first = false;
  }
  return `${out}}`;
}
