import type { Browser, Page } from "@playwright/test";
import { acceptInvite, expect, inviteMember, signIn, test, type Account } from "./fixtures";

/** Signs the owner in and invites an employee, who accepts in a browser of their own. */
async function ownerWithEmployee(page: Page, browser: Browser, acme: Account): Promise<Page> {
  await signIn(page, acme.email, acme.password);
  await expect(page).toHaveURL(new RegExp(`/t/${acme.tenantSlug}$`));
  await page.goto(`/t/${acme.tenantSlug}/members`);
  const inviteUrl = await inviteMember(page, `bob@${acme.tenantSlug}.test`, "employee");
  return acceptInvite(browser, inviteUrl, "Bob Porter");
}

async function openPolicies(page: Page) {
  await page.getByRole("link", { name: "Policies" }).click();
  await expect(page.getByRole("heading", { name: "Policies", level: 1 })).toBeVisible();
  // The live check has run once the draft is known to be clean.
  await expect(page.getByText(/^No problems found: \d+ policies\.$/)).toBeVisible();
}

test("an admin finds a mistake in a rule by its line and column, fixes it and saves version 2", async ({
  page,
  acme,
}) => {
  await signIn(page, acme.email, acme.password);
  await expect(page).toHaveURL(new RegExp(`/t/${acme.tenantSlug}$`));
  await openPolicies(page);
  await expect(page.getByText("Editing a draft of version 1")).toBeVisible();

  const editor = page.getByLabel("Policies", { exact: true });
  const original = await editor.inputValue();
  const ruleLine = original.split("\n").length + 2;
  const rule = (action: string) =>
    `\n@id("everyone-books-rooms")\npermit (principal is Tenet::User, action == Tenet::Action::"${action}", resource);\n`;

  await editor.fill(`${original.trimEnd()}\n${rule("facilities.room.bok")}`);
  const problems = page.getByRole("list", { name: "Problems in the draft" });
  const problem = problems.getByRole("button").first();
  await expect(problem).toHaveText(new RegExp(`^${ruleLine}:\\d+ .*facilities\\.room\\.bok`));

  // The error takes the caret to its line.
  await problem.click();
  await expect(editor).toBeFocused();
  await expect
    .poll(() =>
      editor.evaluate((el: HTMLTextAreaElement) => el.value.slice(el.selectionStart, el.selectionEnd)),
    )
    .toContain("facilities.room.bok");

  await editor.fill(`${original.trimEnd()}\n${rule("facilities.room.book")}`);
  await expect(page.getByText(/^No problems found: \d+ policies\.$/)).toBeVisible();
  await expect(problems).toHaveCount(0);
  await expect(
    page
      .getByRole("list", { name: "Policies in the draft" })
      .getByRole("button", { name: "everyone-books-rooms" }),
  ).toBeVisible();

  await page.getByLabel("Summary of the change").fill("Everyone may book rooms");
  await page.getByRole("button", { name: "Save as version 2" }).click();
  await expect(
    page.getByRole("status").filter({ hasText: "Saved version 2: Everyone may book rooms" }),
  ).toBeVisible();
  await expect(page.getByText("Editing a draft of version 2")).toBeVisible();
  const history = page.getByRole("list", { name: "Policy versions" });
  await expect(history.getByRole("listitem").first()).toContainText("Version 2");
  await expect(history.getByRole("listitem").first()).toContainText("Everyone may book rooms");
  await expect(history.getByRole("listitem")).toHaveCount(2);
});

test("the what-if tester: no self-approval of expenses, and large expenses need the approver role", async ({
  page,
  browser,
  acme,
}) => {
  const employee = await ownerWithEmployee(page, browser, acme);
  await employee.context().close();
  await page.goto(`/t/${acme.tenantSlug}`);
  await openPolicies(page);

  const tester = page.getByRole("form", { name: "What-if test" });
  const result = page.getByRole("region", { name: "What-if result" });
  await tester.getByLabel("Member", { exact: true }).selectOption({ label: "Bob Porter (employee)" });
  await tester.getByLabel("Action").selectOption("finance.expense.approve");
  await expect(tester.getByLabel("Resource owner")).toHaveValue("");
  await tester.getByRole("button", { name: "Test this request" }).click();
  await expect(result.getByText("Denied", { exact: true })).toBeVisible();
  await expect(result).toContainText("Bob Porter asking to approve an expense");
  const selfApproval = result.getByRole("button", { name: "no-self-approval-expense" });
  await expect(selfApproval).toBeVisible();

  // The deciding policy opens in the editor.
  await selfApproval.click();
  const editor = page.getByLabel("Policies", { exact: true });
  await expect(editor).toBeFocused();
  await expect
    .poll(() =>
      editor.evaluate((el: HTMLTextAreaElement) => el.value.slice(el.selectionStart, el.selectionEnd)),
    )
    .toMatch(/^@id\("no-self-approval-expense"\)\nforbid/);

  await tester.getByLabel("Action").selectOption("finance.expense.submit");
  await tester.getByLabel("Amount").fill("1500.00");
  await tester.getByRole("button", { name: "Test this request" }).click();
  await expect(result.getByText("Needs approval from the approver role", { exact: true })).toBeVisible();
  await expect(result.getByRole("button", { name: "large-expense-needs-approver" })).toBeVisible();

  // With the approver's yes already given, it goes through.
  await tester.getByLabel(/Approved by the approver role/).check();
  await tester.getByRole("button", { name: "Test this request" }).click();
  await expect(result.getByText("Allowed", { exact: true })).toBeVisible();
});

test("an admin registers an agent, grants it room booking, revokes the grant, and both are in the audit log", async ({
  page,
  acme,
}) => {
  await signIn(page, acme.email, acme.password);
  await expect(page).toHaveURL(new RegExp(`/t/${acme.tenantSlug}$`));
  await page.getByRole("link", { name: "Grants" }).click();
  await expect(page.getByRole("heading", { name: "Grants", level: 1 })).toBeVisible();

  const register = page.getByRole("form", { name: "Register an agent" });
  await register.getByLabel("Agent name").fill("Room booker");
  await register.getByLabel("Publisher").fill("Acme Labs");
  await register.getByLabel("Skill id").fill("facilities.rooms");
  await register.getByLabel("Skill name").fill("Room booking");
  await register.getByLabel("Skill version").fill("1.0.0");
  await register.getByRole("button", { name: "Register agent" }).click();
  const agents = page.getByRole("list", { name: "Agents" });
  await expect(agents.getByRole("listitem").filter({ hasText: "Room booker" })).toContainText(
    "Room booking 1.0.0 by Acme Labs",
  );

  const form = page.getByRole("form", { name: "New grant" });
  await form.getByLabel("Agent", { exact: true }).selectOption({ label: "Room booker (Room booking 1.0.0)" });
  await form.getByLabel("book a room").check();
  await form.getByLabel("Reason").fill("Books the weekly all-hands room");
  await form.getByRole("button", { name: "Create grant" }).click();
  await expect(form.getByRole("status")).toContainText("Room booker may book a room until");

  const grants = page.getByRole("table", { name: "Active grants" });
  const row = grants.getByRole("row").filter({ hasText: "Room booker" });
  await expect(row).toContainText("book a room");
  await expect(row).toContainText("Active");
  await expect(agents.getByRole("listitem").filter({ hasText: "Room booker" })).toContainText(
    "1 active grant",
  );

  await row.getByRole("button", { name: /^Revoke/ }).click();
  await row.getByRole("button", { name: "Yes, revoke" }).click();
  await expect(
    page.getByRole("status").filter({ hasText: "Revoked Room booker's grant to book a room." }),
  ).toBeVisible();
  await expect(page.getByText("No grants are active.")).toBeVisible();

  await page.getByLabel("Show").selectOption("all");
  const revoked = page
    .getByRole("table", { name: "All grants" })
    .getByRole("row")
    .filter({ hasText: "Room booker" });
  await expect(revoked).toContainText("Revoked");
  await expect(revoked).toContainText(`revoked by ${acme.name}`);

  await page.getByRole("link", { name: "Audit log" }).click();
  const entries = page.getByRole("list", { name: "Audit entries" });
  for (const action of ["grant.created", "grant.revoked"]) {
    await page.getByLabel("Action").fill(action);
    await page.getByRole("button", { name: "Apply filters" }).click();
    const entry = entries.getByRole("button", { name: /Room booker/ });
    await expect(entry).toHaveCount(1);
    await entry.click();
    await expect(page.getByLabel(/^Entry \d+ in full$/)).toContainText(`"action": "${action}"`);
  }

  // The signed checkpoints leave as a file, for someone outside the database to keep.
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download checkpoints" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^audit-checkpoints-.*\.json$/);
  const stream = await file.createReadStream();
  let body = "";
  for await (const chunk of stream) body += String(chunk);
  expect(JSON.parse(body)).toMatchObject({ format: "tenet-audit-checkpoints/v1", algorithm: "Ed25519" });
});

test("an employee sees no Policies or Grants link, is told the pages are for owners and admins, and the API refuses them", async ({
  page,
  browser,
  acme,
}) => {
  const employee = await ownerWithEmployee(page, browser, acme);
  await expect(employee.getByRole("link", { name: "Members" })).toBeVisible();
  await expect(employee.getByRole("link", { name: "Policies" })).toHaveCount(0);
  await expect(employee.getByRole("link", { name: "Grants" })).toHaveCount(0);

  await employee.goto(`/t/${acme.tenantSlug}/policies`);
  await expect(employee.getByText("Only owners and admins can see and edit the policies.")).toBeVisible();
  await expect(employee.getByLabel("Policies", { exact: true })).toHaveCount(0);
  await employee.goto(`/t/${acme.tenantSlug}/grants`);
  await expect(employee.getByText("Only owners and admins can see and give grants.")).toBeVisible();

  // Hiding the page is not the protection: the server refuses the employee, and still answers the owner.
  const headers = { "x-tenant": acme.tenantSlug };
  expect((await employee.request.get("/api/trpc/policy.current", { headers })).status()).toBe(403);
  expect((await page.request.get("/api/trpc/policy.current", { headers })).status()).toBe(200);
  await employee.context().close();
});
