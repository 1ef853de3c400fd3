import type { Page } from "@playwright/test";
import superjson from "superjson";
import { expect, test, type Account } from "./fixtures";
import {
  addCostCenter,
  asDatabaseOwner,
  inboxItem,
  mailedLinks,
  openRequestForm,
  setUpTeam,
  statusOf,
  submitRequest,
} from "./requests-setup";

/**
 * Approvals across tenants, and the mailed links' confirmation page: an Acme approver neither sees nor
 * decides a Globex approval (not in the inbox, 404 over tRPC, the Globex approver's link is "not valid"
 * for them); the Globex approver's own link shows what it decides, decides only when confirmed, and
 * works once.
 */

function trpcQuery(page: Page, tenantSlug: string, path: string, input: unknown) {
  const query = encodeURIComponent(JSON.stringify(superjson.serialize(input)));
  return page.request.get(`/api/trpc/${path}?input=${query}`, { headers: { "x-tenant": tenantSlug } });
}

function trpcMutation(page: Page, tenantSlug: string, path: string, input: unknown) {
  return page.request.post(`/api/trpc/${path}`, {
    headers: { "x-tenant": tenantSlug },
    data: superjson.serialize(input),
  });
}

/** An expense under the finance threshold, so the requester's manager alone approves it. */
async function askForSmallExpense(page: Page, account: Account, merchant: string): Promise<string> {
  await openRequestForm(page, account, "Expense reimbursement");
  const form = page.getByRole("form", { name: "Request Expense reimbursement" });
  await form.getByLabel("Date", { exact: true }).fill("2026-03-02");
  await form.getByLabel("Merchant", { exact: true }).fill(merchant);
  await form.getByLabel("Amount", { exact: true }).fill("42.50");
  await form.getByLabel("Category", { exact: true }).selectOption({ index: 1 });
  await form.getByLabel("Cost center", { exact: true }).selectOption({ index: 1 });
  return submitRequest(page);
}

test("an Acme approver cannot see or decide a Globex approval, and a mailed link decides only once confirmed, once", async ({
  page,
  browser,
  acme,
  globex,
}) => {
  const globexOwner = await browser.newContext();
  const [acmeTeam, globexTeam] = await Promise.all([
    setUpTeam(page, browser, acme, {
      approver: { given: "Ann", family: "Approver", role: "approver", manager: "owner" },
    }),
    setUpTeam(await globexOwner.newPage(), browser, globex, {
      gina: { given: "Gina", family: "Boss", role: "approver", manager: "owner" },
      gus: { given: "Gus", family: "Worker", role: "employee", manager: "gina" },
    }),
    addCostCenter(globex, "CC-100", "Operations"),
  ]);

  const { page: gus } = globexTeam.gus;
  await askForSmallExpense(gus, globex, "Globex Diner");
  await expect(statusOf(gus)).toContainText("Waiting for approval");
  await expect(statusOf(gus)).toContainText("Gina Boss");

  // Globex's approver has it, with its task id (read as the page reads it).
  const { page: gina } = globexTeam.gina;
  const inbox = await trpcQuery(gina, globex.tenantSlug, "approval.inbox", undefined);
  expect(inbox.status()).toBe(200);
  const body = (await inbox.json()) as { result: { data: Parameters<typeof superjson.deserialize>[0] } };
  const items = superjson.deserialize<{ taskId: string; request: { title: string } }[]>(body.result.data);
  const taskId = items.find((i) => i.request.title.includes("Globex Diner"))?.taskId;
  if (!taskId) throw new Error("the Globex approver's inbox lacks the expense");

  // Acme's approver: not in the inbox, and deciding it by id is "not found" (in Acme and in Globex).
  const { page: ann } = acmeTeam.approver;
  await ann.goto(`/t/${acme.tenantSlug}/approvals`);
  await expect(ann.getByText("Nothing is waiting for you.")).toBeVisible();
  const asAcme = await trpcMutation(ann, acme.tenantSlug, "approval.decide", { taskId, decision: "approve" });
  expect(asAcme.status()).toBe(404);
  const intoGlobex = await trpcMutation(ann, globex.tenantSlug, "approval.decide", {
    taskId,
    decision: "approve",
  });
  expect([403, 404]).toContain(intoGlobex.status());

  // Gina's mailed links; Acme's approver opening one sees "not valid", and nothing is decided.
  const links = await mailedLinks(gina, "Approval needed: Expense: €42.50 at Globex Diner");
  await ann.goto(links.approve);
  await expect(ann.getByRole("heading", { name: "Link not valid" })).toBeVisible();
  await expect(ann.getByRole("alert").filter({ hasText: "This link is not valid." })).toBeVisible();
  await expect(ann.getByRole("button", { name: /Confirm/ })).toHaveCount(0);
  await gus.reload();
  await expect(statusOf(gus)).toContainText("Waiting for approval");

  // Gina opens her link: what it decides, and nothing decided yet (a GET changes nothing).
  await gina.goto(links.approve);
  await expect(gina.getByRole("heading", { name: "Approve this request?" })).toBeVisible();
  await expect(gina.getByText("Expense: €42.50 at Globex Diner")).toBeVisible();
  await expect(gina.getByText("Gus Worker")).toBeVisible();
  await gina.reload();
  await expect(gina.getByRole("button", { name: "Confirm approval" })).toBeVisible();
  await gina.getByRole("button", { name: "Confirm approval" }).click();
  await expect(gina.getByRole("status").filter({ hasText: "Approved." })).toBeVisible();

  // Gus sees it done; the decision says it came from the link.
  await gus.reload();
  await expect(statusOf(gus)).toContainText("Done");
  await expect(gus.getByText("(from the emailed link)")).toBeVisible();

  // Used links: this one, and its deny twin (the approval is decided).
  await gina.goto(links.approve);
  await expect(gina.getByRole("heading", { name: "Link already used" })).toBeVisible();
  await gina.goto(links.deny);
  await expect(gina.getByRole("heading", { name: "Link already used" })).toBeVisible();
  await expect(
    gina.getByRole("alert").filter({ hasText: "This approval was already decided." }),
  ).toBeVisible();

  await globexOwner.close();
});

test("a mailed link opened signed out asks to sign in and comes back; the approver denies through theirs", async ({
  page,
  browser,
  acme,
}) => {
  const team = await setUpTeam(page, browser, acme, {
    mia: { given: "Mia", family: "Manager", role: "approver", manager: "owner" },
    eli: { given: "Eli", family: "Employee", role: "employee", manager: "mia" },
  });
  await addCostCenter(acme, "CC-200", "Sales");
  await askForSmallExpense(team.eli.page, acme, "Acme Cafe");
  await expect(statusOf(team.eli.page)).toContainText("Waiting for approval");
  const links = await mailedLinks(team.mia.page, "Approval needed: Expense: €42.50 at Acme Cafe");

  // Signed out: sign in first, then back to the link (the owner's, so it is not theirs to use).
  const stranger = await browser.newContext();
  const visitor = await stranger.newPage();
  await visitor.goto(links.deny);
  await expect(visitor).toHaveURL(/\/sign-in\?callbackUrl=/);
  await visitor.getByLabel("Email", { exact: true }).fill(acme.email);
  await visitor.getByLabel("Password", { exact: true }).fill(acme.password);
  await visitor.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(visitor).toHaveURL(links.deny);
  await expect(visitor.getByRole("heading", { name: "Link not valid" })).toBeVisible();
  await stranger.close();

  // Mia denies through her link; the expense rule's manager level takes a comment if given.
  await team.mia.page.goto(links.deny);
  await expect(team.mia.page.getByRole("heading", { name: "Deny this request?" })).toBeVisible();
  await team.mia.page.getByLabel(/^Comment/).fill("Not a business expense.");
  await team.mia.page.getByRole("button", { name: "Confirm denial" }).click();
  await expect(team.mia.page.getByRole("status").filter({ hasText: "Denied." })).toBeVisible();
  await team.eli.page.reload();
  await expect(statusOf(team.eli.page)).toContainText("Rejected");
});

test("an expired mailed link says so and decides nothing; the approver decides in the inbox instead", async ({
  page,
  browser,
  acme,
}) => {
  const team = await setUpTeam(page, browser, acme, {
    mia: { given: "Mia", family: "Manager", role: "approver", manager: "owner" },
    eli: { given: "Eli", family: "Employee", role: "employee", manager: "mia" },
  });
  await addCostCenter(acme, "CC-300", "Support");
  await askForSmallExpense(team.eli.page, acme, "Inbox Bistro");
  await expect(statusOf(team.eli.page)).toContainText("Waiting for approval");

  // Mia's links, expired (their time is up).
  const mia = team.mia.page;
  const links = await mailedLinks(mia, "Approval needed: Expense: €42.50 at Inbox Bistro");
  await asDatabaseOwner((owner) =>
    owner.query(
      `UPDATE mail.action_link
          SET created_at = now() - interval '2 minutes', expires_at = now() - interval '1 minute'
        WHERE tenant_id = (SELECT id FROM "Tenant" WHERE slug = $1)`,
      [acme.tenantSlug],
    ),
  );
  await mia.goto(links.approve);
  await expect(mia.getByRole("heading", { name: "Link expired" })).toBeVisible();
  await expect(mia.getByText("This link has expired. Open your approvals inbox to decide.")).toBeVisible();
  await expect(mia.getByRole("button", { name: /Confirm/ })).toHaveCount(0);

  await mia.goto(`/t/${acme.tenantSlug}/approvals`);
  const item = inboxItem(mia, "Inbox Bistro");
  await expect(item).toContainText("Eli Employee asks");
  await item.getByRole("button", { name: /^Approve / }).click();
  await expect(mia.getByRole("status").filter({ hasText: "Approved: Expense" })).toBeVisible();
  await expect(item).toHaveCount(0);
  await team.eli.page.reload();
  await expect(statusOf(team.eli.page)).toContainText("Done");
});
