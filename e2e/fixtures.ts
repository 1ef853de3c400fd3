import { randomBytes } from "node:crypto";
import { test as base, expect, type APIRequestContext, type Browser, type Page } from "@playwright/test";
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

/** Each test gets its own tenants; the e2e database itself is dropped after the run. */
export const test = base.extend<{ acme: Account; globex: Account }>({
  acme: async ({ request }, use) => use(await createTenant(request, "Acme")),
  globex: async ({ request }, use) => use(await createTenant(request, "Globex")),
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
