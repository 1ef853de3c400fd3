/**
 * The tool broker through kernel.call on a real database: leases on business objects (conflict,
 * wait, escalate, expiry of a crashed holder), idempotency keys, parallel limits and the record of
 * every call. Kernels with their own Prisma clients stand for separate app processes; the test
 * connector holds a call open until the test lets it go, so no test depends on timing.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { z } from "zod";
import { createPrismaClient } from "@/server/db/client";
import { withTenant } from "@/server/db/scope";
import { registerAgent } from "@/server/kernel/access/agents";
import { AccessEvaluator } from "@/server/kernel/access/evaluator";
import { createGrant } from "@/server/kernel/access/grant-admin";
import { describeAuditEntry } from "@/server/kernel/audit/sentence";
import { eventually } from "@/server/testing/eventually";
import {
  createTestTenant,
  kernelDeps,
  testDb,
  type TestTenant,
  type TestUser,
} from "@/server/testing/fixtures";
import { Kernel, type KernelContext, type Syscall, type SyscallResult } from "../kernel";
import { createToolRegistry, defineTool, type ToolAction } from "./registry";

type Gate = { open: () => void; opened: Promise<void> };
function gate(): Gate {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

/** What reached the room system, in order; a room in `holds` keeps its next caller inside the driver. */
const effects: { roomId: string; syscallId: string }[] = [];
const events: string[] = [];
const holds = new Map<string, { entered: Gate; release: Gate }>();
const hold = (roomId: string) => {
  const h = { entered: gate(), release: gate() };
  holds.set(roomId, h);
  return h;
};

const bookingInput = z.object({
  roomId: z.string(),
  start: z.iso.datetime().optional(),
  end: z.iso.datetime().optional(),
  fail: z.boolean().optional(),
});

/** Room booking that leases `room:<id>` over the booked hours (the whole room without them). */
function roomTool(declared: Partial<ToolAction> = {}): ToolAction {
  return {
    ...defineTool({
      action: "facilities.room.book",
      connector: "test-rooms",
      effect: "write",
      input: bookingInput,
      output: z.object({ bookingId: z.string() }),
      timeoutMs: 20_000,
      leases: (input) => [
        {
          key: `room:${input.roomId}`,
          from: input.start ? new Date(input.start) : undefined,
          to: input.end ? new Date(input.end) : undefined,
        },
      ],
      run: async (input, ctx) => {
        events.push(`start ${ctx.syscallId}`);
        // Only the first call to reach the room after hold() is held.
        const held = holds.get(input.roomId);
        holds.delete(input.roomId);
        if (held) {
          held.entered.open();
          await held.release.opened;
        }
        if (input.fail) throw new Error("The room system is down");
        effects.push({ roomId: input.roomId, syscallId: ctx.syscallId });
        events.push(`end ${ctx.syscallId}`);
        return { bookingId: `b-${input.roomId}-${ctx.syscallId.slice(0, 8)}` };
      },
    }),
    ...declared,
  };
}

const otherProcessDb = createPrismaClient(inject("appUrl"), { max: 4 });
afterAll(async () => {
  await otherProcessDb.$disconnect();
});

/** A kernel with the room tool as declared, in "process" A (the shared client) or B (its own). */
const kernelWith = (declared: Partial<ToolAction> = {}, process: "A" | "B" = "A") =>
  new Kernel({
    db: process === "A" ? testDb : () => otherProcessDb,
    tools: createToolRegistry([roomTool(declared)]),
    evaluator: new AccessEvaluator(),
    ...kernelDeps(process === "A" ? testDb : () => otherProcessDb),
  });

const failA = kernelWith();
const failB = kernelWith({}, "B");
const waiting = kernelWith({ onConflict: "wait" }, "B");
const escalating = kernelWith({ onConflict: "escalate" });

let acme: TestTenant;
let employee: TestUser;
let botA: KernelContext;
let botB: KernelContext;

/** An agent allowed to book rooms, acting for `actingFor`. */
async function roomAgent(name: string, actingFor: TestUser): Promise<KernelContext> {
  const agentId = await acme.asOwner(async (ctx) => {
    const { id } = await registerAgent(ctx, {
      name,
      skillId: "room-bot",
      skillName: "Room bot",
      skillVersion: "1.0.0",
      publisher: "Tenet Labs",
    });
    await createGrant(ctx, {
      agentId: id,
      actions: ["facilities.room.book"],
      resource: null,
      expiresAt: new Date(Date.now() + 3600_000),
      reason: "Books rooms",
    });
    return id;
  });
  return { tenantId: acme.id, principal: { type: "agent", agentId, actingForUserId: actingFor.userId } };
}

let roomCount = 0;
const newRoom = () => `r-${++roomCount}-${Math.random().toString(36).slice(2, 8)}`;
const book = (roomId: string, start?: string, end?: string, extra: object = {}): Syscall => ({
  action: "facilities.room.book",
  resource: { type: "Room", id: roomId, attrs: {} },
  resourceLabel: `Room ${roomId}`,
  input: { roomId, start, end, ...extra },
});
const NINE = "2026-12-01T09:00:00.000Z";
const TEN = "2026-12-01T10:00:00.000Z";
const lease = (roomId: string, from = NINE, to = TEN) => `room:${roomId}@${from}/${to}`;

const asEmployee = (): KernelContext => ({
  tenantId: acme.id,
  principal: { type: "user", userId: employee.userId },
});

async function completedEntry(syscallId: string) {
  const entry = await withTenant(testDb(), { tenantId: acme.id }, (tx) =>
    tx.auditEntry.findFirstOrThrow({
      where: {
        tenantId: acme.id,
        action: "syscall.completed",
        detail: { path: ["syscallId"], equals: syscallId },
      },
    }),
  );
  return { ...entry, sentence: describeAuditEntry({ ...entry, detail: entry.detail }) };
}

const callsOf = (syscallIds: string[]) =>
  withTenant(testDb(), { tenantId: acme.id }, (tx) =>
    tx.toolCall.findMany({ where: { tenantId: acme.id, syscallId: { in: syscallIds } } }),
  );
const leasesOn = (roomId: string) =>
  withTenant(testDb(), { tenantId: acme.id }, (tx) =>
    tx.toolLease.findMany({
      where: { tenantId: acme.id, key: `room:${roomId}` },
      orderBy: { acquiredAt: "asc" },
    }),
  );

/** Starts `first` and waits until it is inside the driver, holding its leases. */
async function holding(roomId: string, first: () => Promise<SyscallResult>) {
  const h = hold(roomId);
  const result = first();
  await h.entered.opened;
  return {
    result,
    release: async () => {
      h.release.open();
      return result;
    },
  };
}

function expectStatus<S extends SyscallResult["status"]>(
  result: SyscallResult,
  status: S,
): Extract<SyscallResult, { status: S }> {
  expect(result.status, JSON.stringify(result)).toBe(status);
  if (result.status !== status) throw new Error("unreachable");
  return result as Extract<SyscallResult, { status: S }>;
}

beforeAll(async () => {
  acme = await createTestTenant(testDb(), "acme");
  employee = await acme.add("employee");
  botA = await roomAgent("Room bot A", employee);
  botB = await roomAgent("Room bot B", employee);
});

describe("leases on business objects", () => {
  it("two agents in two processes book the same room at once: one succeeds, the other gets a conflict", async () => {
    const room = newRoom();
    const h = hold(room);
    const a = failA.call(botA, book(room, NINE, TEN));
    const b = failB.call(botB, book(room, NINE, TEN));
    // The winner waits inside the driver until released, so the first to answer is the loser.
    const loser = expectStatus(await Promise.race([a, b]), "conflict");
    h.release.open();
    const [ra, rb] = await Promise.all([a, b]);
    const winner = expectStatus(ra.syscallId === loser.syscallId ? rb : ra, "succeeded");

    expect(effects.filter((e) => e.roomId === room)).toEqual([{ roomId: room, syscallId: winner.syscallId }]);
    const winnerLabel =
      winner === ra ? "Agent Room bot A (for acme employee)" : "Agent Room bot B (for acme employee)";
    expect(loser).toEqual({
      status: "conflict",
      syscallId: loser.syscallId,
      resource: lease(room),
      heldBy: { syscallId: winner.syscallId, label: winnerLabel },
      escalatedTo: null,
      reasons: [expect.stringMatching(/^grant-/) as string],
    });

    const audited = await completedEntry(loser.syscallId);
    expect(audited).toMatchObject({ outcome: "conflict" });
    expect(audited.detail).toMatchObject({
      conflict: { resource: lease(room), heldBy: { syscallId: winner.syscallId }, escalatedTo: null },
    });
    expect(audited.sentence).toBe(
      `Agent ${winner === ra ? "Room bot B" : "Room bot A"} (for acme employee)'s request to book a room: Room ${room} was not carried out: ${lease(room)} is held by ${winnerLabel}`,
    );
    // Nothing of the loser was recorded; the winner's call is finished and its lease given back.
    const [call] = await callsOf([winner.syscallId, loser.syscallId]);
    expect(call).toMatchObject({ syscallId: winner.syscallId, state: "succeeded", expiresAt: null });
    expect((await leasesOn(room)).map((l) => l.releasedAt)).toEqual([expect.any(Date)]);
  });

  it("never lets two calls into the same room at once (20 calls from two processes)", async () => {
    const room = newRoom();
    let inside = 0;
    let most = 0;
    const counting: Partial<ToolAction> = {
      run: async () => {
        inside++;
        most = Math.max(most, inside);
        // Stay a moment, so that calls which should not overlap would if they could.
        await new Promise((resolve) => setTimeout(resolve, 5));
        inside--;
        return { bookingId: "b-counted" };
      },
    };
    const [a, b] = [kernelWith(counting, "A"), kernelWith(counting, "B")];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).call(asEmployee(), book(room, NINE, TEN))),
    );
    expect(most).toBe(1);
    expect(results.filter((r) => r.status === "succeeded").length).toBeGreaterThan(0);
    expect(results.every((r) => r.status === "succeeded" || r.status === "conflict")).toBe(true);
  });

  it("only overlapping claims conflict: intervals are half-open, and a claim without one covers all time", async () => {
    const room = newRoom();
    const held = await holding(room, () => failA.call(botA, book(room, NINE, TEN)));
    const try_ = async (start?: string, end?: string, other = room) =>
      (await failB.call(asEmployee(), book(other, start, end))).status;
    expect(await try_("2026-12-01T09:30:00.000Z", "2026-12-01T10:30:00.000Z")).toBe("conflict");
    expect(await try_("2026-12-01T08:00:00.000Z", "2026-12-01T12:00:00.000Z")).toBe("conflict");
    expect(await try_(undefined, undefined)).toBe("conflict");
    expect(await try_(TEN, "2026-12-01T11:00:00.000Z")).toBe("succeeded");
    expect(await try_("2026-12-01T08:00:00.000Z", NINE)).toBe("succeeded");
    expect(await try_(NINE, TEN, newRoom())).toBe("succeeded");
    expectStatus(await held.release(), "succeeded");

    // A whole-room claim blocks every interval on the room while it is held.
    const closed = await holding(room, () => failA.call(botA, book(room)));
    const blocked = expectStatus(await failB.call(asEmployee(), book(room, NINE, TEN)), "conflict");
    expect(blocked.resource).toBe(`room:${room}`);
    expectStatus(await closed.release(), "succeeded");
    expect((await failB.call(asEmployee(), book(room, NINE, TEN))).status).toBe("succeeded");
  });

  it('"wait" proceeds once the holder has finished, and answers with the conflict if it takes too long', async () => {
    const room = newRoom();
    const held = await holding(room, () => failA.call(botA, book(room, NINE, TEN)));
    const waiter = waiting.call(botB, book(room, NINE, TEN));
    const holder = expectStatus(await held.release(), "succeeded");
    const after = expectStatus(await waiter, "succeeded");
    // The waiter's driver started only after the holder's had ended.
    expect(events.indexOf(`start ${after.syscallId}`)).toBeGreaterThan(
      events.indexOf(`end ${holder.syscallId}`),
    );
    expect(effects.filter((e) => e.roomId === room).map((e) => e.syscallId)).toEqual([
      holder.syscallId,
      after.syscallId,
    ]);

    const impatient = kernelWith({ onConflict: "wait", conflictWaitMs: 50 });
    const again = await holding(room, () => failA.call(botA, book(room, NINE, TEN)));
    const gaveUp = expectStatus(await impatient.call(botB, book(room, NINE, TEN)), "conflict");
    expect(gaveUp).toMatchObject({ resource: lease(room), escalatedTo: null });
    await again.release();
  });

  it('"escalate" answers with the conflict referred to an admin', async () => {
    const room = newRoom();
    const held = await holding(room, () => failA.call(botA, book(room, NINE, TEN)));
    const escalated = expectStatus(await escalating.call(asEmployee(), book(room, NINE, TEN)), "conflict");
    expect(escalated).toMatchObject({ resource: lease(room), escalatedTo: "role:admin" });
    const audited = await completedEntry(escalated.syscallId);
    expect(audited.sentence).toBe(
      `acme employee's request to book a room: Room ${room} was not carried out: ${lease(room)} is held by Agent Room bot A (for acme employee); referred to an admin`,
    );
    await held.release();
  });

  it("a lease is given back when the call fails, so the next booking goes ahead", async () => {
    const room = newRoom();
    const failedCall = await failA.call(botA, book(room, NINE, TEN, { fail: true }));
    expect(failedCall).toMatchObject({ status: "failed", error: "The room system is down" });
    const [call] = await callsOf([failedCall.syscallId]);
    expect(call).toMatchObject({ state: "failed", error: "The room system is down", expiresAt: null });
    expect((await failB.call(botB, book(room, NINE, TEN))).status).toBe("succeeded");
  });

  it("a crashed holder's lease blocks until it expires, and is then reclaimed, visibly", async () => {
    const room = newRoom();
    const crashed = randomUUID();
    // A call whose process died mid-call: recorded and leased, never finished.
    await withTenant(testDb(), { tenantId: acme.id }, async (tx) => {
      const now = new Date();
      const expiresAt = new Date(now.getTime() + 3600_000);
      await tx.toolCall.create({
        data: {
          syscallId: crashed,
          tenantId: acme.id,
          action: "facilities.room.book",
          connector: "test-rooms",
          inputHash: "0".repeat(64),
          state: "running",
          startedAt: now,
          expiresAt,
        },
      });
      await tx.toolLease.create({
        data: {
          tenantId: acme.id,
          key: `room:${room}`,
          from: new Date(NINE),
          to: new Date(TEN),
          syscallId: crashed,
          holder: "Agent Gone (for acme employee)",
          acquiredAt: now,
          expiresAt,
        },
      });
    });
    const blocked = expectStatus(await failA.call(botA, book(room, NINE, TEN)), "conflict");
    expect(blocked.heldBy).toEqual({ syscallId: crashed, label: "Agent Gone (for acme employee)" });

    // Its lease time runs out.
    await withTenant(testDb(), { tenantId: acme.id }, async (tx) => {
      const past = new Date(Date.now() - 1000);
      await tx.toolCall.update({ where: { syscallId: crashed }, data: { expiresAt: past } });
      await tx.toolLease.updateMany({
        where: { tenantId: acme.id, syscallId: crashed },
        data: { expiresAt: past },
      });
    });
    const reclaimer = expectStatus(await failB.call(botB, book(room, NINE, TEN)), "succeeded");
    const [old, fresh] = await leasesOn(room);
    expect(old).toMatchObject({
      syscallId: crashed,
      reclaimedBy: reclaimer.syscallId,
      releasedAt: expect.any(Date) as Date,
    });
    expect(fresh).toMatchObject({
      syscallId: reclaimer.syscallId,
      releasedAt: expect.any(Date) as Date,
      reclaimedBy: null,
    });
    const [abandoned] = await callsOf([crashed]);
    expect(abandoned).toMatchObject({
      state: "failed",
      error: expect.stringContaining("Abandoned") as string,
    });
    expect((await completedEntry(reclaimer.syscallId)).detail).toMatchObject({
      leases: [lease(room)],
      reclaimed: [
        { lease: lease(room), from: { syscallId: crashed, label: "Agent Gone (for acme employee)" } },
      ],
    });
  });
});

describe("idempotency keys", () => {
  it("a repeated key returns the first call's output without calling the connector again", async () => {
    const room = newRoom();
    const key = `book-${room}`;
    const first = expectStatus(await failA.call(botA, { ...book(room), idempotencyKey: key }), "succeeded");
    const again = expectStatus(await failB.call(botA, { ...book(room), idempotencyKey: key }), "succeeded");
    expect(first.replayed).toBe(false);
    expect(again).toMatchObject({ replayed: true, output: first.output });
    expect(effects.filter((e) => e.roomId === room)).toHaveLength(1);
    const audited = await completedEntry(again.syscallId);
    expect(audited.detail).toMatchObject({ replayed: true, replayedFrom: first.syscallId });
    expect(audited.sentence).toBe(
      `Agent Room bot A (for acme employee)'s request to book a room: Room ${room} had already been carried out; the earlier result was returned`,
    );
    expect(await callsOf([again.syscallId])).toEqual([]);
  });

  it("concurrent calls with one key, in two processes, run the connector once and all get its output", async () => {
    const room = newRoom();
    const h = hold(room);
    const syscall = { ...book(room, NINE, TEN), idempotencyKey: `book-${room}` };
    const calls = [failA, failB, failA, failB, failA].map((k) => k.call(botA, syscall));
    await h.entered.opened;
    h.release.open();
    const results = (await Promise.all(calls)).map((r) => expectStatus(r, "succeeded"));
    expect(effects.filter((e) => e.roomId === room)).toHaveLength(1);
    expect(new Set(results.map((r) => JSON.stringify(r.output))).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
  });

  it("a failed call may run again under its key; a key reused for another input is refused", async () => {
    const room = newRoom();
    const key = `retry-${room}`;
    const failedCall = await failA.call(botA, {
      ...book(room, NINE, TEN, { fail: true }),
      idempotencyKey: key,
    });
    expect(failedCall.status).toBe("failed");
    const retried = await failA.call(botA, { ...book(room, NINE, TEN, { fail: true }), idempotencyKey: key });
    expect(retried.status).toBe("failed");
    expect(events.filter((e) => e === `start ${retried.syscallId}`)).toHaveLength(1);

    const done = expectStatus(
      await failA.call(botA, { ...book(room, NINE, TEN), idempotencyKey: `ok-${room}` }),
      "succeeded",
    );
    const misuse = await failA.call(botA, {
      ...book(room, TEN, "2026-12-01T11:00:00.000Z"),
      idempotencyKey: `ok-${room}`,
    });
    expect(misuse).toMatchObject({
      status: "failed",
      error: expect.stringContaining("different input") as string,
    });
    expect(effects.filter((e) => e.roomId === room).map((e) => e.syscallId)).toEqual([done.syscallId]);
  });
});

describe("parallel limits", () => {
  it("never runs more than maxParallel calls of an action in a tenant, across processes", async () => {
    let inFlight = 0;
    let most = 0;
    const release = gate();
    const limited: Partial<ToolAction> = {
      maxParallel: 2,
      leases: undefined,
      run: async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await release.opened;
        inFlight--;
        return { bookingId: "b-limited" };
      },
    };
    const [a, b] = [kernelWith(limited, "A"), kernelWith(limited, "B")];
    const calls = Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).call(asEmployee(), book(newRoom())));
    await eventually(
      () => Promise.resolve(inFlight),
      (n) => n === 2,
      { what: "two calls in flight" },
    );
    release.open();
    const results = await Promise.all(calls);
    expect(results.map((r) => r.status)).toEqual(Array<string>(8).fill("succeeded"));
    expect(most).toBe(2);
  });
});

describe("what the broker writes", () => {
  it("input that breaks the schema, or a bad lease declaration, writes nothing and reaches no driver", async () => {
    const room = newRoom();
    const before = events.length;
    const bad = await failA.call(botA, { ...book(room), input: { roomId: 5 } });
    expect(bad).toMatchObject({
      status: "failed",
      error: expect.stringContaining("Invalid input") as string,
    });
    const backwards = await failA.call(botA, book(room, TEN, NINE));
    expect(backwards).toMatchObject({
      status: "failed",
      error: expect.stringContaining("must start before it ends") as string,
    });
    expect(events.length).toBe(before);
    expect(await callsOf([bad.syscallId, backwards.syscallId])).toEqual([]);
    expect(await leasesOn(room)).toEqual([]);
  });

  it("records every call that ran with its outcome, and another tenant sees none of it", async () => {
    const room = newRoom();
    const done = expectStatus(await failA.call(asEmployee(), book(room, NINE, TEN)), "succeeded");
    const [call] = await callsOf([done.syscallId]);
    expect(call).toMatchObject({
      tenantId: acme.id,
      action: "facilities.room.book",
      connector: "test-rooms",
      idempotencyKey: null,
      state: "succeeded",
      output: done.output,
      error: null,
      finishedAt: expect.any(Date) as Date,
      expiresAt: null,
    });
    // A call with nothing to coordinate is recorded when it has ended.
    const plain = kernelWith({ leases: undefined });
    const quick = expectStatus(await plain.call(asEmployee(), book(room)), "succeeded");
    const broken = await plain.call(asEmployee(), book(room, undefined, undefined, { fail: true }));
    const [quickCall, brokenCall] = await Promise.all([
      callsOf([quick.syscallId]),
      callsOf([broken.syscallId]),
    ]);
    expect(quickCall).toEqual([
      expect.objectContaining({ state: "succeeded", output: quick.output, expiresAt: null }) as unknown,
    ]);
    expect(quickCall[0]!.startedAt.getTime()).toBeLessThanOrEqual(quickCall[0]!.finishedAt!.getTime());
    expect(brokenCall).toEqual([
      expect.objectContaining({ state: "failed", error: "The room system is down", output: null }) as unknown,
    ]);

    const globex = await createTestTenant(testDb(), "globex");
    const seen = await withTenant(testDb(), { tenantId: globex.id }, async (tx) => ({
      calls: await tx.toolCall.count({ where: { syscallId: done.syscallId } }),
      leases: await tx.toolLease.count({ where: { key: `room:${room}` } }),
    }));
    expect(seen).toEqual({ calls: 0, leases: 0 });
  });
});
