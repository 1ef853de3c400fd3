import { CONNECTOR_MANIFESTS } from "@/connectors/catalog";
import type { PrismaClient, Tx } from "@/server/db/client";
import { withTenant } from "@/server/db/scope";
import { sqlOf } from "@/server/db/sql";
import { env } from "@/server/env.js";
import { createConnection } from "@/server/connections/connections";
import { connectionSchemasIn } from "@/server/connections/catalog-view";
import { createBooking } from "@/server/facilities/bookings";
import { createSite, createSpace } from "@/server/facilities/spaces";
import { createTicket } from "@/server/facilities/tickets";
import {
  accountsPayable,
  bankAccount,
  EXPENSE_CATEGORIES,
  expenseAccount,
  purchasesAccount,
  reimbursementsPayable,
} from "@/server/finance/accounts";
import { createCostCenter, ensureWorkflowAccount, postEntry } from "@/server/finance/ledger";
import { createVendor } from "@/server/finance/vendors";
import { addDays } from "@/server/hr/common";
import { createDepartment, createEmployee, listDepartments } from "@/server/hr/employees";
import { createTimeOffPolicy, requestTimeOff, setEntitlement } from "@/server/hr/time-off";
import { createApp, createAppRole } from "@/server/it/access-catalog";
import { assignDevice, createDevice } from "@/server/it/devices";
import { generateScimToken } from "@/server/scim/tokens";
import type { TenantContext } from "@/server/tenancy/context";
import type { Role } from "@/server/tenancy/roles";

/**
 * The demo's business data: HR, facilities, finance and IT for each demo tenant, written through the
 * same domain functions the app and the built-in connectors use, so every row passes their checks and
 * is audited as a demo member's doing (the owner's; the booking, ticket and time-off request are the
 * employee's). Each domain is seeded once: a marker row (the owner's
 * employee record, the Berlin HQ site, this year's Engineering cost center, the first laptop, the
 * GitHub app) says it is there, so seeding again, or an older demo database meeting this seed for the
 * first time, only adds what is missing.
 */

/** The demo tenant's people with accounts: one member per role, by role. */
export type DemoMembers = ReadonlyMap<
  Role,
  { userId: string; membershipId: string; name: string; email: string }
>;

export const DEPARTMENTS = ["Engineering", "Sales", "Finance", "People", "Operations"] as const;
type Department = (typeof DEPARTMENTS)[number];

/**
 * The members' jobs. The approver manages the employee (and the publisher), so a time-off request by
 * employee@… is approved by approver@…, HR's manager rule; the owner is at the top.
 */
const MEMBER_JOBS: Record<
  Role,
  { title: string; department: Department; manager: Role | null; timeZone: string }
> = {
  owner: {
    title: "Chief Executive Officer",
    department: "Operations",
    manager: null,
    timeZone: "Europe/Berlin",
  },
  admin: {
    title: "Head of People Operations",
    department: "People",
    manager: "owner",
    timeZone: "Europe/Berlin",
  },
  approver: {
    title: "Engineering Manager",
    department: "Engineering",
    manager: "owner",
    timeZone: "Europe/Berlin",
  },
  employee: {
    title: "Software Engineer",
    department: "Engineering",
    manager: "approver",
    timeZone: "Europe/Berlin",
  },
  publisher: {
    title: "Developer Advocate",
    department: "Engineering",
    manager: "approver",
    timeZone: "Europe/London",
  },
};

/** People without a Tenet account, each reporting to a member (by role) or to an earlier one (by index). */
const STAFF: readonly {
  given: string;
  family: string;
  title: string;
  department: Department;
  manager: Role | number;
  timeZone: string;
}[] = [
  {
    given: "Mara",
    family: "Lindqvist",
    title: "Head of Sales",
    department: "Sales",
    manager: "owner",
    timeZone: "Europe/Berlin",
  },
  {
    given: "Jonas",
    family: "Becker",
    title: "Account Executive",
    department: "Sales",
    manager: 0,
    timeZone: "Europe/Berlin",
  },
  {
    given: "Priya",
    family: "Raman",
    title: "Account Executive",
    department: "Sales",
    manager: 0,
    timeZone: "America/New_York",
  },
  {
    given: "Tomasz",
    family: "Nowak",
    title: "Finance Lead",
    department: "Finance",
    manager: "owner",
    timeZone: "Europe/Warsaw",
  },
  {
    given: "Elena",
    family: "Costa",
    title: "Accountant",
    department: "Finance",
    manager: 3,
    timeZone: "Europe/Lisbon",
  },
  {
    given: "Samuel",
    family: "Okafor",
    title: "Backend Engineer",
    department: "Engineering",
    manager: "approver",
    timeZone: "Europe/Berlin",
  },
  {
    given: "Hannah",
    family: "Weiss",
    title: "Frontend Engineer",
    department: "Engineering",
    manager: "approver",
    timeZone: "Europe/Berlin",
  },
  {
    given: "Lucas",
    family: "Moreau",
    title: "Site Reliability Engineer",
    department: "Engineering",
    manager: "approver",
    timeZone: "Europe/Paris",
  },
  {
    given: "Aiko",
    family: "Tanaka",
    title: "Recruiter",
    department: "People",
    manager: "admin",
    timeZone: "Europe/Berlin",
  },
  {
    given: "Felix",
    family: "Hartmann",
    title: "Office Manager",
    department: "Operations",
    manager: "owner",
    timeZone: "Europe/Berlin",
  },
];

export const DEMO_COUNTS = {
  departments: DEPARTMENTS.length,
  /** One per member plus the staff without accounts. */
  extraEmployees: STAFF.length,
  timeOffPolicies: 2,
  sites: 1,
  rooms: 3,
  desks: 6,
  equipment: 2,
  bookings: 1,
  tickets: 1,
  costCenters: 3,
  vendors: 3,
  devices: 10,
  assignedDevices: 6,
  apps: 3,
  appRoles: 6,
} as const;

const year = () => new Date().getUTCFullYear();
const today = () => new Date().toISOString().slice(0, 10);

/** The calendar day it is now in `timeZone`, as YYYY-MM-DD. */
const dayIn = (timeZone: string) => new Date().toLocaleDateString("en-CA", { timeZone });

/** Monday = 1 … Sunday = 7, of a YYYY-MM-DD day. */
const weekday = (day: string) => new Date(`${day}T00:00:00Z`).getUTCDay() || 7;

/** The first working day (Monday to Friday) on or after `day`. */
function workingDayFrom(day: string): string {
  let d = day;
  while (weekday(d) > 5) d = addDays(d, 1);
  return d;
}

const slugOf = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, ".");

function contextOf(tx: Tx, tenantId: string, members: DemoMembers, role: Role): TenantContext {
  const member = members.get(role);
  if (!member) throw new Error(`Seeding: the demo tenant has no ${role}`);
  return { tenantId, actor: { userId: member.userId, membershipId: member.membershipId, role }, db: tx };
}

async function exists(tx: Tx, query: string, values: unknown[]): Promise<boolean> {
  return (await sqlOf(tx).query(query, values)).length > 0;
}

/** HR: departments, an employee record per member and for the staff, time-off policies and balances. */
async function seedHr(tx: Tx, tenantId: string, prefix: string, domain: string, members: DemoMembers) {
  const owner = contextOf(tx, tenantId, members, "owner");
  const ownerId = owner.actor.userId;
  if (
    await exists(tx, `SELECT 1 FROM hr.employee WHERE tenant_id = $1::uuid AND user_id = $2::uuid`, [
      tenantId,
      ownerId,
    ])
  )
    return;
  const departmentIds = new Map((await listDepartments(owner)).map((d) => [d.name, d.id]));
  for (const name of DEPARTMENTS)
    if (!departmentIds.has(name)) departmentIds.set(name, (await createDepartment(owner, { name })).id);

  const started = (yearsAgo: number, month: number) =>
    `${year() - yearsAgo}-${String(month).padStart(2, "0")}-01`;
  const employeeIds: string[] = [];
  const byRole = new Map<Role, string>();
  let number = 0;
  const hire = async (fields: {
    given: string;
    family: string;
    email: string;
    title: string;
    department: Department;
    managerId: string | null;
    timeZone: string;
    userId?: string;
  }) => {
    number += 1;
    const { employee } = await createEmployee(owner, {
      employeeNumber: `${prefix}-${String(number).padStart(3, "0")}`,
      givenName: fields.given,
      familyName: fields.family,
      email: fields.email,
      title: fields.title,
      departmentId: departmentIds.get(fields.department) ?? null,
      managerId: fields.managerId,
      userId: fields.userId ?? null,
      // Staggered start dates: the oldest hires have been here five years.
      startDate: started(Math.max(0, 5 - Math.floor(number / 3)), (number % 12) + 1),
      location: fields.timeZone === "Europe/Berlin" ? "Berlin HQ" : "Remote",
      timeZone: fields.timeZone,
    });
    employeeIds.push(employee.id);
    return employee.id;
  };
  // Managers first, so each record can name its manager when it is made.
  for (const role of ["owner", "admin", "approver", "employee", "publisher"] as const) {
    const member = members.get(role);
    if (!member) continue;
    const job = MEMBER_JOBS[role];
    const [given = member.name, ...rest] = member.name.split(" ");
    byRole.set(
      role,
      await hire({
        given,
        family: rest.join(" ") || role,
        email: member.email,
        title: job.title,
        department: job.department,
        managerId: job.manager ? (byRole.get(job.manager) ?? null) : null,
        timeZone: job.timeZone,
        userId: member.userId,
      }),
    );
  }
  const staffIds: string[] = [];
  for (const person of STAFF) {
    const managerId =
      typeof person.manager === "number"
        ? (staffIds[person.manager] ?? null)
        : (byRole.get(person.manager) ?? null);
    staffIds.push(
      await hire({
        given: person.given,
        family: person.family,
        email: `${slugOf(person.given)}.${slugOf(person.family)}@${domain}`,
        title: person.title,
        department: person.department,
        managerId,
        timeZone: person.timeZone,
      }),
    );
  }

  const vacation = await createTimeOffPolicy(owner, {
    name: "Vacation",
    kind: "vacation",
    accrualDaysPerYear: 25,
    maxCarryoverDays: 5,
  });
  const sick = await createTimeOffPolicy(owner, { name: "Sick leave", kind: "sick", accrualDaysPerYear: 10 });
  for (const employeeId of employeeIds)
    for (const policy of [vacation, sick])
      await setEntitlement(owner, {
        employeeId,
        policyId: policy.id,
        year: year(),
        entitledDays: policy.accrualDaysPerYear,
        carryoverDays: 0,
      });

  // A request waiting for the approver (the employee's manager).
  const employeeId = byRole.get("employee");
  const dates = pendingRequestDates();
  if (employeeId && members.has("employee") && dates)
    await requestTimeOff(contextOf(tx, tenantId, members, "employee"), {
      employeeId,
      policyId: vacation.id,
      startDate: dates.start,
      endDate: dates.end,
      reason: "Family visit",
    });
}

/**
 * The employee's pending vacation: the working week starting on the first Monday three weeks out, or
 * none when that week is not wholly in this year (this year's balance must pay for it).
 */
export function pendingRequestDates(): { start: string; end: string } | null {
  let start = addDays(today(), 21);
  while (weekday(start) !== 1) start = addDays(start, 1);
  const end = addDays(start, 4);
  return end.slice(0, 4) === String(year()) ? { start, end } : null;
}

const SITE = { name: "Berlin HQ", timeZone: "Europe/Berlin", address: "Friedrichstraße 68, 10117 Berlin" };

/** Facilities: the Berlin site with rooms, desks and equipment, a booking tomorrow and an open ticket. */
async function seedFacilities(tx: Tx, tenantId: string, members: DemoMembers) {
  if (
    await exists(tx, `SELECT 1 FROM facilities.site WHERE tenant_id = $1::uuid AND name = $2`, [
      tenantId,
      SITE.name,
    ])
  )
    return;
  const owner = contextOf(tx, tenantId, members, "owner");
  const site = await createSite(owner, SITE);
  const space = (
    kind: "room" | "desk" | "equipment",
    name: string,
    capacity: number | null,
    features: string[],
  ) => createSpace(owner, { siteId: site.id, kind, name, capacity, features });
  const boardroom = await space("room", "Spree", 12, ["video conferencing", "whiteboard", "display"]);
  await space("room", "Tiergarten", 6, ["display", "whiteboard"]);
  await space("room", "Kreuzberg", 4, ["phone booth", "video conferencing"]);
  for (let desk = 1; desk <= 6; desk++)
    await space("desk", `Desk 2.0${desk}`, 1, desk <= 3 ? ["monitor", "standing desk"] : ["monitor"]);
  await space("equipment", "Portable projector", null, ["HDMI", "USB-C"]);
  await space("equipment", "Cargo van", 3, ["driver's licence B"]);

  const booker = members.has("employee") ? contextOf(tx, tenantId, members, "employee") : owner;
  const day = workingDayFrom(addDays(dayIn(SITE.timeZone), 1));
  await createBooking(booker, {
    spaceId: boardroom.id,
    title: "Sprint planning",
    start: `${day}T10:00`,
    end: `${day}T11:00`,
  });
  await createTicket(booker, {
    spaceId: boardroom.id,
    title: "Display in Spree flickers",
    description: "The wall display flickers when a laptop is connected over HDMI.",
    priority: "normal",
  });
}

/**
 * Finance: this year's cost centers (Marketing 95% spent, so a request of a few thousand euros shows
 * the over-budget gate), three vendors, and the default EUR accounts the expense and purchase flows
 * post to.
 */
async function seedFinance(tx: Tx, tenantId: string, members: DemoMembers) {
  const owner = contextOf(tx, tenantId, members, "owner");
  const fiscalYear = year();
  if (
    await exists(
      tx,
      `SELECT 1 FROM "CostCenter" WHERE "tenantId" = $1::uuid AND code = 'ENG' AND "fiscalYear" = $2::int`,
      [tenantId, fiscalYear],
    )
  )
    return;
  const accounts = [
    ...EXPENSE_CATEGORIES.map((category) => expenseAccount(category, "EUR")),
    reimbursementsPayable("EUR"),
    accountsPayable("EUR"),
    purchasesAccount("EUR"),
    bankAccount("EUR"),
  ];
  const ids = new Map<string, string>();
  for (const spec of accounts) ids.set(spec.code, (await ensureWorkflowAccount(owner, spec)).id);

  const costCenter = (code: string, name: string, euros: number) =>
    createCostCenter(owner, { code, name, annualBudgetCents: euros * 100, fiscalYear });
  await costCenter("ENG", "Engineering", 500_000);
  const marketing = await costCenter("MKT", "Marketing", 60_000);
  await costCenter("OPS", "Operations", 200_000);
  const purchases = ids.get(purchasesAccount("EUR").code);
  const bank = ids.get(bankAccount("EUR").code);
  if (!purchases || !bank) throw new Error("Seeding: the default finance accounts are missing");
  const spent = 57_000 * 100;
  await postEntry(owner, {
    date: today(),
    memo: "Campaigns and trade fairs so far this year",
    source: "demo-seed",
    lines: [
      { accountId: purchases, costCenterId: marketing.id, debitCents: spent },
      { accountId: bank, creditCents: spent },
    ],
  });

  const vendors = [
    {
      name: "Officely Supplies GmbH",
      taxId: "DE811234567",
      email: "orders@officely.example",
      paymentTermsDays: 30,
    },
    {
      name: "CloudNine Hosting",
      taxId: "IE6388047V",
      email: "billing@cloudnine.example",
      paymentTermsDays: 14,
    },
    {
      name: "Spreeblick Catering",
      taxId: "DE298765432",
      email: "events@spreeblick.example",
      paymentTermsDays: 30,
    },
  ];
  for (const vendor of vendors)
    if (
      !(await exists(
        tx,
        `SELECT 1 FROM finance.vendor WHERE tenant_id = $1::uuid AND lower(name) = lower($2)`,
        [tenantId, vendor.name],
      ))
    )
      await createVendor(owner, vendor);
}

/** IT: laptops, phones and monitors (some handed out to members) and the access catalog. */
async function seedIt(
  tx: Tx,
  tenantId: string,
  prefix: string,
  members: DemoMembers,
  scimConnectionId: string | null,
) {
  const owner = contextOf(tx, tenantId, members, "owner");
  if (
    !(await exists(tx, `SELECT 1 FROM it.device WHERE tenant_id = $1::uuid AND asset_tag = $2`, [
      tenantId,
      `${prefix}-LT-001`,
    ]))
  ) {
    const bought = `${year() - 1}-03-15`;
    const warranty = `${year() + 2}-03-15`;
    const devices: {
      tag: string;
      kind: "laptop" | "phone" | "monitor";
      model: string;
      holder: Role | null;
    }[] = [
      { tag: "LT-001", kind: "laptop", model: 'MacBook Pro 14" M3', holder: "owner" },
      { tag: "LT-002", kind: "laptop", model: 'MacBook Pro 14" M3', holder: "approver" },
      { tag: "LT-003", kind: "laptop", model: "ThinkPad X1 Carbon Gen 12", holder: "employee" },
      { tag: "LT-004", kind: "laptop", model: "ThinkPad X1 Carbon Gen 12", holder: null },
      { tag: "PH-001", kind: "phone", model: "iPhone 15", holder: "admin" },
      { tag: "PH-002", kind: "phone", model: "iPhone 15", holder: "employee" },
      { tag: "PH-003", kind: "phone", model: "Pixel 8", holder: null },
      { tag: "MN-001", kind: "monitor", model: 'Dell U2723QE 27"', holder: "employee" },
      { tag: "MN-002", kind: "monitor", model: 'Dell U2723QE 27"', holder: null },
      { tag: "MN-003", kind: "monitor", model: 'LG 34WN80C 34"', holder: null },
    ];
    for (const d of devices) {
      const device = await createDevice(owner, {
        assetTag: `${prefix}-${d.tag}`,
        kind: d.kind,
        model: d.model,
        serial: `SN-${prefix}-${d.tag}`,
        purchasedAt: bought,
        warrantyUntil: warranty,
      });
      const holder = d.holder ? members.get(d.holder) : undefined;
      if (holder)
        await assignDevice(owner, { deviceId: device.id, userId: holder.userId, condition: "Good" });
    }
  }

  if (
    !(await exists(tx, `SELECT 1 FROM it.app WHERE tenant_id = $1::uuid AND name = 'GitHub'`, [tenantId]))
  ) {
    const apps: {
      name: string;
      description: string;
      scim: boolean;
      roles: { name: string; group: string; approver: Role | null }[];
    }[] = [
      {
        name: "Figma",
        description: "Design files and prototypes",
        scim: true,
        roles: [
          { name: "Viewer", group: "figma-viewers", approver: null },
          { name: "Editor", group: "figma-editors", approver: "approver" },
        ],
      },
      {
        name: "GitHub",
        description: "Source code, reviews and CI",
        scim: false,
        roles: [
          { name: "Member", group: "github-members", approver: "approver" },
          { name: "Organization owner", group: "github-owners", approver: "admin" },
        ],
      },
      {
        name: "Slack",
        description: "Chat with the team",
        scim: false,
        roles: [
          { name: "Member", group: "slack-members", approver: null },
          { name: "Workspace admin", group: "slack-admins", approver: "admin" },
        ],
      },
    ];
    for (const app of apps) {
      const created = await createApp(owner, {
        name: app.name,
        description: app.description,
        scimConnectionId: app.scim ? scimConnectionId : null,
        ownerUserId: members.get("admin")?.userId,
      });
      for (const role of app.roles)
        await createAppRole(owner, {
          appId: created.id,
          name: role.name,
          scimGroup: role.group,
          approverRole: role.approver,
        });
    }
  }
}

/** The connection Figma's roles are provisioned through: another demo tenant's own SCIM endpoint. */
export const scimConnectionName = (targetName: string) => `${targetName} (Tenet SCIM)`;

/**
 * A `scim` connection in `from` whose base URL is `to`'s SCIM endpoint in this app, with a token
 * generated for `to`: granting Figma in one demo tenant then creates the account in the other, over
 * real HTTP. Made once; null (and nothing written) when `to` already has a live SCIM token, which
 * cannot be read back and which the seed must not rotate away from whoever uses it.
 */
async function seedScimConnection(
  db: PrismaClient,
  from: { tenantId: string; members: DemoMembers },
  to: { tenantId: string; slug: string; name: string; members: DemoMembers },
): Promise<string | null> {
  const name = scimConnectionName(to.name);
  const existing = await withTenant(db, { tenantId: from.tenantId }, (tx) =>
    tx.connection.findUnique({
      where: { tenantId_connectorId_name: { tenantId: from.tenantId, connectorId: "scim", name } },
      select: { id: true },
    }),
  );
  if (existing) return existing.id;
  const token = await withTenant(db, { tenantId: to.tenantId }, async (tx) => {
    if (
      await exists(tx, `SELECT 1 FROM scim.token WHERE tenant_id = $1::uuid AND revoked_at IS NULL`, [
        to.tenantId,
      ])
    )
      return null;
    return (await generateScimToken(contextOf(tx, to.tenantId, to.members, "owner"))).token;
  });
  if (token === null) return null;
  const base = new URL(`/api/scim/v2/${to.slug}`, env.APP_URL);
  return withTenant(db, { tenantId: from.tenantId }, async (tx) => {
    const connection = await createConnection(
      contextOf(tx, from.tenantId, from.members, "owner"),
      {
        connectorId: "scim",
        name,
        credentials: { token },
        // The app's own host is a private address in development: allowed by name, as the SSRF guard wants.
        config: { baseUrl: base.toString(), allowHosts: [base.host] },
      },
      connectionSchemasIn(CONNECTOR_MANIFESTS),
    );
    return connection.id;
  });
}

export type DemoTenant = { tenantId: string; slug: string; name: string; prefix: string; domain: string };

/**
 * The demo tenant's own accounts, `<role>@<domain>`, by role: not whoever else joined later (a SCIM
 * grant from the other demo tenant adds its people as employees).
 */
export async function demoMembers(db: PrismaClient, tenantId: string, domain: string): Promise<DemoMembers> {
  const rows = await withTenant(db, { tenantId }, (tx) =>
    tx.membership.findMany({
      where: { tenantId, deactivatedAt: null },
      select: { id: true, role: true, userId: true, user: { select: { name: true, email: true } } },
      orderBy: { createdAt: "asc" },
    }),
  );
  const members = new Map<Role, { userId: string; membershipId: string; name: string; email: string }>();
  for (const row of rows)
    if (row.user.email === `${row.role}@${domain}`)
      members.set(row.role, {
        userId: row.userId,
        membershipId: row.id,
        name: row.user.name,
        email: row.user.email,
      });
  return members;
}

/**
 * Seeds every domain for the demo tenants. Each tenant's Figma is provisioned into the next tenant's
 * SCIM endpoint (Acme's into Globex, Globex's into Acme). Returns the SCIM connections it could not
 * make (the target already had a token), for the caller to report.
 */
export async function seedDomains(db: PrismaClient, tenants: readonly DemoTenant[]): Promise<string[]> {
  const members = new Map<string, DemoMembers>();
  for (const t of tenants) members.set(t.tenantId, await demoMembers(db, t.tenantId, t.domain));
  const skipped: string[] = [];
  for (const [index, t] of tenants.entries()) {
    const own = members.get(t.tenantId);
    if (!own) continue;
    const target = tenants[(index + 1) % tenants.length];
    const targetMembers = target ? members.get(target.tenantId) : undefined;
    let scim: string | null = null;
    if (target && targetMembers && target.tenantId !== t.tenantId) {
      scim = await seedScimConnection(
        db,
        { tenantId: t.tenantId, members: own },
        { ...target, members: targetMembers },
      );
      if (scim === null) skipped.push(`${t.slug} → ${target.slug}`);
    }
    await withTenant(db, { tenantId: t.tenantId }, (tx) => seedHr(tx, t.tenantId, t.prefix, t.domain, own));
    await withTenant(db, { tenantId: t.tenantId }, (tx) => seedFacilities(tx, t.tenantId, own));
    await withTenant(db, { tenantId: t.tenantId }, (tx) => seedFinance(tx, t.tenantId, own));
    await withTenant(db, { tenantId: t.tenantId }, (tx) => seedIt(tx, t.tenantId, t.prefix, own, scim));
  }
  return skipped;
}
