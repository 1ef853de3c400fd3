/**
 * The demo seed on a fresh migrated database: every domain's demo data is there, per demo tenant, in
 * the numbers the README promises, and seeding again changes nothing (no row and no audit entry).
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@/server/db/client";
import { withTenant } from "@/server/db/scope";
import { sqlOf } from "@/server/db/sql";
import { credentialKeyring, decryptCredentials } from "@/server/connections/crypto";
import { budgetFacts } from "@/server/finance/budget";
import { authenticateScimToken } from "@/server/scim/tokens";
import { poolSql } from "@/server/kernel/scheduler/store";
import { createIsolatedDatabase } from "@/server/testing/fixtures";
import { DEMO_TENANTS, demoEmail, seedDemo } from "./seed";
import { DEMO_COUNTS, demoMembers, pendingRequestDates, scimConnectionName } from "./seed-domains";

let db: PrismaClient;
let owner: pg.Pool;
let close = () => Promise.resolve();
let firstRun: string[];
let seconds: number;

beforeAll(async () => {
  let ownerUrl: string;
  ({ db, ownerUrl, close } = await createIsolatedDatabase());
  owner = new pg.Pool({ connectionString: ownerUrl, max: 1 });
  const started = performance.now();
  firstRun = await seedDemo(db, poolSql(owner));
  seconds = (performance.now() - started) / 1000;
});

afterAll(async () => {
  await owner.end();
  await close();
});

/** Every table the domain seed writes, and the audit log, counted as the database owner sees them. */
const TABLES = [
  "hr.department",
  "hr.employee",
  "hr.time_off_policy",
  "hr.time_off_balance",
  "hr.time_off_request",
  "hr.checklist",
  "facilities.site",
  "facilities.space",
  "facilities.booking",
  "facilities.booking_occurrence",
  "facilities.maintenance_ticket",
  'public."CostCenter"',
  'public."LedgerAccount"',
  'public."JournalEntry"',
  "finance.vendor",
  "it.device",
  "it.device_assignment",
  "it.app",
  "it.app_role",
  'public."Connection"',
  "scim.token",
  'public."AuditEntry"',
  'public."User"',
  'public."Membership"',
] as const;

async function tableCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) {
    const { rows } = await owner.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`);
    counts[table] = Number(rows[0]?.n);
  }
  return counts;
}

async function tenantIdOf(slug: string): Promise<string> {
  const { rows } = await owner.query<{ id: string }>(`SELECT id::text FROM "Tenant" WHERE slug = $1`, [slug]);
  const id = rows[0]?.id;
  if (!id) throw new Error(`no tenant ${slug}`);
  return id;
}

/** `query`'s rows as the app role sees them inside the tenant's scope (row-level security applies). */
async function asTenant<R extends Record<string, unknown>>(
  tenantId: string,
  query: string,
  values: unknown[] = [],
): Promise<R[]> {
  return withTenant(db, { tenantId }, (tx) => sqlOf(tx).query<R>(query, [tenantId, ...values]));
}

const count = async (tenantId: string, query: string, values: unknown[] = []) => {
  const [row] = await asTenant<{ n: string }>(tenantId, query, values);
  return Number(row?.n);
};

describe.each(DEMO_TENANTS)("the demo seed of $name", (tenant) => {
  let tenantId: string;
  beforeAll(async () => {
    tenantId = await tenantIdOf(tenant.slug);
  });

  it("created the tenant's accounts on the first run", () => {
    expect(firstRun).toContain(demoEmail("employee", tenant.domain));
  });

  it("seeds HR: departments, every member's record with the approver managing the employee, staff, policies, balances", async () => {
    const departments = await asTenant<{ name: string }>(
      tenantId,
      `SELECT name FROM hr.department WHERE tenant_id = $1::uuid ORDER BY name`,
    );
    expect(departments.map((d) => d.name)).toEqual([
      "Engineering",
      "Finance",
      "Operations",
      "People",
      "Sales",
    ]);
    const members = await demoMembers(db, tenantId, tenant.domain);
    expect(members.size).toBe(5);
    expect(
      await count(
        tenantId,
        `SELECT count(*) AS n FROM hr.employee WHERE tenant_id = $1::uuid AND user_id IS NOT NULL`,
      ),
    ).toBe(5);
    expect(
      await count(
        tenantId,
        `SELECT count(*) AS n FROM hr.employee WHERE tenant_id = $1::uuid AND user_id IS NULL`,
      ),
    ).toBe(DEMO_COUNTS.extraEmployees);
    const [line] = await asTenant<{
      manager_user: string | null;
      title: string;
      department: string;
      time_zone: string;
    }>(
      tenantId,
      `SELECT m.user_id::text AS manager_user, e.title, d.name AS department, e.time_zone
         FROM hr.employee e JOIN hr.employee m ON m.tenant_id = e.tenant_id AND m.id = e.manager_id
         JOIN hr.department d ON d.tenant_id = e.tenant_id AND d.id = e.department_id
        WHERE e.tenant_id = $1::uuid AND e.user_id = $2::uuid`,
      [members.get("employee")?.userId],
    );
    expect(line).toEqual({
      manager_user: members.get("approver")?.userId,
      title: "Software Engineer",
      department: "Engineering",
      time_zone: "Europe/Berlin",
    });
    // Only the owner is at the top; everyone else reports to someone.
    expect(
      await count(
        tenantId,
        `SELECT count(*) AS n FROM hr.employee WHERE tenant_id = $1::uuid AND manager_id IS NULL`,
      ),
    ).toBe(1);
    const policies = await asTenant<{ name: string; accrual: number }>(
      tenantId,
      `SELECT name, accrual_half_days_per_year AS accrual FROM hr.time_off_policy WHERE tenant_id = $1::uuid ORDER BY name`,
    );
    expect(policies).toEqual([
      { name: "Sick leave", accrual: 20 },
      { name: "Vacation", accrual: 50 },
    ]);
    const employees = 5 + DEMO_COUNTS.extraEmployees;
    expect(
      await count(
        tenantId,
        `SELECT count(*) AS n FROM hr.time_off_balance WHERE tenant_id = $1::uuid AND year = $2::int`,
        [new Date().getUTCFullYear()],
      ),
    ).toBe(employees * 2);
    expect(
      await count(
        tenantId,
        `SELECT count(*) AS n FROM hr.time_off_request WHERE tenant_id = $1::uuid AND status = 'requested'`,
      ),
    ).toBe(pendingRequestDates() ? 1 : 0);
  });

  it("seeds facilities: Berlin HQ with rooms, desks, equipment, an upcoming booking and an open ticket", async () => {
    const [site] = await asTenant<{ name: string; time_zone: string }>(
      tenantId,
      `SELECT name, time_zone FROM facilities.site WHERE tenant_id = $1::uuid`,
    );
    expect(site).toEqual({ name: "Berlin HQ", time_zone: "Europe/Berlin" });
    const kinds = await asTenant<{ kind: string; n: string }>(
      tenantId,
      `SELECT kind, count(*)::text AS n FROM facilities.space WHERE tenant_id = $1::uuid GROUP BY kind ORDER BY kind`,
    );
    expect(kinds).toEqual([
      { kind: "desk", n: String(DEMO_COUNTS.desks) },
      { kind: "equipment", n: String(DEMO_COUNTS.equipment) },
      { kind: "room", n: String(DEMO_COUNTS.rooms) },
    ]);
    expect(
      await count(
        tenantId,
        `SELECT count(*) AS n FROM facilities.booking_occurrence WHERE tenant_id = $1::uuid AND starts_at > now()`,
      ),
    ).toBe(DEMO_COUNTS.bookings);
    expect(
      await count(
        tenantId,
        `SELECT count(*) AS n FROM facilities.maintenance_ticket WHERE tenant_id = $1::uuid AND status = 'open'`,
      ),
    ).toBe(DEMO_COUNTS.tickets);
  });

  it("seeds finance: this year's cost centers with Marketing nearly spent, vendors and the default accounts", async () => {
    const centers = await asTenant<{ id: string; code: string }>(
      tenantId,
      `SELECT id::text, code FROM "CostCenter" WHERE "tenantId" = $1::uuid AND "fiscalYear" = $2::int ORDER BY code`,
      [new Date().getUTCFullYear()],
    );
    expect(centers.map((c) => c.code)).toEqual(["ENG", "MKT", "OPS"]);
    const facts = await withTenant(db, { tenantId }, async (tx) => {
      const all = [];
      for (const c of centers) all.push(await budgetFacts(tx, tenantId, c.id, 5_000_00));
      return all;
    });
    // A 5,000 EUR request is over budget on Marketing only.
    expect(facts.map((f) => [f.costCenter.code, f.overBudget])).toEqual([
      ["ENG", false],
      ["MKT", true],
      ["OPS", false],
    ]);
    expect(facts[1]?.remainingCents).toBe(3_000_00n);
    expect(
      await count(tenantId, `SELECT count(*) AS n FROM finance.vendor WHERE tenant_id = $1::uuid AND active`),
    ).toBe(DEMO_COUNTS.vendors);
    const accounts = await asTenant<{ code: string }>(
      tenantId,
      `SELECT code FROM "LedgerAccount" WHERE "tenantId" = $1::uuid ORDER BY code`,
    );
    expect(accounts.map((a) => a.code)).toEqual(
      expect.arrayContaining([
        "AP-EMPLOYEE-EUR",
        "AP-VENDOR-EUR",
        "BANK-EUR",
        "EXP-PURCHASES-EUR",
        "EXP-TRAVEL-EUR",
      ]),
    );
  });

  it("seeds IT: devices with some held by members, and Figma, GitHub and Slack with roles", async () => {
    expect(await count(tenantId, `SELECT count(*) AS n FROM it.device WHERE tenant_id = $1::uuid`)).toBe(
      DEMO_COUNTS.devices,
    );
    const members = await demoMembers(db, tenantId, tenant.domain);
    const held = await asTenant<{ user_id: string }>(
      tenantId,
      `SELECT user_id::text FROM it.device_assignment WHERE tenant_id = $1::uuid AND returned_at IS NULL`,
    );
    expect(held).toHaveLength(DEMO_COUNTS.assignedDevices);
    expect(held.filter((h) => h.user_id === members.get("employee")?.userId)).toHaveLength(3);
    const apps = await asTenant<{ name: string; roles: string; connection: string | null }>(
      tenantId,
      `SELECT a.name, (SELECT count(*) FROM it.app_role r WHERE r.tenant_id = a.tenant_id AND r.app_id = a.id)::text AS roles,
              c.name AS connection
         FROM it.app a LEFT JOIN "Connection" c ON c."tenantId" = a.tenant_id AND c.id = a.scim_connection_id
        WHERE a.tenant_id = $1::uuid ORDER BY a.name`,
    );
    const other = DEMO_TENANTS.find((t) => t.slug !== tenant.slug);
    expect(apps).toEqual([
      { name: "Figma", roles: "2", connection: scimConnectionName(other?.name ?? "") },
      { name: "GitHub", roles: "2", connection: null },
      { name: "Slack", roles: "2", connection: null },
    ]);
  });

  it("points the SCIM connection at the other demo tenant's endpoint, with a token that tenant accepts", async () => {
    const [connection] = await asTenant<{
      id: string;
      config: { baseUrl: string; allowHosts: string[] };
      credentials: string;
    }>(
      tenantId,
      `SELECT id::text, config, credentials FROM "Connection" WHERE "tenantId" = $1::uuid AND "connectorId" = 'scim'`,
    );
    if (!connection) throw new Error("no SCIM connection");
    const other = DEMO_TENANTS.find((t) => t.slug !== tenant.slug);
    if (!other) throw new Error("one demo tenant only");
    expect(connection.config).toEqual({
      baseUrl: `http://tenet.test/api/scim/v2/${other.slug}`,
      allowHosts: ["tenet.test"],
    });
    const { token } = decryptCredentials(
      credentialKeyring(),
      { tenantId, connectionId: connection.id },
      connection.credentials,
    );
    const accepted = await authenticateScimToken(db, other.slug, token ?? "");
    expect(accepted?.tenantId).toBe(await tenantIdOf(other.slug));
    // The token is the other tenant's, not this one's.
    expect(await authenticateScimToken(db, tenant.slug, token ?? "")).toBeNull();
  });
});

describe("seeding again", () => {
  it("creates nothing, changes no count and writes no audit entry", async () => {
    const before = await tableCounts();
    expect(await seedDemo(db, poolSql(owner))).toEqual([]);
    expect(await tableCounts()).toEqual(before);
  });

  it("took a few seconds the first time", () => {
    console.log(`demo seed: ${seconds.toFixed(1)} s`);
    expect(seconds).toBeLessThan(30);
  });
});
