import type { KeyObject } from "node:crypto";
import { z } from "zod";
import type { JsonValue } from "./canonical-json";
import { verifyCheckpointSignature, type SignedCheckpoint } from "./checkpoint";
import { GENESIS_HASH, hashEntry, type HashedEntry } from "./entry";
import { auditSigningKey, keyIdOf, publicKeyFrom } from "./signing-key";
import { toQuery, type AuditQuery, type AuditSource } from "./source";

/**
 * Why verification failed, at `firstBad.seq`:
 * - `hash_mismatch`: the entry's content does not hash to its stored hash (it was edited);
 * - `prev_hash_mismatch`: it does not link to the entry before it (one was deleted, inserted or moved);
 * - `seq_gap`: the sequence skips this number (the entry was deleted);
 * - `checkpoint_mismatch`: the entry at a signed checkpoint has another hash (history was rewritten
 *   and re-hashed from an earlier point);
 * - `truncated`: a signed checkpoint is beyond the head (entries from this one on were cut off);
 * - `bad_signature`: a checkpoint's signature does not verify with a trusted key.
 */
export type TamperReason =
  "hash_mismatch" | "prev_hash_mismatch" | "seq_gap" | "checkpoint_mismatch" | "truncated" | "bad_signature";

export type VerifyResult = {
  ok: boolean;
  /** Entries whose links and hashes were checked. */
  checked: number;
  /** Signed checkpoints whose signatures verified and that the entries were compared against. */
  checkpoints: number;
  /** The last entry that verified (seq 0 and the genesis hash when none did). */
  head: { seq: bigint; hash: string };
  firstBad?: { seq: bigint; reason: TamperReason; message: string };
};

export type VerifyOptions = {
  /** A signed checkpoint to start from: entries before it are not read, its hash is trusted. */
  from?: SignedCheckpoint;
  /** Checkpoints held outside the database (exportCheckpoints), compared like the stored ones. */
  checkpoints?: readonly SignedCheckpoint[];
  /** Keys trusted to have signed checkpoints; the current signing key when not given. */
  publicKeys?: readonly (KeyObject | string)[];
  /** Also check the checkpoints stored in the database (default true). */
  storedCheckpoints?: boolean;
  /** Entries per read; default 5,000. */
  batchSize?: number;
};

const checkpointRows = z.array(
  z.object({ seq: z.string(), hash: z.string(), signature: z.string(), keyId: z.string() }),
);

/**
 * One JSON array per entry, built by PostgreSQL (in its own process, so on another core while Node
 * hashes the previous batch), in ENTRY_FIELDS order. JSON carries every column exactly: `at` is written
 * in toISOString()'s format, `seq` as text, `detail` as the stored JSON.
 */
const ENTRIES_SQL = `
  SELECT json_build_array(id, seq::text, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           "actorType", "actorId", "actorLabel", "onBehalfOfId", "onBehalfOfLabel", action, "resourceType",
           "resourceId", "resourceLabel", outcome, reasons, detail, "prevHash", hash)::text AS e
  FROM "AuditEntry"
  WHERE "tenantId" = $1::uuid AND seq >= $2::bigint
  ORDER BY "AuditEntry".seq
  LIMIT $3::int`;
const entryRows = z.array(z.object({ e: z.string() }));

type StoredEntry = HashedEntry & { hash: string | null };

const YIELD_EVERY = 250;

const textOrNull = (v: unknown): v is string | null => v === null || typeof v === "string";

/**
 * One entry from its JSON array. Checked by hand rather than with zod: this runs for every entry of a
 * log, and a zod tuple would copy each one. Every column but seq may be null here, even NOT NULL ones
 * (an owner can drop a constraint): that is a changed entry, which its hash reports.
 */
function storedEntry(json: string, tenantId: string): StoredEntry {
  const parsed: unknown = JSON.parse(json);
  const f: unknown[] = Array.isArray(parsed) ? parsed : [];
  const [id, seq, at, actorType, actorId, actorLabel, onBehalfOfId, onBehalfOfLabel, action] = f;
  const [resourceType, resourceId, resourceLabel, outcome, reasons, detail, prevHash, hash] = f.slice(9);
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
    !textOrNull(hash)
  ) {
    throw new Error("audit: an entry row does not have the shape ENTRIES_SQL selects");
  }
  return {
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
    reasons,
    // Parsed from JSON, so JSON.
    detail: detail as JsonValue,
    prevHash,
    hash,
  };
}

const CHECKPOINTS_SQL = `
  SELECT seq::text AS seq, hash, signature, "keyId"
  FROM "AuditCheckpoint" WHERE "tenantId" = $1::uuid AND seq >= $2::bigint ORDER BY "AuditCheckpoint".seq`;

type Failure = NonNullable<VerifyResult["firstBad"]>;

/**
 * Verifies a tenant's chain: every entry's hash, its link to the one before, gapless sequence numbers,
 * and agreement with every trusted signed checkpoint (stored ones and those passed in), whose signatures
 * are checked first. Reads in batches in seq order, fetching the next batch while hashing this one.
 * Stops at the first problem; `firstBad` names the lowest sequence number found to be wrong.
 */
export async function verifyChain(
  source: AuditSource,
  tenantId: string,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const query = toQuery(source);
  const batchSize = options.batchSize ?? 5_000;
  const from = options.from;
  const startSeq = from ? from.seq : 1n;

  const keys = new Map<string, KeyObject>();
  for (const key of options.publicKeys ?? [auditSigningKey().publicKey]) {
    const publicKey = publicKeyFrom(key);
    keys.set(keyIdOf(publicKey), publicKey);
  }
  const failures: Failure[] = [];
  const expected = new Map<bigint, string[]>();
  let trusted = 0;
  const trust = (c: Pick<SignedCheckpoint, "tenantId" | "seq" | "hash" | "signature" | "keyId">) => {
    if (c.seq < startSeq) return;
    const key = keys.get(c.keyId);
    const problem =
      c.tenantId !== tenantId
        ? `the checkpoint at ${c.seq} belongs to another tenant`
        : !key
          ? `the checkpoint at ${c.seq} is signed by key ${c.keyId}, which is not trusted`
          : !verifyCheckpointSignature(c, key)
            ? `the checkpoint at ${c.seq} has an invalid signature`
            : null;
    if (problem) {
      failures.push({ seq: c.seq, reason: "bad_signature", message: problem });
      return;
    }
    expected.set(c.seq, [...(expected.get(c.seq) ?? []), c.hash]);
    trusted += 1;
  };
  if (from) trust(from);
  for (const c of options.checkpoints ?? []) trust(c);
  if (options.storedCheckpoints ?? true) {
    const stored = checkpointRows.parse(await query(CHECKPOINTS_SQL, [tenantId, startSeq.toString()]));
    for (const c of stored) trust({ ...c, tenantId, seq: BigInt(c.seq) });
  }
  if (from && failures.length > 0)
    return result(false, 0, trusted, { seq: 0n, hash: GENESIS_HASH }, failures);

  const walk = await walkChain(query, tenantId, startSeq, from !== undefined, expected, batchSize);
  if (!walk.failure) {
    // The walk ended cleanly at nextSeq - 1: any signed checkpoint past that is missing entries.
    const beyond = [...expected.keys()].filter((seq) => seq >= walk.nextSeq);
    const last = beyond.reduce<bigint | undefined>((a, b) => (a !== undefined && a > b ? a : b), undefined);
    if (last !== undefined) {
      failures.push({
        seq: walk.nextSeq,
        reason: "truncated",
        message: `a signed checkpoint vouches for entry ${last}, but the log ends before entry ${walk.nextSeq}`,
      });
    }
  } else {
    failures.push(walk.failure);
  }
  return result(failures.length === 0, walk.checked, trusted, walk.head, failures);
}

function result(
  ok: boolean,
  checked: number,
  checkpoints: number,
  head: { seq: bigint; hash: string },
  failures: Failure[],
): VerifyResult {
  const firstBad = failures.reduce<Failure | undefined>((a, b) => (a && a.seq <= b.seq ? a : b), undefined);
  return firstBad ? { ok, checked, checkpoints, head, firstBad } : { ok, checked, checkpoints, head };
}

async function walkChain(
  query: AuditQuery,
  tenantId: string,
  startSeq: bigint,
  /** Starting at a checkpoint: its entry's link backwards is not checked, its hash is (in `expected`). */
  fromCheckpoint: boolean,
  expected: Map<bigint, string[]>,
  batchSize: number,
): Promise<{ checked: number; head: { seq: bigint; hash: string }; nextSeq: bigint; failure?: Failure }> {
  const fetch = async (fromSeq: bigint) =>
    entryRows.parse(await query(ENTRIES_SQL, [tenantId, fromSeq.toString(), batchSize])).map((r) => r.e);
  let nextSeq = startSeq;
  let prevHash = GENESIS_HASH;
  let head = { seq: 0n, hash: GENESIS_HASH };
  let checked = 0;
  let pending: Promise<string[]> | null = fetch(startSeq);
  const fail = async (failure: Failure) => {
    // Let a read already in flight finish, so the caller's transaction is idle when we return.
    await pending?.catch(() => null);
    return { checked, head, nextSeq, failure };
  };
  while (pending) {
    const rows: StoredEntry[] = (await pending).map((json) => storedEntry(json, tenantId));
    const last = rows.at(-1);
    pending = last && rows.length === batchSize ? fetch(last.seq + 1n) : null;
    for (const [index, row] of rows.entries()) {
      // Let the event loop read the next batch off the socket meanwhile; otherwise PostgreSQL stalls
      // on a full send buffer until this batch is done, and the prefetch overlaps nothing.
      if (index % YIELD_EVERY === YIELD_EVERY - 1) await new Promise((resolve) => setImmediate(resolve));
      const seq = row.seq;
      if (seq !== nextSeq) {
        return fail({ seq: nextSeq, reason: "seq_gap", message: `entry ${nextSeq} is missing` });
      }
      if (!(fromCheckpoint && seq === startSeq) && row.prevHash !== prevHash) {
        return fail({
          seq,
          reason: "prev_hash_mismatch",
          message: `entry ${seq} does not follow entry ${seq - 1n} (deleted, inserted or reordered entries)`,
        });
      }
      if (row.hash === null || hashEntry(row) !== row.hash) {
        return fail({
          seq,
          reason: "hash_mismatch",
          message: `entry ${seq} was changed after it was written`,
        });
      }
      const signed = expected.get(seq);
      if (signed?.some((h) => h !== row.hash)) {
        return fail({
          seq,
          reason: "checkpoint_mismatch",
          message: `entry ${seq} differs from the signed checkpoint at ${seq} (history was rewritten)`,
        });
      }
      prevHash = row.hash;
      head = { seq, hash: row.hash };
      nextSeq = seq + 1n;
      checked += 1;
    }
  }
  return { checked, head, nextSeq };
}
