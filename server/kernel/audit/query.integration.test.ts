import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { withTenant } from "@/server/db/scope";
import type { TenantContext } from "@/server/tenancy/context";
import { createTestTenant, testDb, type TestTenant, type TestUser } from "@/server/testing/fixtures";
import { hashEntry, type AuditEntryInput } from "./entry";
import { createCheckpoint } from "./checkpoint";
import { appendAudit } from "./log";
import {
  auditCheckpoints,
  exportAuditEntries,
  getAuditEntry,
  listAuditEntries,
  verifyAuditLog,
  type AuditEntryView,
} from "./query";

let acme: TestTenant;
let globex: TestTenant;
let employee: TestUser;

const agent = { type: "agent", id: "agent-1", label: "Onboarding Helper" } as const;
const workflow = { type: "workflow", id: "wf-9", label: "Offboarding" } as const;

const ENTRIES: AuditEntryInput[] = [
  {
    actor: agent,
    onBehalfOf: { id: "u-alice", label: "Alice" },
    action: "syscall.decided",
    outcome: "approval_required",
    reasons: ["it-access-01"],
    resource: { type: "grant", label: "Figma for Bob" },
    detail: { request: "grant Figma to Bob", approver: "IT admin" },
  },
  {
    actor: agent,
    action: "syscall.decided",
    outcome: "allowed",
    resource: { type: "grant", label: "Slack for Bob" },
    detail: { request: "grant Slack to Bob" },
  },
  {
    actor: workflow,
    action: "syscall.decided",
    outcome: "denied",
    reasons: ["sod-01"],
    detail: { request: "delete the payroll export" },
  },
  {
    actor: workflow,
    action: "tool.called",
    outcome: "failed",
    resource: { type: "ticket", label: '=cmd|"/c calc"!A1' },
  },
  {
    actor: { type: "system", label: "Tenet" },
    action: "tool.called",
    outcome: "succeeded",
    resource: { type: "file", label: '100% done_report, "final"\nv2' },
  },
  {
    actor: agent,
    action: "member.role_changed",
    outcome: "succeeded",
    resource: { type: "membership", label: "Peter Gibbons" },
    detail: { from: "employee", to: "approver" },
  },
];

function ctxFor(t: TestTenant, user: TestUser) {
  return <T>(fn: (ctx: TenantContext) => Promise<T>) =>
    withTenant(testDb(), { tenantId: t.id }, (tx) =>
      fn({
        tenantId: t.id,
        actor: { userId: user.userId, membershipId: user.membershipId, role: user.role },
        db: tx,
      }),
    );
}

async function all(
  t: TestTenant,
  user: TestUser,
  filter: Parameters<typeof listAuditEntries>[1]["filter"] = {},
) {
  const out: AuditEntryView[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctxFor(t, user)((ctx) => listAuditEntries(ctx, { filter, cursor, limit: 4 }));
    out.push(...page.entries);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

beforeAll(async () => {
  [acme, globex] = await Promise.all([
    createTestTenant(testDb(), "acme"),
    createTestTenant(testDb(), "globex"),
  ]);
  employee = await acme.add("employee");
  await withTenant(testDb(), { tenantId: acme.id }, async (tx) => {
    for (const e of ENTRIES) await appendAudit(tx, acme.id, e);
  });
});

describe("listAuditEntries", () => {
  it("pages newest first by seq without gaps or repeats, with a sentence per entry", async () => {
    const entries = await all(acme, acme.owner);
    expect(entries.map((e) => e.seq)).toEqual([7n, 6n, 5n, 4n, 3n, 2n, 1n]);
    expect(entries.at(-2)?.sentence).toBe(
      "Agent Onboarding Helper (for Alice) asked to grant Figma to Bob: needed approval by IT admin under policy it-access-01",
    );
    const first = await ctxFor(acme, acme.owner)((ctx) => listAuditEntries(ctx, { limit: 7 }));
    expect(first.nextCursor).toBeNull();
  });

  it("filters by actor, action prefix, outcome, time range and label text", async () => {
    const seqs = async (filter: Parameters<typeof all>[2]) =>
      (await all(acme, acme.owner, filter)).map((e) => Number(e.seq));
    expect(await seqs({ actorType: "agent" })).toEqual([7, 3, 2]);
    expect(await seqs({ actorType: "workflow", actorId: "wf-9" })).toEqual([5, 4]);
    expect(await seqs({ actorLabel: "ONBOARDING" })).toEqual([7, 3, 2]);
    expect(await seqs({ actorLabel: "alice" })).toEqual([]);
    expect(await seqs({ actionPrefix: "syscall." })).toEqual([4, 3, 2]);
    expect(await seqs({ actionPrefix: "tool" })).toEqual([6, 5]);
    expect(await seqs({ outcome: "denied" })).toEqual([4]);
    expect(await seqs({ outcome: ["denied", "failed"] })).toEqual([5, 4]);
    expect(await seqs({ text: "alice" })).toEqual([2]);
    expect(await seqs({ text: "FOR BOB" })).toEqual([3, 2]);
    expect(await seqs({ text: "peter" })).toEqual([7]);
    // LIKE wildcards in the search are literal characters.
    expect(await seqs({ text: "100%" })).toEqual([6]);
    expect(await seqs({ text: "%" })).toEqual([6]);
    expect(await seqs({ text: "Peter_Gibbons" })).toEqual([]);
    expect(await seqs({ text: "done_report" })).toEqual([6]);

    const every = await all(acme, acme.owner);
    const at = (seq: number) => every.find((e) => e.seq === BigInt(seq))?.at ?? new Date(0);
    const ranged = await all(acme, acme.owner, { from: at(3), to: at(6) });
    const expected = every.filter((e) => e.at >= at(3) && e.at < at(6)).map((e) => e.seq);
    expect(ranged.map((e) => e.seq)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
  });

  it("is for owners and admins only, and shows only the caller's tenant", async () => {
    await expect(ctxFor(acme, employee)((ctx) => listAuditEntries(ctx, {}))).rejects.toThrow(
      /Only owners and admins/,
    );
    const globexEntries = await all(globex, globex.owner);
    expect(globexEntries.map((e) => [e.tenantId, e.action])).toEqual([[globex.id, "tenant.created"]]);
  });
});

/** A strict RFC 4180 reader, to prove the export can be read back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else {
      field += c;
    }
  }
  return rows;
}

const nullable = z.string().nullable();
/** What an outsider reads from a JSON export to recompute the hashes. */
const exportedEntries = z.object({
  count: z.number(),
  entries: z.array(
    z.object({
      id: z.string(),
      tenantId: z.string(),
      seq: z.string().transform(BigInt),
      at: z.string(),
      actorType: z.string(),
      actorId: nullable,
      actorLabel: z.string(),
      onBehalfOfId: nullable,
      onBehalfOfLabel: nullable,
      action: z.string(),
      resourceType: nullable,
      resourceId: nullable,
      resourceLabel: nullable,
      outcome: z.string(),
      reasons: z.array(z.string()),
      detail: z.json(),
      prevHash: z.string(),
      hash: z.string(),
    }),
  ),
});

describe("exportAuditEntries", () => {
  it("writes CSV that reads back field for field, with formulas defused", async () => {
    const exported = await ctxFor(
      acme,
      acme.owner,
    )((ctx) => exportAuditEntries(ctx, { format: "csv", filter: { actionPrefix: "tool." } }));
    expect(exported.contentType).toBe("text/csv; charset=utf-8");
    expect(exported.filename).toMatch(/^audit-.*\.csv$/);
    const [header, ...rows] = parseCsv(exported.body);
    expect(header?.slice(0, 3)).toEqual(["seq", "at", "actor_type"]);
    expect(rows.map((r) => r[0])).toEqual(["5", "6"]);
    const column = (name: string) => header?.indexOf(name) ?? -1;
    expect(rows[0]?.[column("resource")]).toBe(`'=cmd|"/c calc"!A1`);
    expect(rows[1]?.[column("resource")]).toBe('100% done_report, "final"\nv2');
    expect(rows.every((r) => r.length === header?.length)).toBe(true);
  });

  it("writes JSON in which every entry's hash can be recomputed, and records the export", async () => {
    const exported = await ctxFor(acme, acme.owner)((ctx) => exportAuditEntries(ctx, { format: "json" }));
    const parsed = exportedEntries.parse(JSON.parse(exported.body));
    expect(parsed.count).toBe(exported.count);
    for (const { hash, ...fields } of parsed.entries) expect(hashEntry(fields)).toBe(hash);
    const [latest] = (await ctxFor(acme, acme.owner)((ctx) => listAuditEntries(ctx, { limit: 1 }))).entries;
    expect(latest).toMatchObject({
      action: "audit.exported",
      actorId: acme.owner.userId,
      detail: { format: "json", count: parsed.count },
    });
    expect(latest?.sentence).toBe(`acme owner exported ${parsed.count} audit entries as JSON`);
    await expect(ctxFor(acme, employee)((ctx) => exportAuditEntries(ctx, { format: "csv" }))).rejects.toThrow(
      /Only owners and admins/,
    );
  });
});

describe("getAuditEntry, verifyAuditLog, auditCheckpoints", () => {
  it("reads one entry by seq with its detail and sentence; an unknown seq is not found", async () => {
    const entry = await ctxFor(acme, acme.owner)((ctx) => getAuditEntry(ctx, 7n));
    expect(entry).toMatchObject({
      seq: 7n,
      action: "member.role_changed",
      detail: { from: "employee", to: "approver" },
      sentence: "Agent Onboarding Helper changed Peter Gibbons's role from employee to approver",
    });
    await expect(ctxFor(acme, acme.owner)((ctx) => getAuditEntry(ctx, 999_999n))).rejects.toThrow(
      /No audit entry/,
    );
    // Globex's entry 2 does not exist, though Acme's does: seq is looked up in the caller's tenant.
    await expect(ctxFor(globex, globex.owner)((ctx) => getAuditEntry(ctx, 2n))).rejects.toThrow(
      /No audit entry/,
    );
    await expect(ctxFor(acme, employee)((ctx) => getAuditEntry(ctx, 1n))).rejects.toThrow(
      /Only owners and admins/,
    );
  });

  it("verifies the whole chain, or from the latest signed checkpoint", async () => {
    const full = await ctxFor(acme, acme.owner)((ctx) => verifyAuditLog(ctx, { scope: "full" }));
    expect(full.ok).toBe(true);
    expect(full.fromCheckpoint).toBeNull();
    expect(full.message).toBe(`Chain intact: ${full.checked} entries verified`);
    expect(full.head.seq).toBe(BigInt(full.checked));

    // Without a checkpoint, "since the checkpoint" reads everything.
    const noCheckpoint = await ctxFor(
      globex,
      globex.owner,
    )((ctx) => verifyAuditLog(ctx, { scope: "since_checkpoint" }));
    expect(noCheckpoint).toMatchObject({ ok: true, checked: 1, fromCheckpoint: null });

    const checkpoint = await withTenant(testDb(), { tenantId: acme.id }, (tx) =>
      createCheckpoint(tx, acme.id),
    );
    const since = await ctxFor(acme, acme.owner)((ctx) => verifyAuditLog(ctx, { scope: "since_checkpoint" }));
    expect(since).toMatchObject({ ok: true, checked: 1, fromCheckpoint: checkpoint?.seq });
    expect(since.message).toBe(
      `Chain intact: 1 entry verified since the signed checkpoint at entry ${checkpoint?.seq}`,
    );

    const exported = await ctxFor(acme, acme.owner)((ctx) => auditCheckpoints(ctx));
    expect(exported.checkpoints.map((c) => c.seq)).toContain(checkpoint?.seq.toString());
    await expect(ctxFor(acme, employee)((ctx) => verifyAuditLog(ctx, { scope: "full" }))).rejects.toThrow(
      /Only owners and admins/,
    );
    await expect(ctxFor(acme, employee)((ctx) => auditCheckpoints(ctx))).rejects.toThrow(
      /Only owners and admins/,
    );
  });
});
