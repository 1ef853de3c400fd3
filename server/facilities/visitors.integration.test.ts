/** Visitors on a real database: registration by hosts, check-in with a badge, check-out, the site's day. */
import { beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@/server/errors";
import { createTestTenant, testDb, type TestTenant, type TestUser } from "@/server/testing/fixtures";
import { asMember, createTestSite } from "./testing";
import { cancelVisitor, checkInVisitor, checkOutVisitor, registerVisitor, todaysVisitors } from "./visitors";

let acme: TestTenant;
let ada: TestUser;
let bob: TestUser;
let admin: TestUser;
let siteId: string;

const db = testDb;

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected the call to be refused");
}

beforeAll(async () => {
  acme = await createTestTenant(db(), "acme");
  ada = await acme.add("employee");
  bob = await acme.add("employee");
  admin = await acme.add("admin");
  siteId = (await createTestSite(acme, "Europe/Berlin")).site.id;
});

describe("visitors", () => {
  it("registers, checks in with a badge, checks out, and lists the site's local day", async () => {
    // 23:30 UTC on 30 Nov is already 1 Dec in Berlin: today's list is Berlin's 1 December.
    const now = new Date("2026-11-30T23:30:00Z");
    const grace = await asMember(db(), acme, ada, (ctx) =>
      registerVisitor(ctx, {
        siteId,
        name: "Grace Hopper",
        email: "grace@navy.example",
        expectedAt: "2026-12-01T08:00:00Z",
      }),
    );
    expect(grace).toMatchObject({ hostId: ada.userId, status: "expected", badgeNumber: null });
    const alan = await asMember(db(), acme, admin, (ctx) =>
      registerVisitor(ctx, {
        siteId,
        hostId: bob.userId,
        name: "Alan Turing",
        expectedAt: "2026-12-01T07:00:00Z",
      }),
    );
    await asMember(db(), acme, ada, (ctx) =>
      registerVisitor(ctx, { siteId, name: "Tomorrow's guest", expectedAt: "2026-12-01T23:30:00Z" }),
    );
    // Employees register their own visitors only.
    expect(
      (
        await refusal(
          asMember(db(), acme, ada, (ctx) =>
            registerVisitor(ctx, {
              siteId,
              hostId: bob.userId,
              name: "X",
              expectedAt: "2026-12-01T09:00:00Z",
            }),
          ),
        )
      ).code,
    ).toBe("FORBIDDEN");

    const today = await asMember(db(), acme, admin, (ctx) => todaysVisitors(ctx, { siteId }, now));
    expect(today.map((v) => v.name)).toEqual(["Alan Turing", "Grace Hopper"]);

    const inside = await asMember(db(), acme, admin, (ctx) =>
      checkInVisitor(ctx, { visitorId: grace.id, badgeNumber: "B-12" }, new Date("2026-12-01T08:05:00Z")),
    );
    expect(inside).toMatchObject({
      status: "checked_in",
      badgeNumber: "B-12",
      checkedInAt: new Date("2026-12-01T08:05:00Z"),
    });
    // The badge is worn: nobody else gets it until Grace has left.
    const taken = await refusal(
      asMember(db(), acme, admin, (ctx) => checkInVisitor(ctx, { visitorId: alan.id, badgeNumber: "B-12" })),
    );
    expect(taken.message).toBe("Badge B-12 is worn by another visitor at this site");
    expect(
      (
        await refusal(
          asMember(db(), acme, admin, (ctx) =>
            checkInVisitor(ctx, { visitorId: grace.id, badgeNumber: "B-13" }),
          ),
        )
      ).message,
    ).toBe("Grace Hopper is already checked in");
    const left = await asMember(db(), acme, ada, (ctx) =>
      checkOutVisitor(ctx, { visitorId: grace.id }, new Date("2026-12-01T11:00:00Z")),
    );
    expect(left).toMatchObject({ status: "checked_out", badgeNumber: "B-12" });
    expect(
      (
        await asMember(db(), acme, admin, (ctx) =>
          checkInVisitor(ctx, { visitorId: alan.id, badgeNumber: "B-12" }),
        )
      ).status,
    ).toBe("checked_in");
  });

  it("cancels an expected visitor; only the host or an admin may", async () => {
    const visitor = await asMember(db(), acme, ada, (ctx) =>
      registerVisitor(ctx, { siteId, name: "Ken Thompson", expectedAt: "2026-12-02T09:00:00Z" }),
    );
    expect(
      (await refusal(asMember(db(), acme, bob, (ctx) => cancelVisitor(ctx, { visitorId: visitor.id })))).code,
    ).toBe("FORBIDDEN");
    expect(
      (await asMember(db(), acme, ada, (ctx) => cancelVisitor(ctx, { visitorId: visitor.id }))).status,
    ).toBe("cancelled");
    expect(
      (
        await refusal(
          asMember(db(), acme, ada, (ctx) =>
            checkInVisitor(ctx, { visitorId: visitor.id, badgeNumber: "B-1" }),
          ),
        )
      ).message,
    ).toBe("Ken Thompson was cancelled");
  });
});
