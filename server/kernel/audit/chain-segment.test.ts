import { describe, expect, it } from "vitest";
import { fastEntryRow, readEntryRow, SegmentCheck, type SegmentJob } from "./chain-segment.mjs";
import type { JsonValue } from "./canonical-json";
import { GENESIS_HASH, hashEntry, type HashedEntry } from "./entry";
import { prng } from "./sample-entries";

const TENANT = "0b0e7d0c-1a6f-4a43-8f7d-5b3a9c2e4d11";
const tenantJson = JSON.stringify(TENANT);

type Stored = HashedEntry & { hash: string | null };
type Written = HashedEntry & { hash: string };

/**
 * jsonb's text form, as PostgreSQL writes it: keys ordered by byte length and then bytes, ", " and
 * ": " between members, strings escaped as JSON.stringify does. Numbers here are ones numeric writes as
 * JSON.stringify does (the integration test covers the others on a real server).
 */
function jsonbText(value: JsonValue): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(jsonbText).join(", ")}]`;
  const keys = Object.keys(value).sort(
    (a, b) => Buffer.byteLength(a) - Buffer.byteLength(b) || Buffer.compare(Buffer.from(a), Buffer.from(b)),
  );
  return `{${keys.map((k) => `${JSON.stringify(k)}: ${jsonbText(value[k] ?? null)}`).join(", ")}}`;
}

/** A row as ENTRY_ROW_SQL returns it: json_build_array's ", " between elements. */
function pgRow(e: Stored): string {
  const t = (v: string | null) => (v === null ? "null" : JSON.stringify(v));
  const reasons = e.reasons === null ? "null" : `[${e.reasons.map((r) => JSON.stringify(r)).join(",")}]`;
  return `[${[
    t(e.id),
    t(e.seq.toString()),
    t(e.at),
    t(e.actorType),
    t(e.actorId),
    t(e.actorLabel),
    t(e.onBehalfOfId),
    t(e.onBehalfOfLabel),
    t(e.action),
    t(e.resourceType),
    t(e.resourceId),
    t(e.resourceLabel),
    t(e.outcome),
    reasons,
    jsonbText(e.detail),
    t(e.prevHash),
    t(e.hash),
  ].join(", ")}]`;
}

const AWKWARD = [
  "",
  "plain",
  'a "quoted" word',
  "back\\slash",
  "line\nbreak\ttab\r\b\f",
  "\u0001\u001f\u007f",
  "é ñ ü “curly” — dash",
  "emoji 😀 and 𝄞",
  "\u2028\u2029",
  "null",
  '", "',
  "]",
  "\uFFFD",
];

function entry(seq: number, random: () => number, prevHash: string): Written {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] ?? items[0]!;
  const text = () => (random() < 0.7 ? `text ${seq}` : pick(AWKWARD));
  const maybe = () => (random() < 0.3 ? null : text());
  const e: HashedEntry = {
    id: `6f1c1a56-3f0e-4d4b-9d7c-${seq.toString(16).padStart(12, "0")}`,
    tenantId: TENANT,
    seq: BigInt(seq),
    at: new Date(Date.UTC(2026, 10, 21, 10, 0, 0, seq)).toISOString(),
    actorType: pick(["user", "agent", "workflow", "system"]),
    actorId: maybe(),
    actorLabel: text(),
    onBehalfOfId: maybe(),
    onBehalfOfLabel: maybe(),
    action: "syscall.decided",
    resourceType: random() < 0.5 ? null : "thing",
    resourceId: maybe(),
    resourceLabel: maybe(),
    outcome: pick(["allowed", "denied", "recorded"]),
    reasons: pick([null, [], ["it-access-01"], ["a", text(), "c"]]),
    detail: pick<JsonValue>([
      {},
      { i: seq, ratio: 281.104, flags: [true, null, "x"], nested: { note: text(), depth: { n: seq * 2 } } },
      { [text()]: text(), "10": 1, "2": [2, { b: 1, a: 0, aa: -3 }], é: 0.5, Z: false },
      [1, "two", null],
      "a string",
      42,
      null,
    ]),
    prevHash,
  };
  return { ...e, hash: hashEntry(e) };
}

function chain(length: number, seed: number): Written[] {
  const random = prng(seed);
  const out: Written[] = [];
  for (let seq = 1; seq <= length; seq++) out.push(entry(seq, random, out.at(-1)?.hash ?? GENESIS_HASH));
  return out;
}

const job = (entries: Stored[], overrides: Partial<SegmentJob> = {}): SegmentJob => ({
  rows: entries.map(pgRow).join("\n"),
  tenantId: TENANT,
  firstSeq: (entries[0]?.seq ?? 1n).toString(),
  prevHash: GENESIS_HASH,
  checkpoints: [],
  ...overrides,
});

function check(j: SegmentJob, rowsPerStep = Infinity) {
  const segment = new SegmentCheck(j);
  while (!segment.advance(rowsPerStep));
  return segment.result();
}

describe("readEntryRow", () => {
  it("hashes every row as hashEntry does, escapes and odd shapes included", () => {
    for (const e of chain(500, 1)) {
      expect(readEntryRow(pgRow(e), TENANT, tenantJson)).toEqual({
        seq: e.seq.toString(),
        prevHash: e.prevHash,
        hash: e.hash,
        computed: e.hash,
      });
    }
  });

  it("reads a plain row without decoding it, and leaves rows with escapes to JSON.parse", () => {
    const [first] = chain(1, 2);
    if (!first) throw new Error("no entry");
    const plain = { ...first, actorLabel: "Alice", resourceLabel: "Figma “for” Bob", reasons: ["a", "b"] };
    expect(fastEntryRow(pgRow(plain), tenantJson)?.computed).toBe(hashEntry(plain));
    const escaped = { ...plain, actorLabel: 'Alice "A"' };
    expect(fastEntryRow(pgRow(escaped), tenantJson)).toBeNull();
    expect(readEntryRow(pgRow(escaped), TENANT, tenantJson).computed).toBe(hashEntry(escaped));
    // An escape inside detail is fine: detail is parsed either way.
    const detail = { ...plain, detail: { note: 'say "hi"\n' } };
    expect(fastEntryRow(pgRow(detail), tenantJson)?.computed).toBe(hashEntry(detail));
  });

  it("reports null columns and a stored hash that is not a hash, and refuses rows of another shape", () => {
    const [first] = chain(1, 3);
    if (!first) throw new Error("no entry");
    const emptied = { ...first, actorLabel: null, action: null, hash: null };
    const read = readEntryRow(pgRow(emptied), TENANT, tenantJson);
    expect(read).toMatchObject({ hash: null, computed: hashEntry(emptied) });
    const short = { ...first, hash: "abc" };
    expect(readEntryRow(pgRow(short), TENANT, tenantJson)).toMatchObject({
      hash: "abc",
      computed: first.hash,
    });
    expect(() => readEntryRow(`[1, 2]`, TENANT, tenantJson)).toThrow(/shape/);
    expect(() => readEntryRow(pgRow(first).replace(`"${first.seq}"`, "7"), TENANT, tenantJson)).toThrow(
      /shape/,
    );
  });
});

describe("SegmentCheck", () => {
  const entries = chain(40, 4);
  const at = (seq: number) => entries[seq - 1]!;

  it("checks a chain whole, in segments that each follow the one before, and a few rows at a time", () => {
    expect(check(job(entries))).toEqual({ checked: 40, head: { seq: "40", hash: at(40).hash } });
    const parts = [entries.slice(0, 13), entries.slice(13, 26), entries.slice(26)];
    let prevHash: string | null = GENESIS_HASH;
    for (const part of parts) {
      const r = check(job(part, { prevHash }), 3);
      expect(r).toEqual({
        checked: part.length,
        head: { seq: part.at(-1)?.seq.toString(), hash: part.at(-1)?.hash },
      });
      prevHash = r.head?.hash ?? null;
    }
  });

  it("names the first problem in the segment, at its first row and at its last", () => {
    const part = entries.slice(10, 20);
    expect(check(job(part, { prevHash: "1".repeat(64) }))).toEqual({
      checked: 0,
      head: null,
      failure: { seq: "11", reason: "prev_hash_mismatch" },
    });
    // A segment that starts at a checkpoint does not check its first row's link.
    expect(check(job(part, { prevHash: null }))).toMatchObject({ checked: 10 });
    expect(check(job(part, { firstSeq: "10", prevHash: at(9).hash }))).toMatchObject({
      failure: { seq: "10", reason: "seq_gap" },
    });
    const edited = part.map((e) => (e.seq === 20n ? { ...e, actorLabel: "edited" } : e));
    expect(check(job(edited, { prevHash: at(10).hash }), 4)).toEqual({
      checked: 9,
      head: { seq: "19", hash: at(19).hash },
      failure: { seq: "20", reason: "hash_mismatch" },
    });
    const gap = part.filter((e) => e.seq !== 15n);
    expect(check(job(gap, { prevHash: at(10).hash }))).toMatchObject({
      checked: 4,
      failure: { seq: "15", reason: "seq_gap" },
    });
  });

  it("compares every trusted checkpoint in the segment", () => {
    const part = entries.slice(0, 20);
    const ok = check(
      job(part, {
        checkpoints: [
          ["5", [at(5).hash, at(5).hash]],
          ["20", [at(20).hash]],
        ],
      }),
    );
    expect(ok).toMatchObject({ checked: 20 });
    expect(check(job(part, { checkpoints: [["12", [at(12).hash, "f".repeat(64)]]] }))).toMatchObject({
      checked: 11,
      failure: { seq: "12", reason: "checkpoint_mismatch" },
    });
  });

  it("stops at a row it cannot read, after the rows before it", () => {
    const rows = [...entries.slice(0, 3).map(pgRow), "[1, 2, 3]", pgRow(at(5))].join("\n");
    const stopped = check({ ...job(entries), rows });
    expect(stopped).toMatchObject({ checked: 3, head: { seq: "3" } });
    expect(stopped.error).toMatch(/shape/);
    expect(check({ ...job(entries), rows: "" })).toEqual({ checked: 0, head: null });
  });

  it("counts past the largest safe integer exactly", () => {
    const big = 2n ** 53n + 5n;
    let prevHash = GENESIS_HASH;
    const random = prng(5);
    const run = Array.from({ length: 3 }, (_, i) => {
      const e = { ...entry(1, random, prevHash), seq: big + BigInt(i) };
      const stored = { ...e, hash: hashEntry(e) };
      prevHash = stored.hash;
      return stored;
    });
    expect(check(job(run, { firstSeq: big.toString() }))).toMatchObject({
      checked: 3,
      head: { seq: (big + 2n).toString() },
    });
  });
});
