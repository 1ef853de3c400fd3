/** A JSON value as stored in `AuditEntry.detail` and hashed. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export type JsonObject = { [key: string]: JsonValue };

// The canonical form lives in plain JavaScript so that verification's worker threads can load it.
export { canonicalJson, jsonString } from "./canonical.mjs";
