/**
 * The request catalog as each viewer sees it: managers-only types for owners, admins and people with
 * reports only; forms generated from the types' schemas; selects filled from the tenant's own data and
 * never another tenant's.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { asMember, createTestSite } from "@/server/facilities/testing";
import { hire } from "@/server/hr/fixtures";
import { createTimeOffPolicy } from "@/server/hr/time-off";
import { createTestTenant, testDb, type TestTenant, type TestUser } from "@/server/testing/fixtures";
import { formFields, requestCatalog, type CatalogEntryView } from "./catalog-view";
import { isManagerOrHr } from "./requests";
import { REQUEST_FORMS } from "./forms";
import { REQUEST_TYPES } from "./types";

const db = testDb();
let acme: TestTenant;
let globex: TestTenant;
let employee: TestUser;
let manager: TestUser;
let roomId: string;
let globexRoomId: string;
let policyId: string;

beforeAll(async () => {
  acme = await createTestTenant(db, "acme");
  globex = await createTestTenant(db, "globex");
  employee = await acme.add("employee");
  manager = await acme.add("employee");
  const boss = await hire(acme, { givenName: "Maria", userId: manager.userId });
  await hire(acme, { givenName: "Bob", userId: employee.userId, managerId: boss.id });
  roomId = (
    await createTestSite(acme, "Europe/Berlin", [{ name: "Spree" }, { name: "Desk 1", kind: "desk" }])
  ).spaces[0]!.id;
  globexRoomId = (await createTestSite(globex)).spaces[0]!.id;
  policyId = (
    await acme.asOwner((ctx) =>
      createTimeOffPolicy(ctx, { name: "Vacation", kind: "vacation", accrualDaysPerYear: 25 }),
    )
  ).id;
});

const entry = (catalog: CatalogEntryView[], type: string) => {
  const found = catalog.find((e) => e.type === type);
  if (!found) throw new Error(`no ${type} in the catalog`);
  return found;
};

describe("requestCatalog", () => {
  it("lists every type; managers-only types are unavailable, without a form, to a member without reports", async () => {
    const catalog = await asMember(db, acme, employee, requestCatalog);
    expect(catalog.map((e) => e.type)).toEqual([...REQUEST_TYPES]);
    expect(await asMember(db, acme, employee, isManagerOrHr)).toBe(false);
    for (const e of catalog) {
      expect(e.available).toBe(e.audience === "everyone");
      if (!e.available) expect(e.fields).toEqual([]);
    }
    expect(catalog.some((e) => !e.available)).toBe(true);
  });

  it("offers managers-only types to a member with a report, and to the owner", async () => {
    expect(await asMember(db, acme, manager, isManagerOrHr)).toBe(true);
    for (const catalog of [
      await asMember(db, acme, manager, requestCatalog),
      await acme.asOwner(requestCatalog),
    ])
      expect(catalog.every((e) => e.available)).toBe(true);
  });

  it("generates the time-off form with labels, widgets, required flags and the tenant's policies", async () => {
    const fields = entry(await asMember(db, acme, employee, requestCatalog), "time-off").fields;
    expect(fields.map((f) => [f.name, f.widget, f.required])).toEqual([
      ["policyId", "select", true],
      ["startDate", "date", true],
      ["endDate", "date", true],
      ["reason", "textarea", false],
    ]);
    expect(fields[0]).toMatchObject({
      label: "Kind of time off",
      options: [{ value: policyId, label: "Vacation" }],
    });
    expect(fields[3]).toMatchObject({ label: "Note for your manager", defaultValue: "", maxLength: 1000 });
  });

  it("fills rooms with the tenant's bookable rooms only, and enums and arrays from the schema", async () => {
    const catalog = await acme.asOwner(requestCatalog);
    const room = entry(catalog, "room-booking").fields.find((f) => f.name === "spaceId");
    expect(room?.options?.map((o) => o.value)).toEqual([roomId]);
    expect(JSON.stringify(catalog)).not.toContain(globexRoomId);
    expect(room?.options?.[0]?.label).toMatch(/^Spree \(HQ .+, 8 seats\)$/);
    const start = entry(catalog, "room-booking").fields.find((f) => f.name === "start");
    expect(start?.widget).toBe("datetime");
    const priority = entry(catalog, "maintenance").fields.find((f) => f.name === "priority");
    expect(priority).toMatchObject({ widget: "select", required: false, defaultValue: "normal" });
    expect(priority?.options?.map((o) => o.value)).toEqual(["low", "normal", "high", "urgent"]);
    const apps = entry(catalog, "onboarding").fields.find((f) => f.name === "accessRoleIds");
    expect(apps).toMatchObject({ widget: "multiselect", required: false, defaultValue: [] });
    const manager = entry(catalog, "onboarding").fields.find((f) => f.name === "managerEmployeeId");
    expect(manager?.options?.map((o) => o.label)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Maria /), expect.stringMatching(/^Bob /)]),
    );
    const amount = entry(catalog, "expense").fields.find((f) => f.name === "amount");
    expect(amount).toMatchObject({ widget: "money", required: true });
    const categories = entry(catalog, "expense").fields.find((f) => f.name === "category");
    expect(categories?.options).toContainEqual({ value: "travel", label: "Travel" });
  });
});

describe("formFields", () => {
  it("names every property of every form, in order", () => {
    for (const type of REQUEST_TYPES) {
      const form = REQUEST_FORMS[type];
      const names = formFields(form).map((f) => f.name);
      expect(names.length).toBeGreaterThan(0);
      expect(names).toEqual(Object.keys(form.shape));
    }
  });
});
