import type { KeyObject } from "node:crypto";
import { z } from "zod";
import { ENTRY_ROW_SQL, type SegmentJob, type SegmentResult } from "./chain-segment.mjs";
import { checkpointSignatureVerifies, type SignedCheckpoint } from "./checkpoint";
import { GENESIS_HASH } from "./entry";
import { checkSegment, defaultWorkerCount } from "./segment-pool";
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
  /**
   * Worker threads that hash the entries while this thread reads more: by default two where there are
   * two cores or more. 0 hashes on this thread (the result is the same).
   */
  workers?: number;
};

const checkpointRows = z.array(
  z.object({ seq: z.string(), hash: z.string(), signature: z.string(), keyId: z.string() }),
);

/**
 * One read: up to $3 entries from seq $2 on, as one text of ENTRY_ROW_SQL rows with "\n" between them,
 * which passes to a worker thread in one piece (and arrives without a JavaScript string per row).
 */
const ENTRIES_SQL = `
  SELECT string_agg(e, E'\n' ORDER BY seq) AS rows, count(*)::int AS n
  FROM (
    SELECT seq, ${ENTRY_ROW_SQL} AS e
    FROM "AuditEntry"
    WHERE "tenantId" = $1::uuid AND seq >= $2::bigint
    ORDER BY "AuditEntry".seq
    LIMIT $3::int) AS batch`;
const entryBatch = z.tuple([z.object({ rows: z.string().nullable(), n: z.number().int() })]);

const CHECKPOINTS_SQL = `
  SELECT seq::text AS seq, hash, signature, "keyId"
  FROM "AuditCheckpoint" WHERE "tenantId" = $1::uuid AND seq >= $2::bigint ORDER BY "AuditCheckpoint".seq`;

type Failure = NonNullable<VerifyResult["firstBad"]>;
type Head = VerifyResult["head"];
type Checkpoint = Pick<SignedCheckpoint, "tenantId" | "seq" | "hash" | "signature" | "keyId">;

/**
 * Verifies a tenant's chain: every entry's hash, its link to the one before, gapless sequence numbers,
 * and agreement with every trusted signed checkpoint (stored ones and those passed in), all of whose
 * signatures are checked. Stops at the first problem; `firstBad` names the lowest sequence number found
 * to be wrong.
 *
 * The entries are read in batches in seq order, each batch the moment the one before has arrived, and
 * each batch is a segment that a worker thread checks on its own (chain-segment.mjs): the first must
 * follow `from` or the genesis hash, every later one the last row of the batch before it. The results
 * are taken in seq order, so the first problem of the first segment that has one is the chain's first.
 */
export async function verifyChain(
  source: AuditSource,
  tenantId: string,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const query = toQuery(source);
  const batchSize = options.batchSize ?? 5_000;
  const workers = options.workers ?? defaultWorkerCount();
  const from = options.from;
  const startSeq = from ? from.seq : 1n;

  const keys = new Map<string, KeyObject>();
  for (const key of options.publicKeys ?? [auditSigningKey().publicKey]) {
    const publicKey = publicKeyFrom(key);
    keys.set(keyIdOf(publicKey), publicKey);
  }
  const claimed: Checkpoint[] = [];
  if (from) claimed.push(from);
  claimed.push(...(options.checkpoints ?? []));
  if (options.storedCheckpoints ?? true) {
    const stored = checkpointRows.parse(await query(CHECKPOINTS_SQL, [tenantId, startSeq.toString()]));
    for (const c of stored) claimed.push({ ...c, tenantId, seq: BigInt(c.seq) });
  }
  // The signatures are checked on the thread pool while the first entries are read. Starting from a
  // checkpoint, nothing is read unless every checkpoint from there on is trusted.
  const trust = trustCheckpoints(
    claimed.filter((c) => c.seq >= startSeq),
    tenantId,
    keys,
  );
  // Should the walk throw first, the outcome of the signatures no longer matters.
  trust.catch(() => undefined);
  const early = from ? await trust : null;
  if (early && early.failures.length > 0) {
    return result(false, 0, trustedCount(early), { seq: 0n, hash: GENESIS_HASH }, early.failures);
  }
  const walk = await walkChain(query, tenantId, startSeq, from !== undefined, trust, batchSize, workers);
  const { failures, expected } = await trust;
  const trusted = trustedCount({ expected });

  if (!walk.failure) {
    // The walk ended cleanly at nextSeq - 1: any signed checkpoint past that is missing entries.
    const beyond = [...expected.keys()].map(BigInt).filter((seq) => seq >= walk.nextSeq);
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

type Trust = {
  /** One `bad_signature` per checkpoint that is not trusted, in the order they were given. */
  failures: Failure[];
  /** Hashes that trusted checkpoints give, by seq in decimal. */
  expected: Map<string, string[]>;
};

async function trustCheckpoints(
  checkpoints: Checkpoint[],
  tenantId: string,
  keys: Map<string, KeyObject>,
): Promise<Trust> {
  const problems = await Promise.all(
    checkpoints.map(async (c) => {
      const key = keys.get(c.keyId);
      if (c.tenantId !== tenantId) return `the checkpoint at ${c.seq} belongs to another tenant`;
      if (!key) return `the checkpoint at ${c.seq} is signed by key ${c.keyId}, which is not trusted`;
      if (!(await checkpointSignatureVerifies(c, key)))
        return `the checkpoint at ${c.seq} has an invalid signature`;
      return null;
    }),
  );
  const failures: Failure[] = [];
  const expected = new Map<string, string[]>();
  checkpoints.forEach((c, i) => {
    const problem = problems[i];
    if (problem) {
      failures.push({ seq: c.seq, reason: "bad_signature", message: problem });
    } else {
      const seq = c.seq.toString();
      expected.set(seq, [...(expected.get(seq) ?? []), c.hash]);
    }
  });
  return { failures, expected };
}

const trustedCount = ({ expected }: Pick<Trust, "expected">) =>
  [...expected.values()].reduce((n, hashes) => n + hashes.length, 0);

function result(
  ok: boolean,
  checked: number,
  checkpoints: number,
  head: Head,
  failures: Failure[],
): VerifyResult {
  const firstBad = failures.reduce<Failure | undefined>((a, b) => (a && a.seq <= b.seq ? a : b), undefined);
  return firstBad ? { ok, checked, checkpoints, head, firstBad } : { ok, checked, checkpoints, head };
}

const MESSAGES: Record<NonNullable<SegmentResult["failure"]>["reason"], (seq: bigint) => string> = {
  seq_gap: (seq) => `entry ${seq} is missing`,
  prev_hash_mismatch: (seq) =>
    `entry ${seq} does not follow entry ${seq - 1n} (deleted, inserted or reordered entries)`,
  hash_mismatch: (seq) => `entry ${seq} was changed after it was written`,
  checkpoint_mismatch: (seq) =>
    `entry ${seq} differs from the signed checkpoint at ${seq} (history was rewritten)`,
};

/** The seq and hash of a batch's last row, which the next batch must follow; null if it has none. */
function lastRowOf(rows: string): { seq: bigint; hash: string | null } | null {
  const row: unknown = JSON.parse(rows.slice(rows.lastIndexOf("\n") + 1));
  if (!Array.isArray(row)) return null;
  const seq: unknown = row[1];
  const hash: unknown = row[16];
  if (typeof seq !== "string" || !/^-?[0-9]+$/.test(seq) || !(hash === null || typeof hash === "string")) {
    return null;
  }
  return { seq: BigInt(seq), hash };
}

/** Segments checked or being checked at once, beyond which reading waits (bounds memory). */
const SEGMENTS_AHEAD = 4;

async function walkChain(
  query: AuditQuery,
  tenantId: string,
  startSeq: bigint,
  /** Starting at a checkpoint: its entry's link backwards is not checked, its hash is (in `expected`). */
  fromCheckpoint: boolean,
  trust: Promise<Trust>,
  batchSize: number,
  workers: number,
): Promise<{ checked: number; head: Head; nextSeq: bigint; failure?: Failure }> {
  const read = async (fromSeq: bigint) => {
    const [batch] = entryBatch.parse(await query(ENTRIES_SQL, [tenantId, fromSeq.toString(), batchSize]));
    return batch;
  };
  const segments: Promise<SegmentResult>[] = [];
  let settled = 0;
  let stop = false;
  let nextSeq = startSeq;
  let prevHash: string | null = fromCheckpoint ? null : GENESIS_HASH;
  /** Trusted checkpoint hashes in seq order, and how many of them earlier segments took. */
  let signed: { seq: bigint; hashes: [string, string[]] }[] | null = null;
  let taken = 0;
  let pending: ReturnType<typeof read> | null = read(startSeq);
  try {
    while (pending && !stop) {
      const batch = await pending;
      pending = null;
      if (batch.rows === null || batch.n === 0) break;
      const last = lastRowOf(batch.rows);
      // Read on while this batch is checked. Past a last row that cannot be read there is nothing to
      // follow; its segment reports it.
      if (last && batch.n === batchSize) pending = read(last.seq + 1n);
      signed ??= [...(await trust).expected]
        .map((hashes) => ({ seq: BigInt(hashes[0]), hashes }))
        .sort((a, b) => (a.seq < b.seq ? -1 : 1));
      const checkpoints: SegmentJob["checkpoints"] = [];
      for (; taken < signed.length; taken++) {
        const c = signed[taken];
        if (!c || (last && c.seq > last.seq)) break;
        if (c.seq >= nextSeq) checkpoints.push(c.hashes);
      }
      const job: SegmentJob = {
        rows: batch.rows,
        tenantId,
        firstSeq: nextSeq.toString(),
        prevHash,
        checkpoints,
      };
      segments.push(
        checkSegment(job, workers).then((r) => {
          settled += 1;
          if (r.failure || r.error !== undefined) stop = true;
          return r;
        }),
      );
      if (!last) break;
      nextSeq = last.seq + 1n;
      prevHash = last.hash;
      const oldest = segments[settled];
      if (segments.length - settled >= SEGMENTS_AHEAD && oldest) await oldest;
    }
  } finally {
    // Let a read still in flight finish, so the caller's transaction is idle when we return.
    await pending?.catch(() => null);
  }

  let checked = 0;
  let head: Head = { seq: 0n, hash: GENESIS_HASH };
  for (const segment of segments) {
    const r = await segment;
    checked += r.checked;
    if (r.head) head = { seq: BigInt(r.head.seq), hash: r.head.hash };
    if (r.failure) {
      const seq = BigInt(r.failure.seq);
      return {
        checked,
        head,
        nextSeq: seq,
        failure: { seq, reason: r.failure.reason, message: MESSAGES[r.failure.reason](seq) },
      };
    }
    if (r.error !== undefined) throw new Error(r.error);
  }
  return { checked, head, nextSeq: startSeq + BigInt(checked) };
}
