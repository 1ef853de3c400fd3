/**
 * The audit console's API over HTTP: who may call it, what it returns, and that exports are recorded.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { withTenant } from "@/server/db/scope";
import { createInvite } from "@/server/tenancy/invites";
import {
  callHttp,
  contextFor,
  createTestTenant,
  testDb,
  type TestTenant,
  type TestUser,
} from "@/server/testing/fixtures";

let acme: TestTenant;
let admin: TestUser;
let employee: TestUser;

const page = z.object({
  entries: z.array(z.object({ seq: z.bigint(), action: z.string(), sentence: z.string() })),
  nextCursor: z.string().nullable(),
});

beforeAll(async () => {
  acme = await createTestTenant(testDb(), "acme");
  admin = await acme.add("admin");
  employee = await acme.add("employee");
  await withTenant(testDb(), { tenantId: acme.id }, async (tx) => {
    const ctx = { tenantId: acme.id, actor: { ...acme.owner }, db: tx };
    for (const n of [1, 2, 3]) await createInvite(ctx, { email: `person${n}@audit.test`, role: "employee" });
  });
});

const as = (user: TestUser) => contextFor(testDb(), user.userId, acme.slug);

describe("audit router", () => {
  it("refuses employees with 403 on every audit call", async () => {
    const calls: [string, unknown][] = [
      ["audit.list", {}],
      ["audit.entry", { seq: "1" }],
      ["audit.verify", { scope: "full" }],
      ["audit.export", { format: "csv" }],
      ["audit.checkpoints", undefined],
    ];
    for (const [path, input] of calls) {
      const res = await callHttp(as(employee), path, input);
      expect(res.status, path).toBe(403);
      expect(res.data, path).toBeUndefined();
    }
  });

  it("lists entries newest first with their sentences, page by page, filtered", async () => {
    const first = page.parse((await callHttp(as(admin), "audit.list", { action: "invite.", limit: 2 })).data);
    expect(first.entries.map((e) => e.sentence)).toEqual([
      "acme owner invited person3@audit.test to join as employee",
      "acme owner invited person2@audit.test to join as employee",
    ]);
    expect(first.nextCursor).not.toBeNull();
    const second = page.parse(
      (await callHttp(as(admin), "audit.list", { action: "invite.", limit: 2, cursor: first.nextCursor }))
        .data,
    );
    expect(second.entries.map((e) => e.sentence)).toEqual([
      "acme owner invited person1@audit.test to join as employee",
    ]);
    expect(second.nextCursor).toBeNull();

    const byActor = page.parse((await callHttp(as(admin), "audit.list", { actor: "ACME OWNER" })).data);
    expect(byActor.entries.length).toBeGreaterThanOrEqual(4);
    const nobody = page.parse((await callHttp(as(admin), "audit.list", { actor: "nobody at all" })).data);
    expect(nobody.entries).toEqual([]);
    const future = new Date(Date.now() + 86_400_000);
    const none = page.parse((await callHttp(as(admin), "audit.list", { from: future, to: future })).data);
    expect(none.entries).toEqual([]);
  });

  it("shows one entry in full, and answers 404 for a seq the log does not have", async () => {
    const res = await callHttp(as(admin), "audit.entry", { seq: "1" });
    expect(res.status).toBe(200);
    const entry = z.object({ hash: z.string() }).parse(res.data);
    expect(entry.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(res.data).toMatchObject({ seq: 1n, action: "tenant.created", detail: { slug: acme.slug } });
    const missing = await callHttp(as(admin), "audit.entry", { seq: "999999" });
    expect(missing.status).toBe(404);
    expect(missing.error?.message).toBe("No audit entry has that number");
  });

  it("verifies the chain with a readable message", async () => {
    const res = await callHttp(as(admin), "audit.verify", { scope: "since_checkpoint" });
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ ok: true, firstBad: null });
    expect(z.object({ message: z.string() }).parse(res.data).message).toMatch(
      /^Chain intact: \d+ entries verified$/,
    );
  });

  it("exports the filtered range as a file and records the export", async () => {
    const res = await callHttp(as(admin), "audit.export", { format: "csv", action: "invite." });
    expect(res.status).toBe(200);
    const file = z
      .object({ filename: z.string(), contentType: z.string(), count: z.number(), body: z.string() })
      .parse(res.data);
    expect(file).toMatchObject({ count: 3, contentType: "text/csv; charset=utf-8" });
    expect(file.filename).toMatch(/\.csv$/);
    expect(file.body.split("\r\n").filter(Boolean)).toHaveLength(4);
    const latest = page.parse((await callHttp(as(admin), "audit.list", { limit: 1 })).data).entries[0];
    expect(latest).toMatchObject({ action: "audit.exported" });
    expect(latest?.sentence).toMatch(/exported 3 audit entries as CSV$/);
  });

  it("exports the checkpoints with the public key", async () => {
    const res = await callHttp(as(admin), "audit.checkpoints", undefined);
    expect(res.status).toBe(200);
    const exported = z
      .object({ tenantId: z.string(), keyId: z.string(), publicKey: z.string() })
      .parse(res.data);
    expect(exported.tenantId).toBe(acme.id);
    expect(exported.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(exported.publicKey).toContain("BEGIN PUBLIC KEY");
  });
});
