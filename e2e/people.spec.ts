import { readFile } from "node:fs/promises";
import type { Page } from "@playwright/test";
import superjson from "superjson";
import { acceptInvite, expect, inviteMember, signIn, test, type Account } from "./fixtures";

/**
 * The People page: an owner imports people from CSV (a bad row is listed and nothing is imported; the
 * corrected file imports), finds them in the directory and the org chart, and connects an identity
 * provider with a SCIM token shown once. An employee reads the directory but cannot import.
 */

async function openPeople(page: Page, account: Account): Promise<void> {
  await signIn(page, account.email, account.password);
  await expect(page).toHaveURL(new RegExp(`/t/${account.tenantSlug}$`));
  await page.getByRole("navigation", { name: "Tenant" }).getByRole("link", { name: "People" }).click();
  await expect(page.getByRole("heading", { name: "People", level: 1 })).toBeVisible();
}

const csvFor = (slug: string, cyStarts: string) =>
  [
    "employee_number,given_name,family_name,email,title,department,manager_email,start_date",
    `P1,Ada,Lovelace,ada@${slug}.test,Chief Executive,Board,,2026-01-05`,
    `P2,Bob,Builder,bob@${slug}.test,Site Engineer,Engineering,ada@${slug}.test,2026-01-05`,
    `P3,Cy,Coder,cy@${slug}.test,Developer,Engineering,bob@${slug}.test,${cyStarts}`,
  ].join("\n");

test("an owner imports people from CSV, sees them in the directory and org chart, and makes a SCIM token once", async ({
  page,
  acme,
}) => {
  await openPeople(page, acme);
  await expect(page.getByText("Nobody is in the directory yet.", { exact: false })).toBeVisible();

  // A file with one bad row: its problem is listed, and nothing is imported.
  await page.getByRole("tab", { name: "Import and export" }).click();
  const form = page.getByRole("form", { name: "Import CSV" });
  await form.getByLabel("CSV file").setInputFiles({
    name: "people.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(csvFor(acme.tenantSlug, "2026-02-30")),
  });
  await expect(form.getByLabel("Or paste the CSV")).toHaveValue(/^employee_number,/);
  await form.getByRole("button", { name: "Import" }).click();
  await expect(
    page.getByRole("alert").filter({ hasText: "Nothing was imported: 1 row has problems." }),
  ).toBeVisible();
  const problems = page.getByRole("table", { name: "Problems in the file" });
  await expect(problems.getByRole("row")).toHaveCount(2);
  await expect(problems.getByRole("row").nth(1)).toContainText(/4\s*start_date\s*\S/);
  await page.getByRole("tab", { name: "Directory" }).click();
  await expect(page.getByText("Nobody is in the directory yet.", { exact: false })).toBeVisible();

  // The corrected text, pasted, imports.
  await page.getByRole("tab", { name: "Import and export" }).click();
  await form.getByLabel("Or paste the CSV").fill(csvFor(acme.tenantSlug, "2026-02-02"));
  await form.getByRole("button", { name: "Import" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Imported: 3 added" })).toContainText(
    "New departments: Board, Engineering",
  );
  await expect(page.getByRole("table", { name: "Problems in the file" })).toHaveCount(0);

  // The export downloads every record in the import's columns.
  const downloading = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export CSV" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(
    new RegExp(`^employees-${acme.tenantSlug}-\\d{4}-\\d{2}-\\d{2}\\.csv$`),
  );
  const exported = await readFile(await download.path(), "utf8");
  expect(exported.split("\r\n")[0]).toMatch(/^employee_number,given_name,family_name,email,/);
  expect(exported).toContain(
    `P3,Cy,Coder,cy@${acme.tenantSlug}.test,Developer,Engineering,bob@${acme.tenantSlug}.test,2026-02-02`,
  );

  // The directory, searchable and filtered by department.
  await page.getByRole("tab", { name: "Directory" }).click();
  const directory = page.getByRole("table", { name: `People of ${acme.tenantName}` });
  await expect(directory.getByRole("row")).toHaveCount(4);
  const bob = directory.getByRole("row", { name: /^Bob Builder/ });
  await expect(bob).toContainText("Site Engineer");
  await expect(bob).toContainText("Engineering");
  await expect(bob).toContainText("Ada Lovelace");
  await expect(bob).toContainText("P2");
  await bob.getByRole("button", { name: "Bob Builder" }).click();
  const details = page.getByRole("region", { name: "Details of Bob Builder" });
  await expect(details).toContainText("Ada Lovelace (Chief Executive)");
  await expect(details).toContainText("Cy Coder");
  await details.getByRole("button", { name: "Close" }).click();
  await expect(details).toHaveCount(0);
  await page.getByLabel("Search", { exact: true }).fill("coder");
  await expect(directory.getByRole("row")).toHaveCount(2);
  await expect(directory.getByRole("row", { name: /^Cy Coder/ })).toBeVisible();
  await page.getByLabel("Search", { exact: true }).fill("");
  await page.getByLabel("Department").selectOption({ label: "Board" });
  await expect(directory.getByRole("row")).toHaveCount(2);
  await expect(directory.getByRole("row", { name: /^Ada Lovelace/ })).toBeVisible();

  // The org chart from the top.
  await page.getByRole("tab", { name: "Org chart" }).click();
  const chart = page.getByRole("list", { name: `Org chart of ${acme.tenantName}` });
  await expect(chart.getByText("Ada Lovelace")).toBeVisible();
  await expect(chart.getByText("Chief Executive · Board")).toBeVisible();
  const adaReports = chart.getByRole("list", { name: "Reports of Ada Lovelace" });
  await expect(adaReports.getByText("Bob Builder")).toBeVisible();
  await expect(
    adaReports.getByRole("list", { name: "Reports of Bob Builder" }).getByText("Cy Coder"),
  ).toBeVisible();
  await expect(chart.getByText("Developer · Engineering")).toBeVisible();

  // The SCIM token: shown once, then only its hint.
  await page.getByRole("tab", { name: "Identity provider (SCIM)" }).click();
  const card = page.getByRole("region", { name: "Identity provider (SCIM)" });
  await expect(card.getByLabel("SCIM base URL")).toHaveValue(new RegExp(`/api/scim/v2/${acme.tenantSlug}$`));
  await card.getByRole("button", { name: "Generate token" }).click();
  const made = card.getByRole("region", { name: "New SCIM token" });
  await expect(made).toContainText("you will not see it again");
  const token = await made.getByLabel("SCIM token").inputValue();
  expect(token).toMatch(/^tnt_scim_[A-Za-z0-9_-]{43}$/);
  await expect(made.getByRole("button", { name: "Copy token" })).toBeVisible();
  await expect(card.getByRole("definition").first()).toHaveText(`${token.slice(0, 13)}…`);

  await page.reload();
  await page.getByRole("tab", { name: "Identity provider (SCIM)" }).click();
  await expect(card.getByRole("definition").first()).toHaveText(`${token.slice(0, 13)}…`);
  await expect(card.getByRole("region", { name: "New SCIM token" })).toHaveCount(0);
  expect(await page.content()).not.toContain(token);
  const status = await page.request.get("/api/trpc/scim.status", {
    headers: { "x-tenant": acme.tenantSlug },
  });
  expect(status.status()).toBe(200);
  expect(await status.text()).not.toContain(token);

  // Rotating asks first and shows the new token once; revoking leaves no token.
  await card.getByRole("button", { name: "Rotate token" }).click();
  await page
    .getByRole("region", { name: "Rotate the SCIM token" })
    .getByRole("button", { name: "Yes, rotate it" })
    .click();
  const rotated = card.getByRole("region", { name: "New SCIM token" });
  await expect(rotated).toContainText("the previous one no longer works");
  const second = await rotated.getByLabel("SCIM token").inputValue();
  expect(second).not.toBe(token);
  await expect(card.getByRole("definition").first()).toHaveText(`${second.slice(0, 13)}…`);
  await card.getByRole("button", { name: "Revoke token" }).click();
  await page
    .getByRole("region", { name: "Revoke the SCIM token" })
    .getByRole("button", { name: "Yes, revoke it" })
    .click();
  await expect(card.getByRole("definition").first()).toHaveText("None");
  await expect(card.getByRole("region", { name: "New SCIM token" })).toHaveCount(0);
  await expect(card.getByRole("button", { name: "Generate token" })).toBeVisible();
});

test("an employee reads the directory but cannot import, export or see the SCIM token", async ({
  page,
  browser,
  acme,
}) => {
  await signIn(page, acme.email, acme.password);
  await expect(page).toHaveURL(new RegExp(`/t/${acme.tenantSlug}$`));
  await page.goto(`/t/${acme.tenantSlug}/members`);
  const url = await inviteMember(page, `erin@${acme.tenantSlug}.test`, "employee");
  const employee = await acceptInvite(browser, url, "Erin Example");

  await employee.getByRole("navigation", { name: "Tenant" }).getByRole("link", { name: "People" }).click();
  await expect(employee.getByRole("heading", { name: "People", level: 1 })).toBeVisible();
  await expect(employee.getByRole("tab", { name: "Directory" })).toBeVisible();
  await expect(employee.getByRole("tab", { name: "Org chart" })).toBeVisible();
  await expect(employee.getByRole("tab", { name: "Import and export" })).toHaveCount(0);
  await expect(employee.getByRole("tab", { name: "Identity provider (SCIM)" })).toHaveCount(0);
  await expect(employee.getByLabel("Status")).toHaveCount(0);

  const refused = await employee.request.post("/api/trpc/hr.csvImport", {
    headers: { "x-tenant": acme.tenantSlug },
    data: superjson.serialize({ csv: "employee_number,given_name,family_name,email,start_date\n" }),
  });
  expect(refused.status()).toBe(403);
  const scim = await employee.request.get("/api/trpc/scim.status", {
    headers: { "x-tenant": acme.tenantSlug },
  });
  expect(scim.status()).toBe(403);
  await employee.context().close();
});
