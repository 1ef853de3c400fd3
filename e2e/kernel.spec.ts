import type { Browser, Page } from "@playwright/test";
import superjson from "superjson";
import { acceptInvite, expect, inviteMember, signIn, test, type Account } from "./fixtures";

/**
 * The Kernel page: the platform's operators change a resource pool's policy and limits (confirmed,
 * checked by the server, audited); every other tenant's owners and admins see the pools read-only.
 * The operator tenant is one per deployment, so only the first test here makes one.
 */

const NOT_OPERATOR = "Resource pools are shared by every tenant: only the platform's operators change them";

async function signInOwner(page: Page, account: Account): Promise<void> {
  await signIn(page, account.email, account.password);
  await expect(page).toHaveURL(new RegExp(`/t/${account.tenantSlug}$`));
}

async function openKernel(page: Page): Promise<void> {
  await page.getByRole("navigation", { name: "Tenant" }).getByRole("link", { name: "Kernel" }).click();
  await expect(page.getByRole("heading", { name: "Kernel", level: 1 })).toBeVisible();
}

const modelPool = (page: Page) => page.getByRole("region", { name: "Language model", exact: true });

/** The owner invites someone with `role`, who accepts in a browser of their own; returns their page. */
async function invite(page: Page, browser: Browser, account: Account, who: string, role: string) {
  await page.goto(`/t/${account.tenantSlug}/members`);
  const url = await inviteMember(page, `${who.toLowerCase()}@${account.tenantSlug}.test`, role);
  return acceptInvite(browser, url, `${who} Example`);
}

test("an operator changes the Language model's policy; it persists and is in the audit log", async ({
  page,
  operator,
}) => {
  await signInOwner(page, operator);
  await openKernel(page);
  const pool = modelPool(page);
  await expect(pool.getByText("Weighted fair share", { exact: true })).toBeVisible();
  await expect(page.getByRole("note")).toContainText("You operate the platform");
  // Live numbers load and refresh on their own (no traffic yet, so no tenant is listed).
  await expect(pool.getByText("No tenant has used this pool in the last 15 minutes.")).toBeVisible();
  await expect(pool.getByRole("img", { name: /^Granted per minute/ })).toBeVisible();

  await pool.getByRole("button", { name: "Change the settings of Language model" }).click();
  const form = page.getByRole("form", { name: "Settings of Language model" });
  await expect(form.getByLabel("Policy")).toHaveValue("fair_share");
  // Aging belongs to the priority policy only.
  await expect(form.getByLabel("Aging (points per second)")).toHaveCount(0);
  await form.getByLabel("Policy").selectOption({ label: "Priority with aging" });
  await expect(form.getByLabel("Aging (points per second)")).toHaveValue("0.5");
  await form.getByLabel("Policy").selectOption({ label: "First in, first out" });
  await expect(form.getByText("Oldest syscall first, whoever sent it.")).toBeVisible();

  // A value the server refuses is shown beside its field, and nothing is saved.
  await form.getByLabel("Concurrency", { exact: true }).fill("0");
  await form.getByRole("button", { name: "Save", exact: true }).click();
  const confirmation = form.getByRole("region", { name: "Confirm the changes" });
  await expect(confirmation).toContainText("Concurrency: 16 → 0");
  await confirmation.getByRole("button", { name: "Yes, save the changes" }).click();
  await expect(form.getByText("At least one syscall must be able to run")).toBeVisible();
  await expect(form.getByLabel("Concurrency", { exact: true })).toHaveAttribute("aria-invalid", "true");

  await form.getByLabel("Concurrency", { exact: true }).fill("8");
  await form.getByRole("button", { name: "Save", exact: true }).click();
  await expect(confirmation).toContainText("Policy: Weighted fair share → First in, first out");
  await expect(confirmation).toContainText("Concurrency: 16 → 8");
  await confirmation.getByRole("button", { name: "Yes, save the changes" }).click();
  await expect(
    pool.getByRole("status").filter({
      hasText: "Saved Language model: policy Weighted fair share → First in, first out, concurrency 16 → 8.",
    }),
  ).toBeVisible();
  await expect(form).toHaveCount(0);
  await expect(pool.getByText("First in, first out", { exact: true })).toBeVisible();

  // After a reload the pool still has the new settings.
  await page.reload();
  await expect(modelPool(page).getByText("First in, first out", { exact: true })).toBeVisible();
  await expect(modelPool(page).getByText("Oldest syscall first, whoever sent it.")).toBeVisible();
  await expect(modelPool(page).getByLabel("Limits of Language model", { exact: true })).toContainText(
    /Concurrency\s*8(?!\d)/,
  );
  await expect(modelPool(page)).toContainText("version 2");

  // The change is in the operator tenant's audit log, in words.
  await page.getByRole("navigation", { name: "Tenant" }).getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("heading", { name: "Audit log", level: 1 })).toBeVisible();
  await expect(
    page.getByRole("list", { name: "Audit entries" }).getByRole("button", {
      name: new RegExp(
        `${operator.name} changed Language model: policy fair_share → fifo, concurrency 16 → 8`,
      ),
    }),
  ).toBeVisible();
});

test("another tenant's admin sees the pools read-only and the server refuses their changes; an employee has no Kernel page", async ({
  page,
  browser,
  acme,
}) => {
  await signInOwner(page, acme);
  const admin = await invite(page, browser, acme, "Ada", "admin");
  await openKernel(admin);
  const pool = modelPool(admin);
  await expect(pool.getByRole("heading", { name: "Language model", exact: true })).toBeVisible();
  await expect(admin.getByRole("note")).toContainText(
    `Pools are shared by every tenant, so only the platform's operators change them. You see ${acme.tenantName}'s own numbers`,
  );
  await expect(pool.getByLabel("Limits of Language model", { exact: true })).toBeVisible();
  await expect(
    pool.getByText(`${acme.tenantName} has not used this pool in the last 15 minutes.`),
  ).toBeVisible();
  await expect(admin.getByRole("button", { name: /^Change the settings of/ })).toHaveCount(0);
  await expect(admin.getByRole("form", { name: /^Settings of/ })).toHaveCount(0);

  const refused = await admin.request.post("/api/trpc/kernel.updatePool", {
    headers: { "x-tenant": acme.tenantSlug },
    data: superjson.serialize({
      id: "model:default",
      version: 1,
      settings: {
        policy: "priority",
        concurrency: 1,
        requestsPerMinute: null,
        tokensPerMinute: null,
        tenantConcurrency: null,
        tenantRequestsPerMinute: null,
        tenantTokensPerMinute: null,
        agingPerSecond: 0.5,
        defaultDeadlineMs: 60_000,
      },
    }),
  });
  expect(refused.status()).toBe(403);
  expect(await refused.text()).toContain(NOT_OPERATOR);
  await admin.reload();
  await expect(modelPool(admin).getByText("Priority with aging", { exact: true })).toHaveCount(0);
  await admin.context().close();

  const employee = await invite(page, browser, acme, "Bob", "employee");
  await expect(
    employee.getByRole("navigation", { name: "Tenant" }).getByRole("link", { name: "Kernel" }),
  ).toHaveCount(0);
  await employee.goto(`/t/${acme.tenantSlug}/kernel`);
  await expect(
    employee
      .getByRole("status")
      .filter({ hasText: "Only owners and admins can see the kernel's resource pools." }),
  ).toBeVisible();
  await expect(modelPool(employee)).toHaveCount(0);
  await employee.context().close();
});
