/**
 * The facilities connector on a real database: each action's output against its schema, bad input and
 * dry runs writing nothing, and the issue's requirement through the kernel: two concurrent bookings of
 * one room and slot, exactly one succeeds and the other gets a conflict.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { actingAs, driverContext } from "@/connectors/testing";
import type { ActionDriver, ActionSpec } from "@/connectors/sdk";
import type { Tx } from "@/server/db/client";
import { withTenant } from "@/server/db/scope";
import { sqlOf } from "@/server/db/sql";
import {
  bookSyscall as spaceBookSyscall,
  cancelSyscall,
  visitorRegisterSyscall,
} from "@/server/facilities/syscalls";
import { createTestSite } from "@/server/facilities/testing";
import type { Space } from "@/server/facilities/spaces";
import { AccessEvaluator } from "@/server/kernel/access/evaluator";
import { Kernel, type KernelContext, type Syscall, type SyscallResult } from "@/server/kernel/kernel";
import { createToolRegistry, defineTool, type ToolAction } from "@/server/kernel/tools/registry";
import {
  createTestTenant,
  kernelDeps,
  testDb,
  type TestTenant,
  type TestUser,
} from "@/server/testing/fixtures";
import { facilitiesDriver } from "./driver";
import { describeBooking, facilitiesManifest } from "./manifest";

const { actions } = facilitiesManifest;
const driver = facilitiesDriver.actions;

let acme: TestTenant;
let ada: TestUser;
let bob: TestUser;
let boardroom: Space;
let desk: Space;
let siteId: string;

/** A call acting for the tenant's owner, who may book or report for any member. */
const ctx = () => driverContext(testDb(), acme.id, null, actingAs(acme.owner.userId));

/** Every facilities row of the tenant, to prove that something wrote nothing. */
const rowCounts = () =>
  withTenant(testDb(), { tenantId: acme.id }, async (tx) => {
    const [row] = await sqlOf(tx).query<Record<string, string>>(
      `SELECT (SELECT count(*) FROM facilities.booking)::text AS bookings,
              (SELECT count(*) FROM facilities.booking_occurrence)::text AS occurrences,
              (SELECT count(*) FROM facilities.booking_occurrence WHERE cancelled)::text AS cancelled,
              (SELECT count(*) FROM facilities.maintenance_ticket)::text AS tickets,
              (SELECT string_agg(status || priority, ',' ORDER BY id) FROM facilities.maintenance_ticket) AS ticket_states,
              (SELECT count(*) FROM facilities.visitor)::text AS visitors`,
    );
    return row;
  });

/** Parses `input` as the kernel would, then runs the driver: what a syscall that passed its checks does. */
async function run<I, O>(spec: ActionSpec<I, O>, action: ActionDriver<I, O>, input: unknown): Promise<O> {
  const output = await action.run(spec.input.parse(input), ctx());
  // The kernel checks every output against the schema; so does this test.
  return spec.output.parse(output);
}

beforeAll(async () => {
  acme = await createTestTenant(testDb(), "acme");
  ada = await acme.add("employee");
  bob = await acme.add("employee");
  const made = await createTestSite(acme, "Europe/Berlin", [
    { name: "Boardroom" },
    { name: "Desk 7", kind: "desk" },
  ]);
  siteId = made.site.id;
  [boardroom, desk] = made.spaces as [Space, Space];
});

const roomInput = (extra: Record<string, unknown> = {}) => ({
  spaceId: boardroom.id,
  spaceName: "Boardroom",
  title: "Board sync",
  start: "2026-12-01T09:00",
  end: "2026-12-01T10:00",
  timeZone: "Europe/Berlin",
  ...extra,
});

describe("manifest", () => {
  it("describes a booking the way an approver reads it", () => {
    expect(describeBooking(actions.roomBook.input.parse(roomInput()))).toBe(
      "Book Boardroom, Tue 1 Dec 09:00–10:00 (Europe/Berlin)",
    );
    expect(describeBooking(actions.roomBook.input.parse(roomInput({ rrule: "FREQ=WEEKLY;COUNT=3" })))).toBe(
      "Book Boardroom, Tue 1 Dec 09:00–10:00 (Europe/Berlin), 3 times until Tue 15 Dec 2026",
    );
  });

  it("claims space:<id> once per occurrence, on the zone's wall clock across DST", () => {
    const input = actions.roomBook.input.parse(
      roomInput({ start: "2026-10-20T09:00", end: "2026-10-20T10:00", rrule: "FREQ=WEEKLY;COUNT=2" }),
    );
    expect(actions.roomBook.resources?.(input)).toEqual([
      {
        key: `space:${boardroom.id}`,
        from: new Date("2026-10-20T07:00:00Z"),
        to: new Date("2026-10-20T08:00:00Z"),
      },
      {
        key: `space:${boardroom.id}`,
        from: new Date("2026-10-27T08:00:00Z"),
        to: new Date("2026-10-27T09:00:00Z"),
      },
    ]);
  });

  it("refuses times it cannot plan as schema issues, before any lease or driver", () => {
    const parsed = actions.roomBook.input.safeParse(roomInput({ end: "2026-12-01T08:00" }));
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["end", "The booking must end after it starts"],
    ]);
    expect(actions.roomBook.input.safeParse(roomInput({ rrule: "FREQ=DAILY" })).success).toBe(false);
  });
});

describe("driver", () => {
  it("books a room, cancels one occurrence and the booking; outputs match their schemas", async () => {
    const booked = await run(
      actions.roomBook,
      driver.roomBook,
      roomInput({
        start: "2026-12-08T09:00",
        end: "2026-12-08T10:00",
        rrule: "FREQ=DAILY;COUNT=2",
        bookedBy: ada.userId,
      }),
    );
    expect(booked).toMatchObject({
      spaceId: boardroom.id,
      status: "confirmed",
      rrule: "FREQ=DAILY;COUNT=2",
      occurrences: [
        { start: "2026-12-08T08:00:00.000Z", end: "2026-12-08T09:00:00.000Z" },
        { start: "2026-12-09T08:00:00.000Z", end: "2026-12-09T09:00:00.000Z" },
      ],
    });
    // The compensation the manifest declares is a cancel of this booking.
    const reversal = actions.roomBook.reversible;
    if (!reversal) throw new Error("booking must be reversible");
    expect(reversal.by).toBe("facilities.booking.cancel");
    const one = await run(actions.bookingCancel, driver.bookingCancel, {
      bookingId: booked.bookingId,
      occurrenceStart: "2026-12-09T08:00:00.000Z",
    });
    expect(one).toEqual({
      bookingId: booked.bookingId,
      cancelled: "occurrence",
      freed: [{ start: "2026-12-09T08:00:00.000Z", end: "2026-12-09T09:00:00.000Z" }],
      status: "confirmed",
    });
    const all = await run(
      actions.bookingCancel,
      driver.bookingCancel,
      reversal.input(actions.roomBook.input.parse(roomInput()), booked),
    );
    expect(all).toMatchObject({
      cancelled: "booking",
      status: "cancelled",
      freed: [{ start: "2026-12-08T08:00:00.000Z" }],
    });
  });

  it("books a desk with the desk action, and refuses a room there, writing nothing", async () => {
    const deskBooking = await run(actions.deskBook, driver.deskBook, {
      spaceId: desk.id,
      title: "Focus day",
      start: "2026-12-02T08:00",
      end: "2026-12-02T17:00",
      timeZone: "Europe/Berlin",
    });
    expect(deskBooking.occurrences).toHaveLength(1);
    const before = await rowCounts();
    await expect(run(actions.deskBook, driver.deskBook, roomInput())).rejects.toThrow(
      "spaceId: Boardroom is a room, not a desk",
    );
    await expect(run(actions.equipmentBook, driver.equipmentBook, roomInput())).rejects.toThrow(
      "spaceId: Boardroom is a room, not equipment",
    );
    await expect(
      run(actions.roomBook, driver.roomBook, roomInput({ spaceName: "Broom cupboard" })),
    ).rejects.toThrow("spaceName: The space is called Boardroom, not Broom cupboard");
    await expect(run(actions.roomBook, driver.roomBook, roomInput({ bookedBy: acme.id }))).rejects.toThrow(
      "bookedBy: Not a member of this tenant",
    );
    expect(() => actions.roomBook.input.parse(roomInput({ spaceId: "not-a-uuid" }))).toThrow();
    expect(await rowCounts()).toEqual(before);
  });

  it("returns the first attempt's booking when a syscall is retried", async () => {
    const context = ctx();
    const input = actions.roomBook.input.parse(
      roomInput({ start: "2026-12-03T09:00", end: "2026-12-03T10:00" }),
    );
    const first = await driver.roomBook.run(input, context);
    const again = await driver.roomBook.run(input, context);
    expect(again.bookingId).toBe(first.bookingId);
  });

  it("files and updates a maintenance ticket with its due time", async () => {
    const ticket = await run(actions.ticketCreate, driver.ticketCreate, {
      spaceId: boardroom.id,
      title: "Projector flickers",
      priority: "urgent",
      reporterId: bob.userId,
    });
    expect(ticket).toMatchObject({
      siteId,
      spaceId: boardroom.id,
      status: "open",
      priority: "urgent",
      breached: false,
    });
    const due = new Date(ticket.slaDueAt).getTime() - Date.now();
    expect(due).toBeGreaterThan(3.9 * 3600_000);
    expect(due).toBeLessThanOrEqual(4 * 3600_000);
    const updated = await run(actions.ticketUpdate, driver.ticketUpdate, {
      ticketId: ticket.ticketId,
      status: "resolved",
      assigneeId: ada.userId,
    });
    expect(updated).toMatchObject({ status: "resolved", assigneeId: ada.userId, breached: false });
    expect(updated.resolvedAt).not.toBeNull();
    const reversal = actions.ticketCreate.reversible;
    expect(
      reversal && reversal.input(actions.ticketCreate.input.parse({ siteId, title: "x" }), ticket),
    ).toEqual({
      ticketId: ticket.ticketId,
      status: "closed",
    });
  });

  it("registers a visitor", async () => {
    const visitor = await run(actions.visitorRegister, driver.visitorRegister, {
      siteId,
      hostId: ada.userId,
      name: "Grace Hopper",
      company: "Navy",
      expectedAt: "2026-12-01T09:00:00Z",
    });
    expect(visitor).toMatchObject({ siteId, hostId: ada.userId, name: "Grace Hopper", status: "expected" });
  });

  it("refuses bad input for tickets and visitors, writing nothing", async () => {
    const before = await rowCounts();
    expect(actions.ticketCreate.input.safeParse({ title: "No place" }).success).toBe(false);
    expect(actions.ticketUpdate.input.safeParse({ ticketId: boardroom.id }).success).toBe(false);
    expect(
      actions.visitorRegister.input.safeParse({ siteId, hostId: ada.userId, name: "", expectedAt: "soon" })
        .success,
    ).toBe(false);
    await expect(
      run(actions.ticketCreate, driver.ticketCreate, { siteId: boardroom.id, title: "Wrong id kind" }),
    ).rejects.toThrow("Site not found");
    await expect(
      run(actions.visitorRegister, driver.visitorRegister, {
        siteId,
        hostId: acme.id,
        name: "Nobody's guest",
        expectedAt: "2026-12-01T09:00:00Z",
      }),
    ).rejects.toThrow("hostId: Not a member of this tenant");
    expect(await rowCounts()).toEqual(before);
  });

  it("dry runs show what would change, with conflicts as warnings, and write nothing", async () => {
    await run(
      actions.roomBook,
      driver.roomBook,
      roomInput({ start: "2026-12-15T09:00", end: "2026-12-15T10:00", bookedBy: ada.userId }),
    );
    const ticket = await run(actions.ticketCreate, driver.ticketCreate, {
      siteId,
      title: "Door squeaks",
      priority: "low",
    });
    const before = await rowCounts();
    const dryRun = driver.roomBook.dryRun;
    if (!dryRun) throw new Error("booking must have a dry run");
    const preview = await dryRun(
      actions.roomBook.input.parse(
        roomInput({ start: "2026-12-08T09:30", end: "2026-12-08T10:30", rrule: "FREQ=WEEKLY;COUNT=2" }),
      ),
      ctx(),
    );
    expect(preview.changes.map((c) => c.object)).toEqual([
      "Booking of Boardroom",
      "Boardroom, Tue 8 Dec 2026 09:30–10:30 (Europe/Berlin)",
      "Boardroom, Tue 15 Dec 2026 09:30–10:30 (Europe/Berlin)",
    ]);
    expect(preview.warnings).toEqual([
      'Boardroom is not free Tue 15 Dec 2026 09:30–10:30 (Europe/Berlin): acme employee holds it Tue 15 Dec 2026 09:00–10:00 (Europe/Berlin) ("Board sync")',
    ]);
    const need = <F>(dry: F | undefined): F => {
      if (!dry) throw new Error("every write action has a dry run");
      return dry;
    };
    await expect(need(driver.bookingCancel.dryRun)({ bookingId: ticket.ticketId }, ctx())).rejects.toThrow(
      "Booking not found",
    );
    const ticketPreview = await need(driver.ticketCreate.dryRun)(
      actions.ticketCreate.input.parse({ siteId, title: "Leak", priority: "high" }),
      ctx(),
    );
    expect(ticketPreview.changes[0]).toMatchObject({
      op: "create",
      object: expect.stringContaining('"Leak"') as string,
    });
    const updatePreview = await need(driver.ticketUpdate.dryRun)(
      actions.ticketUpdate.input.parse({ ticketId: ticket.ticketId, priority: "urgent" }),
      ctx(),
    );
    expect(updatePreview.changes[0]?.fields).toMatchObject({ priority: { from: "low", to: "urgent" } });
    const visitorPreview = await need(driver.visitorRegister.dryRun)(
      actions.visitorRegister.input.parse({
        siteId,
        hostId: bob.userId,
        name: "Alan",
        expectedAt: "2026-12-01T10:00:00Z",
      }),
      ctx(),
    );
    expect(visitorPreview.changes[0]).toMatchObject({
      op: "create",
      object: expect.stringContaining("Alan") as string,
    });
    expect(await rowCounts()).toEqual(before);
  });
});

/**
 * The connector's actions as the kernel's tool manager runs them. A local adapter, because
 * ToolCallContext does not yet carry `tenant` and `connection` (connectors/index.ts's toToolActions
 * will): it supplies the tenant's transaction the way the kernel is to. `hold` keeps a call inside the
 * driver until the test lets it go, so that two calls are in flight at once however fast the first is.
 */
let hold: ((round: string) => Promise<void>) | null = null;
function asTool<I, O>(spec: ActionSpec<I, O>, action: ActionDriver<I, O>): ToolAction {
  return defineTool<I, O>({
    action: spec.action,
    connector: facilitiesManifest.id,
    effect: spec.effect,
    input: spec.input,
    output: spec.output,
    timeoutMs: spec.timeoutMs,
    leases: spec.resources?.bind(spec),
    onConflict: spec.onConflict,
    run: async (input, callCtx) => {
      if (hold) await hold(callCtx.syscallId);
      return action.run(input, {
        ...callCtx,
        tenant: (fn) => withTenant(testDb(), { tenantId: callCtx.tenantId }, fn),
        connection: null,
      });
    },
  });
}

describe("through the kernel", () => {
  const kernel = new Kernel({
    db: testDb,
    tools: createToolRegistry([
      asTool(actions.roomBook, driver.roomBook),
      asTool(actions.deskBook, driver.deskBook),
      asTool(actions.equipmentBook, driver.equipmentBook),
      asTool(actions.bookingCancel, driver.bookingCancel),
      asTool(actions.ticketCreate, driver.ticketCreate),
      asTool(actions.ticketUpdate, driver.ticketUpdate),
      asTool(actions.visitorRegister, driver.visitorRegister),
    ]),
    evaluator: new AccessEvaluator(),
    ...kernelDeps(),
  });
  const as = (user: TestUser): KernelContext => ({
    tenantId: acme.id,
    principal: { type: "user", userId: user.userId },
  });
  const bookSyscall = (user: TestUser, day: string, title: string): Syscall => ({
    action: "facilities.room.book",
    resource: { type: "Room", id: boardroom.id, attrs: {} },
    resourceLabel: "Boardroom",
    input: roomInput({
      start: `2027-03-${day}T14:00`,
      end: `2027-03-${day}T15:00`,
      title,
      bookedBy: user.userId,
    }),
  });
  const bookingsOn = (day: string) =>
    withTenant(testDb(), { tenantId: acme.id }, (tx) =>
      sqlOf(tx).query<{ id: string }>(
        `SELECT b.id::text FROM facilities.booking b
          WHERE b.space_id = $1::uuid AND b.status = 'confirmed' AND b.local_start = $2::timestamp`,
        [boardroom.id, `2027-03-${day}T14:00`],
      ),
    );

  it("two concurrent bookings of one room and slot: exactly one succeeds, the other gets a conflict (20 rounds)", async () => {
    for (let round = 1; round <= 20; round++) {
      const day = String(round).padStart(2, "0");
      // The first call into the driver waits there until the other call has answered (or is inside
      // too, which would be the bug this test looks for): both are in flight at the same time.
      let release = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let inside = 0;
      hold = async () => {
        inside++;
        if (inside >= 2) release();
        await released;
      };
      const calls = [
        kernel.call(as(ada), bookSyscall(ada, day, "Ada's")),
        kernel.call(as(bob), bookSyscall(bob, day, "Bob's")),
      ];
      for (const call of calls) void call.then(release, release);
      const results: SyscallResult[] = await Promise.all(calls);
      hold = null;
      const statuses = results.map((r) => r.status).sort();
      expect(statuses, `round ${round}: ${JSON.stringify(results)}`).toEqual(["conflict", "succeeded"]);
      expect(inside, `round ${round}: only the winner reached the driver`).toBe(1);
      const winner = results.find((r) => r.status === "succeeded");
      const loser = results.find((r) => r.status === "conflict");
      if (winner?.status !== "succeeded" || loser?.status !== "conflict") throw new Error("unreachable");
      expect(loser.resource).toBe(
        `space:${boardroom.id}@2027-03-${day}T13:00:00.000Z/2027-03-${day}T14:00:00.000Z`,
      );
      expect(loser.heldBy.syscallId).toBe(winner.syscallId);
      expect(await bookingsOn(day)).toHaveLength(1);
    }
  });

  it("with syscalls built by server/facilities: the booker may cancel, another employee is denied", async () => {
    const syscall = (build: (tx: Tx) => Promise<Syscall>) =>
      withTenant(testDb(), { tenantId: acme.id }, build);
    const booked = await kernel.call(
      as(ada),
      await syscall((tx) =>
        spaceBookSyscall(tx, acme.id, {
          spaceId: desk.id,
          title: "Quiet day",
          start: "2027-04-05T08:00",
          end: "2027-04-05T17:00",
          bookedBy: ada.userId,
        }),
      ),
    );
    if (booked.status !== "succeeded") throw new Error(JSON.stringify(booked));
    const { bookingId } = actions.deskBook.output.parse(booked.output);
    const cancel = await syscall((tx) => cancelSyscall(tx, acme.id, { bookingId }));
    expect((await kernel.call(as(bob), cancel)).status).toBe("denied");
    expect((await kernel.call(as(ada), cancel)).status).toBe("succeeded");
    // People register their own visitors.
    const visit = visitorRegisterSyscall({
      hostId: ada.userId,
      siteId,
      name: "Barbara Liskov",
      expectedAt: "2027-04-05T09:00:00Z",
    });
    expect((await kernel.call(as(bob), visit)).status).toBe("denied");
    expect((await kernel.call(as(ada), visit)).status).toBe("succeeded");
  });

  it("a booking is the caller's: an employee booking for someone else is refused, writing nothing", async () => {
    const before = await rowCounts();
    const forAda = await kernel.call(as(bob), bookSyscall(ada, "29", "Bob books for Ada"));
    expect(forAda).toMatchObject({ status: "failed" });
    expect(forAda.status === "failed" && forAda.error).toBe(
      "bookedBy: Only admins act for another member; this call acts for acme employee",
    );
    const direct = driverContext(
      testDb(),
      acme.id,
      null,
      actingAs(bob.userId, "2b9e4f10-0000-4000-8000-00000000b0b1"),
    );
    await expect(
      driver.roomBook.dryRun?.(actions.roomBook.input.parse(roomInput({ bookedBy: ada.userId })), direct),
    ).rejects.toMatchObject({ code: "FORBIDDEN", fields: { bookedBy: [expect.any(String)] } });
    await expect(
      driver.ticketCreate.run(
        actions.ticketCreate.input.parse({ siteId, title: "Leak", reporterId: ada.userId }),
        direct,
      ),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await rowCounts()).toEqual(before);

    // Naming nobody, the booking is the caller's.
    const own = await kernel.call(as(bob), {
      ...bookSyscall(bob, "29", "Bob's own"),
      input: roomInput({ start: "2027-03-29T14:00", end: "2027-03-29T15:00", title: "Bob's own" }),
    });
    if (own.status !== "succeeded") throw new Error(JSON.stringify(own));
    const { bookingId } = actions.roomBook.output.parse(own.output);
    const [row] = await withTenant(testDb(), { tenantId: acme.id }, (tx) =>
      sqlOf(tx).query<{ booked_by: string }>(
        `SELECT booked_by::text FROM facilities.booking WHERE id = $1::uuid`,
        [bookingId],
      ),
    );
    expect(row?.booked_by).toBe(bob.userId);
  });

  it("a second booking of a taken slot, after the first has finished, fails with the driver's own words", async () => {
    const first = await kernel.call(as(ada), bookSyscall(ada, "30", "Ada's"));
    expect(first.status).toBe("succeeded");
    const second = await kernel.call(as(bob), bookSyscall(bob, "30", "Bob's"));
    if (second.status !== "failed") throw new Error(JSON.stringify(second));
    // The person-facing message the domain wrote for the refused slot, nothing around it.
    expect(second.error).toMatch(/^Boardroom is not free /);
    expect(second.error).not.toMatch(/AppError|Error:|\n/);
    expect(await bookingsOn("30")).toHaveLength(1);
  });

  it("without holding anyone back: one booking is stored; the other call is refused by the lease or by the database", async () => {
    for (let round = 21; round <= 28; round++) {
      const day = String(round).padStart(2, "0");
      const results = await Promise.all([
        kernel.call(as(ada), bookSyscall(ada, day, "Ada's")),
        kernel.call(as(bob), bookSyscall(bob, day, "Bob's")),
      ]);
      expect(
        results.filter((r) => r.status === "succeeded"),
        `round ${round}`,
      ).toHaveLength(1);
      const other = results.find((r) => r.status !== "succeeded");
      // The lease refuses a call that overlaps a running one; a call that starts after the first has
      // finished reaches the driver, where the exclusion constraint refuses it.
      if (other?.status === "failed") expect(other.error).toMatch(/^Boardroom is not free /);
      else expect(other?.status).toBe("conflict");
      expect(await bookingsOn(day)).toHaveLength(1);
    }
  });
});
