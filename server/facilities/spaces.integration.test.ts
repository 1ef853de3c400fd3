/** Sites and spaces: admins manage them, members read them, and row-level security keeps tenants apart. */
import { beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/server/db/scope";
import { sqlOf } from "@/server/db/sql";
import { AppError } from "@/server/errors";
import { createTestTenant, testDb, type TestTenant, type TestUser } from "@/server/testing/fixtures";
import { createBooking } from "./bookings";
import {
  createSite,
  createSpace,
  deleteSite,
  deleteSpace,
  listSites,
  listSpaces,
  updateSite,
  updateSpace,
} from "./spaces";
import { asMember } from "./testing";

let acme: TestTenant;
let globex: TestTenant;
let employee: TestUser;
let admin: TestUser;

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
  globex = await createTestTenant(db(), "globex");
  employee = await acme.add("employee");
  admin = await acme.add("admin");
});

describe("sites and spaces", () => {
  it("admins create, rename and list them; the change is audited; members read them without feed tokens", async () => {
    const site = await asMember(db(), acme, admin, (ctx) =>
      createSite(ctx, { name: "Berlin HQ", timeZone: "Europe/Berlin", address: "Unter den Linden 1" }),
    );
    const room = await asMember(db(), acme, admin, (ctx) =>
      createSpace(ctx, {
        siteId: site.id,
        kind: "room",
        name: "Spree",
        capacity: 10,
        features: ["projector", "vc"],
      }),
    );
    expect(room).toMatchObject({
      siteName: "Berlin HQ",
      timeZone: "Europe/Berlin",
      kind: "room",
      capacity: 10,
      bookable: true,
    });
    expect(room.feedToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const renamed = await asMember(db(), acme, admin, (ctx) =>
      updateSpace(ctx, room.id, { name: "Spree (large)", bookable: false }),
    );
    expect(renamed).toMatchObject({ name: "Spree (large)", bookable: false, features: ["projector", "vc"] });
    expect(
      (await asMember(db(), acme, admin, (ctx) => updateSite(ctx, site.id, { address: "Pariser Platz 1" })))
        .address,
    ).toBe("Pariser Platz 1");

    const seen = await asMember(db(), acme, employee, (ctx) => listSpaces(ctx, { siteId: site.id }));
    expect(seen.map((s) => [s.name, s.feedToken])).toEqual([["Spree (large)", null]]);
    expect((await asMember(db(), acme, employee, (ctx) => listSites(ctx))).map((s) => s.name)).toContain(
      "Berlin HQ",
    );

    const audited = await withTenant(db(), { tenantId: acme.id }, (tx) =>
      tx.auditEntry.findMany({
        where: { tenantId: acme.id, resourceId: { in: [site.id, room.id] } },
        orderBy: { seq: "asc" },
      }),
    );
    expect(audited.map((a) => a.action)).toEqual([
      "facilities.site_created",
      "facilities.space_created",
      "facilities.space_updated",
      "facilities.site_updated",
    ]);
  });

  it("refuses employees, bad input and duplicate names", async () => {
    expect(
      (
        await refusal(
          asMember(db(), acme, employee, (ctx) => createSite(ctx, { name: "Mine", timeZone: "UTC" })),
        )
      ).code,
    ).toBe("FORBIDDEN");
    const bad = await refusal(
      asMember(db(), acme, admin, (ctx) => createSite(ctx, { name: "", timeZone: "Berlin" })),
    );
    expect(Object.keys(bad.fields ?? {}).sort()).toEqual(["name", "timeZone"]);
    await asMember(db(), acme, admin, (ctx) => createSite(ctx, { name: "Paris", timeZone: "Europe/Paris" }));
    expect(
      (
        await refusal(
          asMember(db(), acme, admin, (ctx) => createSite(ctx, { name: "Paris", timeZone: "Europe/Paris" })),
        )
      ).code,
    ).toBe("CONFLICT");
  });

  it("deletes only what nothing refers to", async () => {
    const site = await asMember(db(), acme, admin, (ctx) =>
      createSite(ctx, { name: "Lyon", timeZone: "Europe/Paris" }),
    );
    const booked = await asMember(db(), acme, admin, (ctx) =>
      createSpace(ctx, { siteId: site.id, kind: "desk", name: "D1" }),
    );
    const spare = await asMember(db(), acme, admin, (ctx) =>
      createSpace(ctx, { siteId: site.id, kind: "desk", name: "D2" }),
    );
    await asMember(db(), acme, employee, (ctx) =>
      createBooking(ctx, {
        spaceId: booked.id,
        title: "Desk day",
        start: "2026-12-01T09:00",
        end: "2026-12-01T17:00",
      }),
    );
    expect((await refusal(asMember(db(), acme, admin, (ctx) => deleteSpace(ctx, booked.id)))).message).toBe(
      "D1 has bookings or tickets; make it not bookable instead",
    );
    expect((await refusal(asMember(db(), acme, admin, (ctx) => deleteSite(ctx, site.id)))).code).toBe(
      "CONFLICT",
    );
    await asMember(db(), acme, admin, (ctx) => deleteSpace(ctx, spare.id));
    expect(
      (await asMember(db(), acme, admin, (ctx) => listSpaces(ctx, { siteId: site.id }))).map((s) => s.name),
    ).toEqual(["D1"]);
  });

  it("keeps tenants apart: another tenant's ids are not found, and its rows are invisible even to raw SQL", async () => {
    const site = await asMember(db(), acme, admin, (ctx) =>
      createSite(ctx, { name: "Hidden", timeZone: "UTC" }),
    );
    const globexOwner = {
      tenantId: globex.id,
      actor: { userId: globex.owner.userId, membershipId: globex.owner.membershipId, role: "owner" as const },
    };
    const attempt = await refusal(
      withTenant(db(), { tenantId: globex.id }, (tx) =>
        createSpace({ ...globexOwner, db: tx }, { siteId: site.id, kind: "room", name: "Squatter" }),
      ),
    );
    expect(attempt.code).toBe("NOT_FOUND");
    const visible = await withTenant(db(), { tenantId: globex.id }, (tx) =>
      sqlOf(tx).query(`SELECT id FROM facilities.site WHERE id = $1::uuid`, [site.id]),
    );
    expect(visible).toEqual([]);
    await expect(
      withTenant(db(), { tenantId: globex.id }, (tx) =>
        sqlOf(tx).query(
          `INSERT INTO facilities.site (tenant_id, name, time_zone) VALUES ($1::uuid, 'Planted', 'UTC')`,
          [acme.id],
        ),
      ),
    ).rejects.toThrow(/row-level security/);
  });
});
