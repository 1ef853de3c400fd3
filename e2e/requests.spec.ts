import type { Page } from "@playwright/test";
import { expect, test, type Account } from "./fixtures";
import {
  addCostCenter,
  addTimeOffPolicy,
  inboxItem,
  openRequestForm,
  setUpTeam,
  statusOf,
  submitRequest,
} from "./requests-setup";

/**
 * Requests from the requester's side through to the approvers: an expense over the finance threshold
 * goes to the manager, then finance, whose denial comment is the outcome; two people booking the same
 * room at once get one booking and one clear conflict; a manager away delegates, and the delegate
 * approves time off for them; an approval nobody decides is reminded, then escalated to the manager's
 * manager, who approves it.
 */

const nextYear = new Date().getFullYear() + 1;

async function askForTimeOff(page: Page, account: Account, first: string, last: string): Promise<string> {
  await openRequestForm(page, account, "Time off");
  const form = page.getByRole("form", { name: "Request Time off" });
  await form.getByLabel("Kind of time off", { exact: true }).selectOption({ label: "Vacation" });
  await form.getByLabel("First day", { exact: true }).fill(first);
  await form.getByLabel("Last day", { exact: true }).fill(last);
  return submitRequest(page);
}

test("an expense over the threshold needs the manager, then finance; finance's denial comment is the outcome", async ({
  page,
  browser,
  acme,
}) => {
  const team = await setUpTeam(page, browser, acme, {
    mia: { given: "Mia", family: "Manager", role: "employee", manager: "owner" },
    fiona: { given: "Fiona", family: "Finance", role: "approver", manager: "owner" },
    eli: { given: "Eli", family: "Employee", role: "employee", manager: "mia" },
  });
  await addCostCenter(acme, "CC-100", "Travel");

  const eli = team.eli.page;
  await openRequestForm(eli, acme, "Expense reimbursement");
  const form = eli.getByRole("form", { name: "Request Expense reimbursement" });
  await form.getByLabel("Date", { exact: true }).fill("2026-03-02");
  await form.getByLabel("Merchant", { exact: true }).fill("Grand Hotel");
  await form.getByLabel("Amount", { exact: true }).fill("1500");
  await form.getByLabel("Category", { exact: true }).selectOption({ index: 1 });
  await form.getByLabel("Cost center", { exact: true }).selectOption({ index: 1 });
  await submitRequest(eli);
  await expect(statusOf(eli)).toContainText("Waiting for approval");
  await expect(statusOf(eli)).toContainText("Mia Manager");

  // The manager first; finance does not have it yet.
  const fiona = team.fiona.page;
  await fiona.goto(`/t/${acme.tenantSlug}/approvals`);
  await expect(fiona.getByText("Nothing is waiting for you.")).toBeVisible();
  const mia = team.mia.page;
  await mia.goto(`/t/${acme.tenantSlug}/approvals`);
  await inboxItem(mia, "Grand Hotel")
    .getByRole("button", { name: /^Approve / })
    .click();
  await expect(mia.getByRole("status").filter({ hasText: "Approved: Expense" })).toBeVisible();

  // Then finance, who must say why to deny.
  await expect(statusOf(eli)).toContainText("Fiona Finance");
  await fiona.reload();
  const item = inboxItem(fiona, "Grand Hotel");
  await expect(item).toContainText("Finance");
  await item.getByRole("button", { name: /^Deny / }).click();
  const deny = fiona.getByRole("form", { name: /^Deny / });
  await deny.getByRole("button", { name: "Confirm deny" }).click();
  await expect(deny.getByText("Say why you deny it: the requester will see your comment")).toBeVisible();
  await deny.getByLabel("Comment for the requester").fill("Over the travel policy: book the partner hotel.");
  await deny.getByRole("button", { name: "Confirm deny" }).click();
  await expect(fiona.getByRole("status").filter({ hasText: "Denied: Expense" })).toBeVisible();

  // The requester sees the comment as the outcome, on the request and in their list.
  await expect(statusOf(eli)).toContainText("Rejected");
  await expect(statusOf(eli).getByRole("alert")).toContainText(
    "Over the travel policy: book the partner hotel.",
  );
  await eli.goto(`/t/${acme.tenantSlug}/requests`);
  await expect(eli.getByRole("list", { name: "My requests" })).toContainText(
    "Over the travel policy: book the partner hotel.",
  );
});

test("two people book the same room and slot at once: one gets it, the other a clear conflict", async ({
  page,
  browser,
  acme,
}) => {
  const team = await setUpTeam(page, browser, acme, {
    ada: { given: "Ada", family: "Early", role: "employee", manager: "owner" },
    bob: { given: "Bob", family: "Late", role: "employee", manager: "owner" },
  });
  await page.goto(`/t/${acme.tenantSlug}/facilities`);
  const site = page.getByRole("form", { name: "Add a site" });
  await site.getByLabel("Name", { exact: true }).fill("Head office");
  await site.getByLabel("Time zone", { exact: true }).fill("Europe/Berlin");
  await site.getByRole("button", { name: "Add site" }).click();
  await expect(site.getByRole("status")).toHaveText("Added Head office.");
  const space = page.getByRole("form", { name: "Add a space" });
  await space.getByLabel("Kind", { exact: true }).selectOption("room");
  await space.getByLabel("Name", { exact: true }).fill("Boardroom");
  await space.getByRole("button", { name: "Add space" }).click();
  await expect(space.getByRole("status")).toHaveText("Added Boardroom.");

  const fill = async (who: Page, title: string) => {
    await openRequestForm(who, acme, "Room booking");
    const form = who.getByRole("form", { name: "Request Room booking" });
    await form.getByLabel("Room", { exact: true }).selectOption({ label: "Boardroom (Head office)" });
    await form.getByLabel("Title", { exact: true }).fill(title);
    await form.getByLabel("Starts", { exact: true }).fill(`${nextYear}-06-01T10:00`);
    await form.getByLabel("Ends", { exact: true }).fill(`${nextYear}-06-01T11:00`);
  };
  const ada = team.ada.page;
  const bob = team.bob.page;
  await fill(ada, "Planning");
  await fill(bob, "Retro");
  await Promise.all([submitRequest(ada), submitRequest(bob)]);

  const finished = /Done|Failed/;
  await expect(statusOf(ada)).toContainText(finished);
  await expect(statusOf(bob)).toContainText(finished);
  const adaDone = (await statusOf(ada).textContent())?.includes("Done") ?? false;
  const [winner, loser] = adaDone ? [team.ada, team.bob] : [team.bob, team.ada];
  await expect(statusOf(winner.page)).toContainText("Done");
  await expect(statusOf(loser.page)).toContainText("Failed");
  // Said by the booking check, or by the database's no-overlap rule when both reach it at once.
  const conflict = statusOf(loser.page).getByRole("alert");
  await expect(conflict).toContainText(/Boardroom is (not free|already taken)/);
  await expect(conflict).toContainText(winner.name);
});

test("a manager away delegates, and the delegate approves time off for them", async ({
  page,
  browser,
  acme,
}) => {
  const team = await setUpTeam(page, browser, acme, {
    mia: { given: "Mia", family: "Manager", role: "employee", manager: "owner" },
    dan: { given: "Dan", family: "Deputy", role: "employee", manager: "owner" },
    eli: { given: "Eli", family: "Employee", role: "employee", manager: "mia" },
  });
  await addTimeOffPolicy(acme, "Vacation");

  const mia = team.mia.page;
  await mia.goto(`/t/${acme.tenantSlug}/approvals`);
  const away = mia.getByRole("form", { name: "Delegate my approvals" });
  await away.getByLabel("Who approves for you").selectOption({ label: `Dan Deputy (${team.dan.email})` });
  await away.getByLabel("Last day away").fill(`${nextYear}-12-31`);
  await away.getByRole("button", { name: "Delegate" }).click();
  await expect(away.getByRole("status")).toHaveText("Delegated.");
  await expect(mia.getByRole("list", { name: "Your delegations" })).toContainText("Dan Deputy");

  const eli = team.eli.page;
  await askForTimeOff(eli, acme, `${nextYear}-03-02`, `${nextYear}-03-03`);
  await expect(statusOf(eli)).toContainText("Waiting for approval");

  const dan = team.dan.page;
  await dan.goto(`/t/${acme.tenantSlug}/approvals`);
  const item = inboxItem(dan, `Time off ${nextYear}-03-02`);
  await expect(item).toContainText("for Mia Manager");
  await item.getByRole("button", { name: /^Approve / }).click();
  await expect(dan.getByRole("status").filter({ hasText: "Approved: Time off" })).toBeVisible();

  await expect(statusOf(eli)).toContainText("Done");
  await expect(eli.getByRole("region", { name: "Approvals" })).toContainText(
    "Dan Deputy for Mia Manager approved",
  );
});

test("an approval nobody decides is reminded, then escalated to the manager's manager, who approves", async ({
  page,
  browser,
  acme,
}) => {
  const team = await setUpTeam(page, browser, acme, {
    mia: { given: "Mia", family: "Manager", role: "employee", manager: "owner" },
    eli: { given: "Eli", family: "Employee", role: "employee", manager: "mia" },
  });
  await addTimeOffPolicy(acme, "Vacation");

  // The owner gives time off's manager level a short deadline that escalates. The escalated approver
  // gets the same time again before the approval expires, so it is long enough to approve in.
  await page.goto(`/t/${acme.tenantSlug}/settings/approval-rules`);
  await page.getByRole("button", { name: "Edit Time off rule" }).click();
  const rule = page.getByRole("form", { name: "Time off rule" });
  await rule.getByLabel("Deadline").check();
  await rule.getByLabel("Remind after").fill("2s");
  await rule.getByLabel("Decide within").fill("10s");
  await rule.getByLabel("Then").selectOption("escalate");
  await rule.getByRole("button", { name: "Save rule" }).click();
  await expect(rule).toHaveCount(0);

  const eli = team.eli.page;
  await askForTimeOff(eli, acme, `${nextYear}-04-06`, `${nextYear}-04-07`);
  const timeline = eli.getByRole("list", { name: "Timeline" });
  await expect(timeline).toContainText("approval.reminded");
  await expect(timeline).toContainText("approval.escalated");
  await expect(timeline.getByRole("listitem").filter({ hasText: "approval.escalated" })).toContainText(
    `escalated to ${acme.name} (for Mia Manager)`,
  );

  // The manager's manager (the owner) has it now, and approves.
  await page.goto(`/t/${acme.tenantSlug}/approvals`);
  const item = inboxItem(page, `Time off ${nextYear}-04-06`);
  await expect(item).toContainText("for Mia Manager");
  await item.getByRole("button", { name: /^Approve / }).click();
  await expect(page.getByRole("status").filter({ hasText: "Approved: Time off" })).toBeVisible();
  await expect(statusOf(eli)).toContainText("Done");
});
