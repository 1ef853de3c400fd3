import { acceptInvite, expect, inviteMember, signIn, test } from "./fixtures";

test("an owner invites someone, then reads it in the audit log and verifies the chain", async ({
  page,
  acme,
}) => {
  await signIn(page, acme.email, acme.password);
  await expect(page).toHaveURL(new RegExp(`/t/${acme.tenantSlug}$`));

  await page.getByRole("link", { name: "Members" }).click();
  await expect(page.getByRole("heading", { name: "Members" })).toBeVisible();
  const invitee = `milton@${acme.tenantSlug}.test`;
  await inviteMember(page, invitee, "approver");

  await page.getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("heading", { name: "Audit log", level: 1 })).toBeVisible();
  const entries = page.getByRole("list", { name: "Audit entries" });
  const invitation = entries.getByRole("button", {
    name: new RegExp(`${acme.name} invited ${invitee} to join as approver`),
  });
  await expect(invitation).toBeVisible();
  await expect(entries.getByRole("button", { name: new RegExp(`${acme.name} signed in`) })).toBeVisible();

  // The entry opens to its full record.
  await invitation.click();
  await expect(invitation).toHaveAttribute("aria-expanded", "true");
  await expect(page.getByLabel(/^Entry \d+ in full$/)).toContainText('"action": "invite.created"');

  // Filtering narrows the list to invitations.
  await page.getByLabel("Action").fill("invite.");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(entries.getByRole("button", { name: new RegExp(`${acme.name} signed in`) })).toHaveCount(0);
  await expect(invitation).toBeVisible();

  await page.getByRole("button", { name: "Verify", exact: true }).click();
  await expect(
    page.getByRole("status").filter({ hasText: /^Chain intact: \d+ entries verified$/ }),
  ).toBeVisible();
});

test("an employee sees no audit link and is told the log is for owners and admins", async ({
  page,
  browser,
  acme,
}) => {
  await signIn(page, acme.email, acme.password);
  await expect(page).toHaveURL(new RegExp(`/t/${acme.tenantSlug}$`));
  await page.goto(`/t/${acme.tenantSlug}/members`);
  const employeeEmail = `bob@${acme.tenantSlug}.test`;
  const inviteUrl = await inviteMember(page, employeeEmail, "employee");

  const employee = await acceptInvite(browser, inviteUrl, "Bob Porter");
  await expect(employee).toHaveURL(new RegExp(`/t/${acme.tenantSlug}$`));
  await expect(employee.getByRole("link", { name: "Members" })).toBeVisible();
  await expect(employee.getByRole("link", { name: "Audit log" })).toHaveCount(0);

  await employee.goto(`/t/${acme.tenantSlug}/audit`);
  await expect(employee.getByText("Only owners and admins can see the audit log.")).toBeVisible();
  await expect(employee.getByRole("list", { name: "Audit entries" })).toHaveCount(0);
  await expect(employee.getByText(/invited .* to join as/)).toHaveCount(0);
  await employee.context().close();
});
