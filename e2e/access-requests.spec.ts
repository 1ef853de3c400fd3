import { expect, signIn, test } from "./fixtures";
import { inboxItem, openRequestForm, setUpTeam, statusOf, submitRequest } from "./requests-setup";

/**
 * The whole chain of an access request: an employee asks for Figma, their manager approves in the
 * inbox, the account is provisioned over SCIM, the employee sees "Done", and the audit log holds every
 * link (request submitted, the kernel's decision, the approval, the completed syscall, request done).
 * "Figma" is Globex's own SCIM endpoint in this app, as in the demo seed (prisma/seed-domains.ts).
 */

test("an employee asks for Figma, the manager approves, the account is provisioned over SCIM, and the audit log shows the chain", async ({
  page,
  browser,
  acme,
  globex,
}) => {
  // Globex stands in for Figma: its owner makes a SCIM token.
  const globexContext = await browser.newContext();
  const globexOwner = await globexContext.newPage();
  await signIn(globexOwner, globex.email, globex.password);
  await expect(globexOwner).toHaveURL(new RegExp(`/t/${globex.tenantSlug}$`));
  await globexOwner.goto(`/t/${globex.tenantSlug}/people`);
  await globexOwner.getByRole("tab", { name: "Identity provider (SCIM)" }).click();
  const scimCard = globexOwner.getByRole("region", { name: "Identity provider (SCIM)" });
  await scimCard.getByRole("button", { name: "Generate token" }).click();
  const token = await scimCard
    .getByRole("region", { name: "New SCIM token" })
    .getByLabel("SCIM token")
    .inputValue();
  expect(token).toMatch(/^tnt_scim_/);
  const scimBase = new URL(`/api/scim/v2/${globex.tenantSlug}`, globexOwner.url()).toString();
  await globexContext.close();
  // "Figma" has the group the role maps to, as an app admin would have made it (SCIM POST /Groups).
  const scimHeaders = { authorization: `Bearer ${token}`, "content-type": "application/scim+json" };
  const group = await page.request.post(`${scimBase}/Groups`, {
    headers: scimHeaders,
    data: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Figma editors" },
  });
  expect(group.status(), await group.text()).toBe(201);

  const team = await setUpTeam(page, browser, acme, {
    mia: { given: "Mia", family: "Manager", role: "employee", manager: "owner" },
    eli: { given: "Eli", family: "Employee", role: "employee", manager: "mia" },
  });

  // Acme's owner connects "Figma" (Globex's SCIM endpoint on this app's own, allowlisted host).
  await page.goto(`/t/${acme.tenantSlug}/connectors/scim`);
  await page.getByRole("button", { name: "Add a connection" }).click();
  const connection = page.getByRole("form", { name: /^New .* connection$/ });
  await connection.getByLabel("Name", { exact: true }).fill("Figma (Globex SCIM)");
  await connection.getByLabel(/^SCIM bearer token/).fill(token);
  await connection.getByLabel(/^SCIM base URL/).fill(scimBase);
  await connection.getByLabel(/^Hosts this connection may reach/).fill(new URL(scimBase).host);
  await connection.getByRole("button", { name: "Save connection" }).click();
  await expect(
    page.getByRole("status").filter({ hasText: "Saved the connection Figma (Globex SCIM)" }),
  ).toBeVisible();

  // The app and a role in the access catalog, provisioned through that connection.
  await page.goto(`/t/${acme.tenantSlug}/access-catalog`);
  await expect(page.getByRole("heading", { name: "Access catalog", level: 1 })).toBeVisible();
  const addApp = page.getByRole("form", { name: "Add app" });
  await addApp.getByLabel("App name").fill("Figma");
  await addApp.getByLabel(/^Description/).fill("Design files and prototypes");
  await addApp.getByLabel("SCIM connection").selectOption({ label: "Figma (Globex SCIM)" });
  await addApp.getByRole("button", { name: "Add app" }).click();
  const figma = page.getByRole("region", { name: "Figma" });
  const addRole = figma.getByRole("form", { name: "Add role" });
  await addRole.getByLabel("Role name").fill("Editor");
  await addRole.getByLabel("SCIM group").fill("Figma editors");
  await addRole.getByLabel("Approval by").selectOption({ label: "Manager only (default)" });
  await addRole.getByRole("button", { name: "Add role" }).click();
  await expect(addRole.getByRole("status")).toContainText("Added Editor");

  // Eli asks; Mia approves in her inbox.
  const eli = team.eli.page;
  await openRequestForm(eli, acme, "Software access");
  const form = eli.getByRole("form", { name: "Request Software access" });
  await form.getByLabel("App and role").selectOption({ label: "Figma: Editor" });
  await form.getByLabel("Why you need it").fill("To review the new onboarding screens.");
  const requestId = await submitRequest(eli);
  await expect(statusOf(eli)).toContainText("Waiting for approval");

  const mia = team.mia.page;
  await mia.goto(`/t/${acme.tenantSlug}/approvals`);
  const item = inboxItem(mia, "Figma");
  await expect(item).toContainText("Eli Employee asks");
  await expect(item).toContainText("To review the new onboarding screens.");
  await item.getByRole("button", { name: /^Approve / }).click();
  await expect(mia.getByRole("status").filter({ hasText: /^Approved: / })).toBeVisible();

  // Done for Eli, and the account exists on Globex's side, in the role's group.
  await expect(statusOf(eli)).toContainText("Done");
  await expect(eli.getByRole("list", { name: "Timeline" })).toContainText("request.done");
  const users = await page.request.get(
    `${scimBase}/Users?filter=${encodeURIComponent(`userName eq "${team.eli.email}"`)}`,
    { headers: scimHeaders },
  );
  expect(users.status(), await users.text()).toBe(200);
  const found = (await users.json()) as {
    totalResults: number;
    Resources: { id: string; active?: boolean }[];
  };
  expect(found.totalResults).toBe(1);
  const account = found.Resources[0];
  expect(account?.active).not.toBe(false);
  const groups = await page.request.get(
    `${scimBase}/Groups?filter=${encodeURIComponent('displayName eq "Figma editors"')}`,
    { headers: scimHeaders },
  );
  expect(groups.status(), await groups.text()).toBe(200);
  expect(await groups.text()).toContain(account?.id ?? "no account");

  // The audit log holds each link of the chain (each filter read afresh, so no stale entry is opened).
  for (const action of [
    "request.submitted",
    "syscall.decided",
    "approval.decided",
    "syscall.completed",
    "request.done",
  ]) {
    await expect(async () => {
      await page.goto(`/t/${acme.tenantSlug}/audit`);
      await page.getByLabel("Action").fill(action);
      await page.getByRole("button", { name: "Apply filters" }).click();
      await page.getByRole("list", { name: "Audit entries" }).getByRole("button").first().click();
      await expect(page.getByLabel(/^Entry \d+ in full$/)).toContainText(`"action": "${action}"`, {
        timeout: 3_000,
      });
    }).toPass({ timeout: 30_000 });
  }
  await expect(page.getByLabel(/^Entry \d+ in full$/)).toContainText(requestId);
});
