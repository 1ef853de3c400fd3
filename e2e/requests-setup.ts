import type { Browser, Page } from "@playwright/test";
import pg from "pg";
import { acceptInvite, expect, inviteMember, signIn, type Account } from "./fixtures";

/**
 * What the request and approval specs share: a tenant's people (members invited through the Members
 * page, HR records with their reporting lines imported through the People page), and the few records
 * no page creates yet (time-off policies, cost centers), written on the database owner's connection.
 */

export type Person = {
  /** Given and family name, as the member and in HR. */
  given: string;
  family: string;
  role: "admin" | "approver" | "employee";
  /** The key of this person's manager among the people set up together, or "owner". */
  manager?: string;
};

export type Member = { name: string; email: string; page: Page };

export const emailOf = (account: Account, key: string) => `${key}@${account.tenantSlug}.test`;

/**
 * Signs the owner in on `owner`, invites each person (accepting in a browser of their own), and imports
 * everyone's HR record, the owner's included, so each person's manager is who `manager` says.
 */
export async function setUpTeam<K extends string>(
  owner: Page,
  browser: Browser,
  account: Account,
  people: Record<K, Person>,
): Promise<Record<K, Member>> {
  await signIn(owner, account.email, account.password);
  await expect(owner).toHaveURL(new RegExp(`/t/${account.tenantSlug}$`));
  await owner.goto(`/t/${account.tenantSlug}/members`);
  const entries = Object.entries(people) as [K, Person][];
  const invited: { key: K; name: string; email: string; invite: string }[] = [];
  for (const [key, person] of entries) {
    const email = emailOf(account, key);
    const invite = await inviteMember(owner, email, person.role);
    invited.push({ key, name: `${person.given} ${person.family}`, email, invite });
  }
  // Each accepts in a browser of their own, one after the other: accepting hashes a password
  // (argon2id), and several at once beside the other worker's test starve two cores.
  const joined: [K, Member][] = [];
  for (const { key, name, email, invite } of invited)
    joined.push([key, { name, email, page: await acceptInvite(browser, invite, name) }]);
  const members = Object.fromEntries(joined) as Record<K, Member>;
  const managerEmail = (p: Person) =>
    p.manager === undefined ? "" : p.manager === "owner" ? account.email : emailOf(account, p.manager);
  const csv = [
    "employee_number,given_name,family_name,email,title,department,manager_email,start_date",
    `E0,${account.name.split(" ")[0]},Owner,${account.email},Owner,Board,,2026-01-05`,
    ...entries.map(
      ([key, p], i) =>
        `E${i + 1},${p.given},${p.family},${emailOf(account, key)},Staff,Operations,${managerEmail(p)},2026-01-05`,
    ),
  ].join("\n");
  await owner.goto(`/t/${account.tenantSlug}/people`);
  await owner.getByRole("tab", { name: "Import and export" }).click();
  const form = owner.getByRole("form", { name: "Import CSV" });
  await form.getByLabel("Or paste the CSV").fill(csv);
  await form.getByRole("button", { name: "Import" }).click();
  await expect(
    owner.getByRole("status").filter({ hasText: `Imported: ${entries.length + 1} added` }),
  ).toBeVisible();
  return members;
}

/** Runs `fn` on the database owner's connection (scripts/e2e.ts passes it in E2E_DATABASE_URL). */
export async function asDatabaseOwner<T>(fn: (owner: pg.Client) => Promise<T>): Promise<T> {
  const url = process.env.E2E_DATABASE_URL;
  if (!url) throw new Error("E2E_DATABASE_URL is not set: run the end-to-end tests with npm run test:e2e");
  const owner = new pg.Client({ connectionString: url });
  await owner.connect();
  try {
    return await fn(owner);
  } finally {
    await owner.end();
  }
}

/**
 * A time-off policy, written directly: no page creates policies yet (server/hr/time-off.ts has
 * createTimeOffPolicy, but no procedure or form calls it).
 */
export async function addTimeOffPolicy(account: Account, name: string): Promise<void> {
  await asDatabaseOwner((owner) =>
    owner.query(
      `INSERT INTO hr.time_off_policy (tenant_id, name, kind, accrual_half_days_per_year, max_carryover_half_days)
       SELECT id, $2, 'vacation'::hr.time_off_kind, 50, 0 FROM "Tenant" WHERE slug = $1`,
      [account.tenantSlug, name],
    ),
  );
}

/** A cost center for this year, written directly: no page creates cost centers yet. */
export async function addCostCenter(account: Account, code: string, name: string): Promise<void> {
  await asDatabaseOwner((owner) =>
    owner.query(
      `INSERT INTO "CostCenter" (id, "tenantId", code, name, "annualBudgetCents", "fiscalYear")
       SELECT gen_random_uuid(), id, $2, $3, 100000000, extract(year FROM now())::int FROM "Tenant" WHERE slug = $1`,
      [account.tenantSlug, code, name],
    ),
  );
}

/** Opens a request type's form from the Requests page's catalog. */
export async function openRequestForm(page: Page, account: Account, title: string): Promise<void> {
  await page.goto(`/t/${account.tenantSlug}/requests`);
  await page.getByRole("link", { name: `Request ${title}` }).click();
  await expect(page.getByRole("form", { name: `Request ${title}` })).toBeVisible();
}

/** Submits the open request form and waits for the request's own page; returns its id. */
export async function submitRequest(page: Page): Promise<string> {
  await page.getByRole("button", { name: "Submit request" }).click();
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  return page.url().split("/").at(-1) ?? "";
}

/** The request page's status badge, which follows the workflow live. */
export const statusOf = (page: Page) => page.getByRole("region", { name: "Status" });

/** An item of the Approvals inbox, by (part of) the request's title, which names it. */
export const inboxItem = (page: Page, title: string) =>
  page.getByRole("list", { name: "Approvals waiting for you" }).getByRole("listitem", { name: title });

/** The links an approval mail carries, read from the person's Outbox page. */
export async function mailedLinks(page: Page, subject: string): Promise<{ approve: string; deny: string }> {
  await page.goto("/outbox");
  const mail = page.getByRole("article").filter({ has: page.getByRole("heading", { name: subject }) });
  await expect(mail).toHaveCount(1);
  const text = (await mail.textContent()) ?? "";
  const approve = /Approve: (\S+\/approve\/[A-Za-z0-9_-]+)/.exec(text)?.[1];
  const deny = /Deny: (\S+\/approve\/[A-Za-z0-9_-]+)/.exec(text)?.[1];
  if (!approve || !deny) throw new Error(`no approval links in: ${text}`);
  return { approve, deny };
}
