import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json";
import { auditEntryInput, canonicalEntry, GENESIS_HASH, hashEntry, type HashedEntry } from "./entry";

const entry: HashedEntry = {
  id: "6f1c1a56-3f0e-4d4b-9d7c-0c9b8c1f2a10",
  tenantId: "0b0e7d0c-1a6f-4a43-8f7d-5b3a9c2e4d11",
  seq: 42n,
  at: "2026-11-21T10:30:33.123Z",
  actorType: "agent",
  actorId: "agent-7",
  actorLabel: "Onboarding helper",
  onBehalfOfId: "user-1",
  onBehalfOfLabel: "Alice",
  action: "syscall.decided",
  resourceType: "grant",
  resourceId: null,
  resourceLabel: "Figma for Bob",
  outcome: "approval_required",
  reasons: ["it-access-01"],
  detail: { request: "grant Figma to Bob", approver: "IT admin", nested: { b: [1, 2], a: "é\n" } },
  prevHash: GENESIS_HASH,
};

describe("entry hashing", () => {
  it("canonicalEntry is canonicalJson of every hashed field (seq as a JSON number)", () => {
    expect(canonicalEntry(entry)).toBe(canonicalJson({ ...entry, seq: Number(entry.seq) }));
    const bare: HashedEntry = {
      ...entry,
      actorId: null,
      onBehalfOfId: null,
      onBehalfOfLabel: null,
      resourceType: null,
      resourceLabel: null,
      reasons: null,
      detail: {},
    };
    expect(canonicalEntry(bare)).toBe(canonicalJson({ ...bare, seq: Number(bare.seq) }));
  });

  it("covers every field: changing any one changes the hash", () => {
    const base = hashEntry(entry);
    const changes: Partial<HashedEntry>[] = [
      { id: "6f1c1a56-3f0e-4d4b-9d7c-0c9b8c1f2a11" },
      { tenantId: "0b0e7d0c-1a6f-4a43-8f7d-5b3a9c2e4d12" },
      { seq: 43n },
      { at: "2026-11-21T10:30:33.124Z" },
      { actorType: "user" },
      { actorId: null },
      { actorLabel: "Onboarding helper " },
      { onBehalfOfId: "user-2" },
      { onBehalfOfLabel: null },
      { action: "syscall.decided_" },
      { resourceType: null },
      { resourceId: "" },
      { resourceLabel: "Figma for Bo" },
      { outcome: "allowed" },
      { reasons: [] },
      { reasons: null },
      { detail: { ...(entry.detail as object), approver: "Someone else" } },
      { prevHash: "1".repeat(64) },
    ];
    const hashes = changes.map((c) => hashEntry({ ...entry, ...c }));
    for (const h of hashes) expect(h).not.toBe(base);
    expect(new Set(hashes).size).toBe(changes.length);
  });

  it("is stable: the format is part of every stored chain", () => {
    // Computed independently (Python: json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)).
    // If this changes, every existing log stops verifying: change the format only with a new version.
    expect(hashEntry(entry)).toBe("34379697c8953c3d100780c661dcc85df99f30fa814a7472b3312c5599cc5751");
  });
});

describe("auditEntryInput", () => {
  const ok = {
    actor: { type: "user", id: "u1", label: "Alice" },
    action: "member.role_changed",
    outcome: "succeeded",
  } as const;

  it("accepts a minimal entry and defaults reasons", () => {
    expect(auditEntryInput.parse(ok).reasons).toEqual([]);
  });

  it("refuses malformed actions, outcomes and actors", () => {
    for (const action of ["Member.changed", "member", "member..x", "member.role changed", ".x", "a.b-c"]) {
      expect(auditEntryInput.safeParse({ ...ok, action }).success, action).toBe(false);
    }
    expect(auditEntryInput.safeParse({ ...ok, outcome: "maybe" }).success).toBe(false);
    expect(auditEntryInput.safeParse({ ...ok, actor: { type: "robot", label: "R" } }).success).toBe(false);
    expect(auditEntryInput.safeParse({ ...ok, actor: { type: "user", label: "  " } }).success).toBe(false);
    expect(auditEntryInput.safeParse({ ...ok, detail: [1, 2] }).success).toBe(false);
  });
});
