import type { Page } from "@playwright/test";
import { expect, test, unique } from "./fixtures";

/** From Tenet's sign-in page through the identity provider's own login and consent pages. */
async function signInWithSso(page: Page, login: string): Promise<void> {
  await page.goto("/sign-in");
  await page.getByRole("button", { name: "Continue with Test identity provider" }).click();
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("anything");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
}

test("a new person signs in with SSO, gets an account, and creates a tenant", async ({ page }) => {
  const email = `${unique("sam")}@sso.test`;
  await signInWithSso(page, email);
  await expect(page).toHaveURL(/\/tenants\/new$/);
  await expect(page.getByRole("heading", { name: "Create a tenant" })).toBeVisible();
  const slug = unique("sso-co");
  await page.getByLabel("Company name").fill("SSO Co");
  await page.getByLabel("Address").fill(slug);
  await page.getByRole("button", { name: "Create tenant" }).click();
  await expect(page).toHaveURL(new RegExp(`/t/${slug}$`));
  await page.getByRole("link", { name: "Profile" }).click();
  await expect(page.getByText(email).first()).toBeVisible();
});

test("SSO with a verified email signs an existing member into their tenant", async ({ page, acme }) => {
  await signInWithSso(page, acme.email);
  await expect(page).toHaveURL(new RegExp(`/t/${acme.tenantSlug}$`));
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
});

test("an identity without a verified email is refused with an explanation", async ({ page }) => {
  await signInWithSso(page, unique("no-email"));
  await expect(page).toHaveURL(/\/sign-in\?error=AccessDenied/);
  await expect(page.getByText("Your identity provider did not confirm your email address")).toBeVisible();
});
