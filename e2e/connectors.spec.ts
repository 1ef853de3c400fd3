import { randomBytes } from "node:crypto";
import type { Browser, Page } from "@playwright/test";
import superjson from "superjson";
import { acceptInvite, expect, inviteMember, signIn, test, type Account } from "./fixtures";

/**
 * The Connectors page: every member browses the installed connectors and what their actions do; owners
 * and admins add a connection from a form generated from the connector's schemas, and its secret is
 * never shown again once saved. Which connectors are installed is the deployment's business, so the
 * catalog test reads the catalog first and checks the page against it, and the connection test uses
 * the generic HTTP connector (skipped, saying so, when it is not installed).
 */

type CatalogConnector = {
  id: string;
  name: string;
  category: string;
  auth: { type: string };
  actions: { action: string; title: string; effect: string }[];
};

const CATEGORY_LABELS: Record<string, string> = {
  hr: "HR",
  it: "IT",
  facilities: "Facilities",
  finance: "Finance",
  integration: "Integration",
};

const escaped = (text: string) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));

async function signInOwner(page: Page, account: Account): Promise<void> {
  await signIn(page, account.email, account.password);
  await expect(page).toHaveURL(new RegExp(`/t/${account.tenantSlug}$`));
}

async function openConnectors(page: Page): Promise<void> {
  await page.getByRole("navigation", { name: "Tenant" }).getByRole("link", { name: "Connectors" }).click();
  await expect(page.getByRole("heading", { name: "Connectors", level: 1 })).toBeVisible();
}

/** The owner invites someone with `role`, who accepts in a browser of their own; returns their page. */
async function invite(page: Page, browser: Browser, account: Account, who: string, role: string) {
  await page.goto(`/t/${account.tenantSlug}/members`);
  const url = await inviteMember(page, `${who.toLowerCase()}@${account.tenantSlug}.test`, role);
  return acceptInvite(browser, url, `${who} Example`);
}

/** A tRPC query over HTTP as `page`'s user, for what the server answers behind the page. */
function trpcQuery(page: Page, tenantSlug: string, path: string, input?: unknown) {
  const query =
    input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(superjson.serialize(input)))}`;
  return page.request.get(`/api/trpc/${path}${query}`, { headers: { "x-tenant": tenantSlug } });
}

async function installedConnectors(page: Page, tenantSlug: string): Promise<CatalogConnector[]> {
  const res = await trpcQuery(page, tenantSlug, "connector.catalog");
  expect(res.status()).toBe(200);
  const body = (await res.json()) as { result: { data: Parameters<typeof superjson.deserialize>[0] } };
  return superjson.deserialize<{ connectors: CatalogConnector[] }>(body.result.data).connectors;
}

test("every member browses the connectors and their actions; only owners and admins see connections", async ({
  page,
  browser,
  acme,
}) => {
  await signInOwner(page, acme);
  await openConnectors(page);
  const connectors = await installedConnectors(page, acme.tenantSlug);

  // The registry installs every connector in connectors/catalog.ts.
  expect(connectors.map((c) => c.id)).toContain("http");
  for (const category of new Set(connectors.map((c) => c.category))) {
    const label = CATEGORY_LABELS[category] ?? category;
    const group = page.getByRole("list", { name: `${label} connectors` });
    await expect(page.getByRole("heading", { name: label, level: 2, exact: true })).toBeVisible();
    for (const connector of connectors.filter((c) => c.category === category)) {
      await expect(group.getByRole("link", { name: escaped(connector.name) })).toContainText(
        `${connector.actions.length} ${connector.actions.length === 1 ? "action" : "actions"}`,
      );
    }
  }

  // A connector's page lists its actions with their effect.
  const first = connectors[0]!;
  await page
    .getByRole("link", { name: escaped(first.name) })
    .first()
    .click();
  await expect(page.getByRole("heading", { name: first.name, level: 1 })).toBeVisible();
  const actions = page.getByRole("table", { name: `Actions of ${first.name}` });
  await expect(actions.getByRole("row")).toHaveCount(first.actions.length + 1);
  for (const action of first.actions) {
    const row = actions.getByRole("row", { name: escaped(action.title) });
    await expect(row.getByText(action.action, { exact: true })).toBeVisible();
    await expect(row.getByText(action.effect, { exact: true })).toBeVisible();
  }
  await expect(page.getByRole("heading", { name: "Recent calls" })).toBeVisible();

  // An employee sees the same catalog, and no connection: the page says who may, the API refuses.
  const employee = await invite(page, browser, acme, "Bob", "employee");
  await openConnectors(employee);
  await expect(
    employee
      .getByRole("note")
      .filter({ hasText: "Only owners and admins see and manage the tenant's connections." }),
  ).toBeVisible();
  expect((await installedConnectors(employee, acme.tenantSlug)).map((c) => c.id)).toEqual(
    connectors.map((c) => c.id),
  );
  const withConnection = connectors.find((c) => c.auth.type !== "built-in");
  if (withConnection) {
    await employee.goto(`/t/${acme.tenantSlug}/connectors/${withConnection.id}`);
    await expect(employee.getByRole("heading", { name: withConnection.name, level: 1 })).toBeVisible();
    await expect(employee.getByText("Only owners and admins see and manage connections.")).toBeVisible();
    await expect(employee.getByRole("button", { name: "Add a connection" })).toHaveCount(0);
    await expect(employee.getByRole("heading", { name: "Recent calls" })).toHaveCount(0);
  }
  const refused = await trpcQuery(employee, acme.tenantSlug, "connector.connections", {});
  expect(refused.status()).toBe(403);
  await employee.context().close();
});

test("an owner connects the HTTP API connector and tests it; the API key is never shown again", async ({
  page,
  acme,
}) => {
  await signInOwner(page, acme);

  await openConnectors(page);
  await page.getByRole("link", { name: /HTTP API/ }).click();
  await expect(page.getByRole("heading", { name: "HTTP API", level: 1 })).toBeVisible();
  await expect(page.getByText("HTTP API has no connection yet")).toBeVisible();
  await page.getByRole("button", { name: "Add a connection" }).click();

  const form = page.getByRole("form", { name: "New HTTP API connection" });
  const secret = `sk-e2e-NeverShown-${randomBytes(12).toString("hex")}`;
  const apiKey = form.getByLabel(/^API key/);
  await expect(apiKey).toHaveAttribute("type", "password");
  await expect(apiKey).toHaveAttribute("autocomplete", "off");

  // What the server refuses is shown beside its field, and nothing is saved.
  await form.getByLabel("Name", { exact: true }).fill("Staging API");
  await apiKey.fill(secret);
  await form.getByLabel(/^The API's base URL/).fill("ftp://nowhere");
  await form.getByRole("button", { name: "Save connection" }).click();
  await expect(form.getByLabel(/^The API's base URL/)).toHaveAttribute("aria-invalid", "true");

  // The app itself stands in for the API: its own address, allowlisted, and a page that answers 200.
  const app = new URL(page.url());
  await form.getByLabel(/^The API's base URL/).fill(app.origin);
  await form.getByLabel(/^Internal hosts this connection may reach/).fill(app.host);
  await form.getByLabel(/^A path that answers 200/).fill("/sign-in");
  await form.getByRole("button", { name: "Save connection" }).click();

  const saved = page.getByRole("status").filter({ hasText: "Saved the connection Staging API" });
  await expect(saved).toContainText(`••••${secret.slice(-4)}`);
  await expect(form).toHaveCount(0);
  const card = page.getByRole("region", { name: /^Staging API/ });
  await expect(card.getByText("Not tested", { exact: true })).toBeVisible();
  await expect(card.getByLabel("Details of Staging API")).toContainText(`••••${secret.slice(-4)}`);
  await expect(card.getByLabel("Details of Staging API")).toContainText(app.origin);

  // The secret is nowhere in the page, nor in what the API answers, and stays so after a reload.
  expect(await page.content()).not.toContain(secret);
  await page.reload();
  await expect(page.getByRole("region", { name: /^Staging API/ })).toBeVisible();
  expect(await page.content()).not.toContain(secret);
  const listed = await trpcQuery(page, acme.tenantSlug, "connector.connections", { connectorId: "http" });
  expect(listed.status()).toBe(200);
  expect(await listed.text()).not.toContain(secret);

  // Replacing the credentials starts from an empty box, not the saved key.
  const reloaded = page.getByRole("region", { name: /^Staging API/ });
  await reloaded.getByRole("button", { name: "Replace credentials" }).click();
  const replace = page.getByRole("form", { name: "New credentials for Staging API" });
  await expect(replace.getByLabel(/^API key/)).toHaveValue("");
  await replace.getByRole("button", { name: "Cancel" }).click();

  // Test connection runs the connector's test through the kernel and records the result.
  await reloaded.getByRole("button", { name: "Test connection Staging API" }).click();
  await expect(reloaded.getByRole("status").filter({ hasText: /^Connection works: / })).toBeVisible();
  await expect(reloaded.getByText("Working", { exact: true })).toBeVisible();

  // Deleting asks first.
  await reloaded.getByRole("button", { name: "Delete", exact: true }).click();
  await page
    .getByRole("region", { name: "Delete Staging API" })
    .getByRole("button", { name: "Yes, delete it" })
    .click();
  await expect(page.getByRole("region", { name: /^Staging API/ })).toHaveCount(0);
  await expect(page.getByText("HTTP API has no connection yet")).toBeVisible();
});
