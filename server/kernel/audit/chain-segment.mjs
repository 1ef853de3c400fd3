// @ts-check
/**
 * Checks one segment of a tenant's chain: a run of consecutive rows read with ENTRY_ROW_SQL, given what
 * the first row must be (its seq and the hash it must link to). Segments are independent, so
 * verify.ts checks several at once on worker threads (chain-segment-worker.mjs) and reads the results
 * in seq order; the first problem in the first segment that has one is the first problem of the chain.
 *
 * Plain JavaScript that imports only Node's built-ins and canonical.mjs, so that a worker thread loads
 * it as it is.
 */
import { hash } from "node:crypto";
import { canonicalEntryJson, canonicalJson, hashEntry, jsonString } from "./canonical.mjs";

/** @typedef {import("./canonical-json").JsonValue} JsonValue */

/**
 * One JSON array per entry, built by PostgreSQL in its own process (so on another core), in the order
 * readEntryRow reads. JSON carries every column exactly: `at` in toISOString()'s format, `seq` as text,
 * `detail` as the stored JSON.
 */
export const ENTRY_ROW_SQL = `json_build_array(id, seq::text,
    to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), "actorType", "actorId", "actorLabel",
    "onBehalfOfId", "onBehalfOfLabel", action, "resourceType", "resourceId", "resourceLabel", outcome,
    reasons, detail, "prevHash", hash)::text`;

/**
 * What the walk checks of one row: its place, its link and whether its content hashes to `hash`.
 * @typedef {object} EntryRow
 * @property {string} seq The sequence number in decimal, as BigInt#toString writes it.
 * @property {string | null} prevHash
 * @property {string | null} hash
 * @property {string} computed sha256 of the row's canonical JSON (hashEntry), to compare with `hash`.
 */

/**
 * Reads one row of ENTRY_ROW_SQL and hashes its content.
 *
 * Most rows take the fast path, which never decodes the text columns: PostgreSQL writes a JSON string
 * exactly as JSON.stringify does (the same two-character escapes, \u00xx in lowercase for the other
 * control characters, everything else as it is; text in PostgreSQL holds no lone surrogate, the one
 * thing JSON.stringify escapes that PostgreSQL never has to), so each string literal already is its
 * canonical form and goes into the canonical entry as it stands. Only `detail` is parsed and written
 * again, since jsonb orders keys by length and writes spaces. A row the fast path does not recognise
 * (an escape before `detail`, a column of an unexpected kind, a hash that is not 64 plain characters)
 * goes the general way, JSON.parse and hashEntry, which gives the same hash.
 * @param {string} row
 * @param {string} tenantId
 * @param {string} tenantJson jsonString(tenantId)
 * @returns {EntryRow}
 */
export function readEntryRow(row, tenantId, tenantJson) {
  return fastEntryRow(row, tenantJson) ?? generalEntryRow(row, tenantId);
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const SPACE = 0x20;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
/** `, "` + 64 characters + `"`: prevHash or hash with the separator before it. */
const HASH_ELEMENT = 68;

// Where each of the first 13 elements (id … outcome) starts and ends in the row being read, start -1 for
// null. Reused from row to row: fastEntryRow is synchronous and never re-entered.
const starts = new Int32Array(13);
const ends = new Int32Array(13);

/**
 * @param {string} row
 * @param {string} tenantJson
 * @returns {EntryRow | null} null when the row is not in the form this path reads (exported for tests)
 */
export function fastEntryRow(row, tenantJson) {
  const n = row.length;
  // The row ends `, "<prevHash>", "<hash>"]`, each hash 64 characters with no quote or backslash, which
  // makes these two string literals exactly what their positions say.
  const hashAt = n - 1 - HASH_ELEMENT + 2;
  const prevAt = hashAt - HASH_ELEMENT;
  if (
    prevAt < 3 ||
    row.charCodeAt(n - 1) !== CLOSE_BRACKET ||
    row.charCodeAt(prevAt - 2) !== COMMA ||
    row.charCodeAt(prevAt - 1) !== SPACE ||
    row.charCodeAt(prevAt) !== QUOTE ||
    row.indexOf('"', prevAt + 1) !== prevAt + 65 ||
    row.charCodeAt(hashAt - 2) !== COMMA ||
    row.charCodeAt(hashAt - 1) !== SPACE ||
    row.charCodeAt(hashAt) !== QUOTE ||
    row.indexOf('"', hashAt + 1) !== n - 2 ||
    row.indexOf("\\", prevAt) !== -1 ||
    row.charCodeAt(0) !== OPEN_BRACKET
  ) {
    return null;
  }
  // No literal before detail may hold an escape: then each one ends at the next quote.
  const backslash = row.indexOf("\\");
  const plainUntil = backslash === -1 ? n : backslash;
  let at = 1;
  for (let i = 0; i < 13; i++) {
    if (row.charCodeAt(at) === QUOTE) {
      const close = row.indexOf('"', at + 1);
      if (close === -1 || close > plainUntil) return null;
      starts[i] = at;
      at = close + 1;
    } else if (row.startsWith("null", at)) {
      starts[i] = -1;
      at += 4;
    } else {
      return null;
    }
    ends[i] = at;
    if (row.charCodeAt(at) !== COMMA || row.charCodeAt(at + 1) !== SPACE) return null;
    at += 2;
  }
  // seq: digits without a leading zero, so that the literal's content is BigInt#toString's form.
  const seqStart = (starts[1] ?? -1) + 1;
  const seqEnd = (ends[1] ?? 0) - 1;
  if (seqStart === 0 || seqEnd <= seqStart || row.charCodeAt(seqStart) === DIGIT_0) return null;
  for (let k = seqStart; k < seqEnd; k++) {
    const c = row.charCodeAt(k);
    if (c < DIGIT_0 || c > DIGIT_9) return null;
  }
  // reasons: null or an array of strings, which PostgreSQL writes with "," between them.
  const reasonsStart = at;
  if (row.startsWith("null", at)) {
    at += 4;
  } else if (row.startsWith("[]", at)) {
    at += 2;
  } else if (row.charCodeAt(at) === OPEN_BRACKET) {
    at += 1;
    for (;;) {
      if (row.charCodeAt(at) !== QUOTE) return null;
      const close = row.indexOf('"', at + 1);
      if (close === -1 || close > plainUntil) return null;
      const next = row.charCodeAt(close + 1);
      at = close + 2;
      if (next === CLOSE_BRACKET) break;
      if (next !== COMMA) return null;
    }
  } else {
    return null;
  }
  const reasons = row.slice(reasonsStart, at);
  if (row.charCodeAt(at) !== COMMA || row.charCodeAt(at + 1) !== SPACE) return null;
  at += 2;
  // detail: everything between reasons and prevHash, the jsonb as PostgreSQL wrote it.
  if (at >= prevAt - 2) return null;
  /** @type {unknown} */
  let detail;
  try {
    detail = JSON.parse(row.slice(at, prevAt - 2));
  } catch {
    return null;
  }
  const seq = row.slice(seqStart, seqEnd);
  const computed = hash(
    "sha256",
    canonicalEntryJson({
      id: element(row, 0),
      tenantId: tenantJson,
      seq,
      at: element(row, 2),
      actorType: element(row, 3),
      actorId: element(row, 4),
      actorLabel: element(row, 5),
      onBehalfOfId: element(row, 6),
      onBehalfOfLabel: element(row, 7),
      action: element(row, 8),
      resourceType: element(row, 9),
      resourceId: element(row, 10),
      resourceLabel: element(row, 11),
      outcome: element(row, 12),
      reasons,
      detail: canonicalJson(/** @type {JsonValue} parsed from JSON, so JSON */ (detail)),
      prevHash: row.slice(prevAt, prevAt + 66),
    }),
    "hex",
  );
  return { seq, prevHash: row.slice(prevAt + 1, prevAt + 65), hash: row.slice(hashAt + 1, n - 2), computed };
}

/**
 * The literal of element `i` of the row fastEntryRow is reading.
 * @param {string} row
 * @param {number} i
 */
function element(row, i) {
  const start = starts[i] ?? -1;
  return start === -1 ? "null" : row.slice(start, ends[i]);
}

/** @type {(v: unknown) => v is string | null} */
const textOrNull = (v) => v === null || typeof v === "string";

/**
 * The general way: JSON.parse the row, check its shape by hand and hash it with hashEntry. Every column
 * but seq may be null here, even NOT NULL ones (an owner can drop a constraint): that is a changed
 * entry, which its hash reports.
 * @param {string} row
 * @param {string} tenantId
 * @returns {EntryRow}
 */
function generalEntryRow(row, tenantId) {
  /** @type {unknown} */
  const parsed = JSON.parse(row);
  /** @type {unknown[]} */
  const f = Array.isArray(parsed) ? parsed : [];
  const [id, seq, at, actorType, actorId, actorLabel, onBehalfOfId, onBehalfOfLabel, action] = f;
  const [resourceType, resourceId, resourceLabel, outcome, reasons, detail, prevHash, stored] = f.slice(9);
  if (
    f.length !== 17 ||
    typeof seq !== "string" ||
    !textOrNull(id) ||
    !textOrNull(at) ||
    !textOrNull(actorType) ||
    !textOrNull(actorId) ||
    !textOrNull(actorLabel) ||
    !textOrNull(onBehalfOfId) ||
    !textOrNull(onBehalfOfLabel) ||
    !textOrNull(action) ||
    !textOrNull(resourceType) ||
    !textOrNull(resourceId) ||
    !textOrNull(resourceLabel) ||
    !textOrNull(outcome) ||
    !(reasons === null || (Array.isArray(reasons) && reasons.every((r) => typeof r === "string"))) ||
    detail === undefined ||
    !textOrNull(prevHash) ||
    !textOrNull(stored)
  ) {
    throw new Error("audit: an entry row does not have the shape ENTRY_ROW_SQL selects");
  }
  const entry = {
    id,
    tenantId,
    seq: BigInt(seq),
    at,
    actorType,
    actorId,
    actorLabel,
    onBehalfOfId,
    onBehalfOfLabel,
    action,
    resourceType,
    resourceId,
    resourceLabel,
    outcome,
    reasons: /** @type {string[] | null} checked above */ (reasons),
    detail: /** @type {JsonValue} parsed from JSON, so JSON */ (detail),
    prevHash,
  };
  return { seq: entry.seq.toString(), prevHash, hash: stored, computed: hashEntry(entry) };
}

/**
 * @typedef {"seq_gap" | "prev_hash_mismatch" | "hash_mismatch" | "checkpoint_mismatch"} SegmentReason
 */

/**
 * A segment to check. Everything in it is plain data, so that it can be posted to a worker thread.
 * @typedef {object} SegmentJob
 * @property {string} rows Rows of ENTRY_ROW_SQL in seq order, with "\n" between them (no JSON text
 *   PostgreSQL writes holds a raw line break).
 * @property {string} tenantId
 * @property {string} firstSeq The seq the first row must have, in decimal.
 * @property {string | null} prevHash The hash the first row must link to; null when the walk starts at
 *   a signed checkpoint, whose entry's link backwards is not checked.
 * @property {[seq: string, hashes: string[]][]} checkpoints Hashes that trusted, signed checkpoints
 *   give for entries of this segment.
 */

/**
 * @typedef {object} SegmentResult
 * @property {number} checked Rows that passed every check, from the first on.
 * @property {{ seq: string, hash: string } | null} head The last of them.
 * @property {{ seq: string, reason: SegmentReason }} [failure] The first problem, where the check stopped.
 * @property {string} [error] Why a row could not be read at all (the check stopped there).
 */

/**
 * The checks of a segment, row after row, in the order the chain is defined: the seq is the next one,
 * the row links to the one before, its content hashes to its hash, and that hash is what every trusted
 * checkpoint at its seq says. Stops at the first problem. `advance` does a bounded number of rows, so
 * that a caller on the main thread can let the event loop run in between.
 */
export class SegmentCheck {
  /** @param {SegmentJob} job */
  constructor(job) {
    this.job = job;
    this.tenantJson = jsonString(job.tenantId);
    this.signed = new Map(job.checkpoints);
    /** @type {string | null} */
    this.prevHash = job.prevHash;
    this.first = Number(job.firstSeq);
    // Sequence numbers stay exact as numbers far beyond any real log; BigInt is the way past that.
    this.exact = Number.isSafeInteger(this.first + job.rows.length);
    /** Where the next row starts in job.rows. */
    this.at = 0;
    this.checked = 0;
    /** @type {SegmentResult["failure"]} */
    this.failure = undefined;
    /** @type {string | undefined} */
    this.error = undefined;
    this.done = job.rows.length === 0;
  }

  /**
   * The decimal seq the row at `index` must have.
   * @param {number} index
   */
  seqAt(index) {
    return this.exact ? String(this.first + index) : (BigInt(this.job.firstSeq) + BigInt(index)).toString();
  }

  /**
   * Checks up to `limit` more rows.
   * @param {number} limit
   * @returns {boolean} whether the segment is done: every row checked, or stopped at a problem
   */
  advance(limit) {
    const rows = this.job.rows;
    for (let k = 0; k < limit && !this.done; k++) {
      let end = rows.indexOf("\n", this.at);
      if (end === -1) end = rows.length;
      const text = rows.slice(this.at, end);
      this.at = end + 1;
      if (this.at >= rows.length) this.done = true;
      const seq = this.seqAt(this.checked);
      /** @type {EntryRow} */
      let row;
      try {
        row = readEntryRow(text, this.job.tenantId, this.tenantJson);
      } catch (error) {
        this.error = error instanceof Error ? error.message : String(error);
        this.done = true;
        break;
      }
      if (row.seq !== seq) {
        this.failure = { seq, reason: "seq_gap" };
      } else if (!(this.checked === 0 && this.prevHash === null) && row.prevHash !== this.prevHash) {
        this.failure = { seq, reason: "prev_hash_mismatch" };
      } else if (row.hash === null || row.computed !== row.hash) {
        this.failure = { seq, reason: "hash_mismatch" };
      } else if (this.signed.get(seq)?.some((h) => h !== row.hash)) {
        this.failure = { seq, reason: "checkpoint_mismatch" };
      }
      if (this.failure) {
        this.done = true;
        break;
      }
      this.prevHash = row.hash;
      this.checked += 1;
    }
    return this.done;
  }

  /** @returns {SegmentResult} */
  result() {
    const head =
      this.checked > 0 && this.prevHash !== null
        ? { seq: this.seqAt(this.checked - 1), hash: this.prevHash }
        : null;
    /** @type {SegmentResult} */
    const result = { checked: this.checked, head };
    if (this.failure) result.failure = this.failure;
    if (this.error !== undefined) result.error = this.error;
    return result;
  }
}
