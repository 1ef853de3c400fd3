import { randomBytes } from "node:crypto";
import { test as base, expect, type APIRequestContext, type Browser, type Page } from "@playwright/test";
import pg from "pg";
import superjson from "superjson";

export { expect };

export type Account = {
  name: string;
  email: string;
  password: string;
  tenantName: string;
  tenantSlug: string;
};

const unique = (label: string) => `${label.toLowerCase()}-${randomBytes(4).toString("hex")}`;

/** A new tenant and its owner, created through the app's own sign-up API over HTTP. */
async function createTenant(request: APIRequestContext, label: string): Promise<Account> {
  const slug = unique(label);
  const account: Account = {
    name: `${label} Owner`,
    email: `owner@${slug}.test`,
    password: "e2e-password-123",
    tenantName: label,
    tenantSlug: slug,
  };
  const res = await request.post("/api/trpc/auth.signUp", {
    data: superjson.serialize({
      name: account.name,
      email: account.email,
      password: account.password,
      tenantName: account.tenantName,
      tenantSlug: account.tenantSlug,
    }),
  });
  expect(res.status(), await res.text()).toBe(200);
  return account;
}

/**
 * Runs `fn` on the database owner's connection (scripts/e2e.ts passes it), for what the app itself may
 * never do, such as choosing the platform's operators.
 */
async function asDatabaseOwner<T>(fn: (owner: pg.Client) => Promise<T>): Promise<T> {
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
 * A new tenant made the platform's operator tenant for the test, as `npm run platform:operators` does;
 * the operator tenant before it is restored afterwards. There is one per deployment, so only one test
 * at a time should use this.
 */
async function useOperatorTenant(request: APIRequestContext, use: (account: Account) => Promise<void>) {
  const account = await createTenant(request, "Ops");
  const previous = await asDatabaseOwner(async (owner) => {
    const { rows } = await owner.query<{ id: string | null }>(
      "SELECT operator_tenant_id::text AS id FROM kernel.settings",
    );
    await owner.query(
      `UPDATE kernel.settings SET operator_tenant_id = (SELECT id FROM "Tenant" WHERE slug = $1)`,
      [account.tenantSlug],
    );
    return rows[0]?.id ?? null;
  });
  try {
    await use(account);
  } finally {
    await asDatabaseOwner((owner) =>
      owner.query("UPDATE kernel.settings SET operator_tenant_id = $1::uuid", [previous]),
    );
  }
}

/** Each test gets its own tenants; the e2e database itself is dropped after the run. */
export const test = base.extend<{ acme: Account; globex: Account; operator: Account }>({
  acme: async ({ request }, use) => use(await createTenant(request, "Acme")),
  globex: async ({ request }, use) => use(await createTenant(request, "Globex")),
  operator: async ({ request }, use) => useOperatorTenant(request, use),
});

/** Signs in through the sign-in page, as a person would. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/sign-in");
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** On the Members page: invites `email` with `role` and returns the invitation link the page shows. */
export async function inviteMember(page: Page, email: string, role: string): Promise<string> {
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Role").selectOption(role);
  await page.getByRole("button", { name: "Invite", exact: true }).click();
  const link = page.getByLabel("Invitation link");
  await expect(link).toHaveValue(/\/invite\//);
  return link.inputValue();
}

export const newPassword = () => `pw-${randomBytes(6).toString("hex")}`;

/**
 * Accepts an invitation as a new person, in a browser of their own, and waits for the tenant's home page.
 * Returns their page; close it with `page.context().close()`.
 */
export async function acceptInvite(browser: Browser, inviteUrl: string, name: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(inviteUrl);
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Password", { exact: true }).fill(newPassword());
  await page.getByRole("button", { name: "Accept invitation" }).click();
  await expect(page).toHaveURL(/\/t\/[^/]+$/);
  return page;
}
export { unique };
