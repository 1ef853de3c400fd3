// @ts-check
/**
 * The canonical JSON of an entry and its sha256: the format every stored chain is hashed in.
 *
 * Plain JavaScript that imports only Node's built-ins, so that verification's worker threads load it
 * as it is, under tsx, Vitest and a Next.js build alike, with no TypeScript loader
 * (chain-segment-worker.mjs). canonical-json.ts and entry.ts re-export it with its types.
 */
import { hash } from "node:crypto";

/** @typedef {import("./canonical-json").JsonValue} JsonValue */
/** @typedef {import("./entry").HashedEntry} HashedEntry */
/** @typedef {import("./entry").EntryJson} EntryJson */

// Characters JSON.stringify escapes (quote, backslash, controls) or may (surrogates, paired or lone).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NEEDS_ESCAPING = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * A string as JSON.stringify writes it. Most strings need no escaping, and skipping JSON.stringify for
 * them makes hashing a log several times faster.
 * @param {string} text
 * @returns {string}
 */
export function jsonString(text) {
  return NEEDS_ESCAPING.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/**
 * Canonical JSON, so that the same value always hashes the same wherever it is verified: object keys
 * sorted by UTF-16 code units, no whitespace, strings and numbers written as ECMAScript's
 * JSON.stringify writes them. For the values we store this is RFC 8785 (JSON Canonicalization Scheme).
 * Keys whose value is `undefined` are left out, as JSON.stringify does; non-finite numbers have no JSON
 * form and are refused rather than silently turned into null.
 * @param {JsonValue} value
 * @returns {string}
 */
export function canonicalJson(value) {
  switch (typeof value) {
    case "string":
      return jsonString(value);
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} has no JSON form`);
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
  }
  if (value === null) return "null";
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ",";
      // A hole is undefined, which JSON.stringify writes as null; JSON.parse never makes one.
      out += canonicalJson(value[i] ?? null);
    }
    return `${out}]`;
  }
  // Array.prototype.sort without a comparator orders by UTF-16 code units, as RFC 8785 requires.
  const keys = Object.keys(value);
  if (keys.length > 1) keys.sort();
  let out = "{";
  let first = true;
  for (const key of keys) {
    const member = value[key];
    if (member === undefined) continue;
    out += `${first ? "" : ","}${jsonString(key)}:${canonicalJson(member)}`;
    first = false;
  }
  return `${out}}`;
}

/**
 * The canonical JSON of an entry from each field's canonical JSON, written out by hand because
 * verification hashes every row of a log. The keys are in canonicalJson's order; entry.test.ts checks
 * that the two agree.
 * @param {EntryJson} j
 * @returns {string}
 */
export function canonicalEntryJson(j) {
  return (
    `{"action":${j.action},"actorId":${j.actorId},"actorLabel":${j.actorLabel}` +
    `,"actorType":${j.actorType},"at":${j.at},"detail":${j.detail}` +
    `,"id":${j.id},"onBehalfOfId":${j.onBehalfOfId},"onBehalfOfLabel":${j.onBehalfOfLabel}` +
    `,"outcome":${j.outcome},"prevHash":${j.prevHash},"reasons":${j.reasons}` +
    `,"resourceId":${j.resourceId},"resourceLabel":${j.resourceLabel}` +
    `,"resourceType":${j.resourceType},"seq":${j.seq},"tenantId":${j.tenantId}}`
  );
}

/** @param {string | null} value */
const text = (value) => (value === null ? "null" : jsonString(value));

/**
 * canonicalJson of the entry, with `seq` as a JSON number.
 * @param {HashedEntry} e
 * @returns {string}
 */
export function canonicalEntry(e) {
  return canonicalEntryJson({
    id: text(e.id),
    tenantId: text(e.tenantId),
    seq: e.seq.toString(),
    at: text(e.at),
    actorType: text(e.actorType),
    actorId: text(e.actorId),
    actorLabel: text(e.actorLabel),
    onBehalfOfId: text(e.onBehalfOfId),
    onBehalfOfLabel: text(e.onBehalfOfLabel),
    action: text(e.action),
    resourceType: text(e.resourceType),
    resourceId: text(e.resourceId),
    resourceLabel: text(e.resourceLabel),
    outcome: text(e.outcome),
    reasons: e.reasons === null ? "null" : canonicalJson(e.reasons),
    detail: canonicalJson(e.detail),
    prevHash: text(e.prevHash),
  });
}

/**
 * sha256 (hex) of the entry's canonical JSON: the value of its `hash` column.
 * @param {HashedEntry} e
 * @returns {string}
 */
export function hashEntry(e) {
  return hash("sha256", canonicalEntry(e), "hex");
}
