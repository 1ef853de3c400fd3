import type { Browser, Page } from "@playwright/test";
import superjson from "superjson";
import { acceptInvite, expect, inviteMember, signIn, test, type Account } from "./fixtures";

/**
 * The Runs pages against the real engine (started by scripts/e2e.ts, its traffic signed). Every run here
 * is of the "Test event" workflow: step "echo", a two-second sleep "wait", step "finish".
 */

const RUN_ID = /^[0-9A-Z]{26}$/;
const NO_RUN = "No run with that id in this tenant";
const RESTRICTED = "Only owners and admins can see workflow runs.";

async function signInOwner(page: Page, account: Account): Promise<void> {
  await signIn(page, account.email, account.password);
  await expect(page).toHaveURL(new RegExp(`/t/${account.tenantSlug}$`));
}

/** The owner invites someone with `role`, who accepts in a browser of their own; returns their page. */
async function invite(page: Page, browser: Browser, acme: Account, who: string, role: string) {
  await page.goto(`/t/${acme.tenantSlug}/members`);
  const inviteUrl = await inviteMember(page, `${who.toLowerCase()}@${acme.tenantSlug}.test`, role);
  return acceptInvite(browser, inviteUrl, `${who} Example`);
}

const runsRegion = (page: Page) => page.getByRole("region", { name: "Runs", exact: true });
const runRows = (page: Page) =>
  runsRegion(page).getByRole("table", { name: "Workflow runs, newest first" }).getByRole("row");
const runRow = (page: Page, runId: string) => runRows(page).filter({ hasText: runId });

/** Waits until the list of runs has loaded (it says so at its end) and returns how many it shows. */
async function listedRuns(page: Page): Promise<number> {
  await expect(
    runsRegion(page)
      .getByText(/^(No runs match these filters\.|That is every matching run\.)$/)
      .or(runsRegion(page).getByRole("button", { name: "Load more" })),
  ).toBeVisible();
  return runsRegion(page).getByRole("link").count();
}

/**
 * On the Runs page: sends a test event and opens the run it started. The page opens the run itself when
 * the engine starts it within about two seconds; otherwise it says the run will appear in the list, and
 * the run is found there, as the newest one.
 */
async function sendTestEvent(page: Page, slug: string, message?: string): Promise<string> {
  await expect(page).toHaveURL(new RegExp(`/t/${slug}/runs$`));
  const before = await listedRuns(page);
  const form = page.getByRole("form", { name: "Send a test event" });
  if (message !== undefined) await form.getByLabel("Message (optional)").fill(message);
  await form.getByRole("button", { name: "Send test event" }).click();
  const detailHeading = page.getByRole("heading", { name: /^Run [0-9A-Z]{26}$/, level: 1 });
  const sentNotice = form.getByRole("status").filter({ hasText: "Its run will appear in the list below" });
  await expect(detailHeading.or(sentNotice)).toBeVisible();
  if (await sentNotice.isVisible()) {
    // The list is read again only while a listed run is running, so it is reloaded until the run is in it.
    await expect(async () => {
      await page.reload();
      expect(await listedRuns(page)).toBe(before + 1);
    }).toPass();
    await runsRegion(page).getByRole("link", { name: "Test event" }).first().click();
    await expect(detailHeading).toBeVisible();
  }
  const runId = (await detailHeading.innerText()).replace(/^Run /, "");
  expect(runId).toMatch(RUN_ID);
  await expect(page).toHaveURL(new RegExp(`/t/${slug}/runs/${runId}$`));
  return runId;
}

const region = (page: Page, name: string) => page.getByRole("region", { name, exact: true });
const timeline = (page: Page) => page.getByRole("list", { name: "Timeline", exact: true });
const steps = (page: Page) => page.getByRole("list", { name: "Steps", exact: true });
/** The run's own status badge: it stands before the sections, so it is the first status word on the page. */
const runStatus = (page: Page) =>
  page
    .getByRole("main")
    .getByText(/^(Running|Completed|Failed|Cancelled)$/)
    .first();
/** A step of the run's Steps list, by its name; its line ends with its status. */
const step = (page: Page, name: string) =>
  steps(page)
    .getByRole("listitem")
    .filter({ has: page.getByText(name, { exact: true }) });

/** Waits, on the open run's page, until the run has completed with all three steps done. */
async function expectCompleted(page: Page, message = "ping"): Promise<void> {
  await expect(timeline(page).getByText("Run completed", { exact: true })).toBeVisible();
  await expect(region(page, "Outcome").getByLabel("The run's output")).toContainText(
    `"message": ${JSON.stringify(message)}`,
  );
  await expect(page.getByRole("status").filter({ hasText: "Live: updating every second" })).toHaveCount(0);
  await expect(runStatus(page)).toHaveText("Completed");
  await expect(page.getByRole("button", { name: "Rerun" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Cancel run" })).toHaveCount(0);
  for (const name of ["echo", "wait", "finish"]) await expect(step(page, name)).toContainText("Completed");
}

/** Cancels the open run, which must still be running (the test workflow sleeps for two seconds). */
async function cancelRunningRun(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Cancel run" }).click();
  await expect(page.getByText("Cancel this run? Steps already done stay done.")).toBeVisible();
  await page.getByRole("button", { name: "Yes, cancel the run" }).click();
  await expect(
    page.getByRole("status").filter({ hasText: "The run was cancelled: no further step will start." }),
  ).toBeVisible();
  await expect(region(page, "Outcome")).toContainText("The run was cancelled.");
  await expect(timeline(page).getByText("Run cancelled", { exact: true })).toBeVisible();
  await expect(runStatus(page)).toHaveText("Cancelled");
  await expect(page.getByRole("button", { name: "Cancel run" })).toHaveCount(0);
  await expect(step(page, "finish")).toHaveCount(0);
}

async function openRuns(page: Page): Promise<void> {
  await page.getByRole("navigation", { name: "Tenant" }).getByRole("link", { name: "Runs" }).click();
  await expect(page.getByRole("heading", { name: "Runs", level: 1 })).toBeVisible();
}

/** A tRPC query over HTTP as `page`'s user in `tenantSlug`, for what the server answers behind the page. */
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

test("an admin sends a test event and watches its run sleep, resume and complete, live", async ({
  page,
  browser,
  acme,
}) => {
  await signInOwner(page, acme);
  const admin = await invite(page, browser, acme, "Ada", "admin");
  await openRuns(admin);
  await expect(runsRegion(admin).getByText("No runs match these filters.")).toBeVisible();

  const runId = await sendTestEvent(admin, acme.tenantSlug, "hello from e2e");
  const summary = region(admin, "Summary");
  await expect(summary).toContainText("Test event");
  await expect(summary).toContainText("workflows/test.ping");
  await expect(summary).toContainText(runId);
  await expect(region(admin, "Trigger event").getByLabel("The event that started the run")).toContainText(
    '"message": "hello from e2e"',
  );

  // While it sleeps: live, cancellable, the first step done and the sleep under way.
  await expect(runStatus(admin)).toHaveText("Running");
  await expect(admin.getByRole("status").filter({ hasText: "Live: updating every second" })).toBeVisible();
  await expect(region(admin, "Outcome")).toContainText("The run has not finished yet.");
  await expect(admin.getByRole("button", { name: "Cancel run" })).toBeVisible();
  await expect(timeline(admin).getByText("Step completed: echo", { exact: true })).toBeVisible();
  await expect(timeline(admin).getByText("Sleeping: wait", { exact: true })).toBeVisible();
  await expect(step(admin, "echo")).toContainText("Completed");

  // Then, with no reload, the rest of the run appears as the engine does it.
  await expect(timeline(admin).getByText("Resumed: wait", { exact: true })).toBeVisible();
  await expect(timeline(admin).getByText("Step completed: finish", { exact: true })).toBeVisible();
  await expectCompleted(admin, "hello from e2e");
  await expect(step(admin, "echo").getByText("echo", { exact: true })).toBeVisible();
  await step(admin, "echo").getByText("echo", { exact: true }).click();
  await expect(admin.getByLabel("Output of step echo")).toContainText('"message": "hello from e2e"');

  // The list has it too, completed.
  await admin.getByRole("link", { name: "← All runs" }).click();
  await expect(admin.getByRole("heading", { name: "Runs", level: 1 })).toBeVisible();
  await expect(runRows(admin)).toHaveCount(2);
  await expect(runRow(admin, runId)).toContainText("Test event");
  await expect(runRow(admin, runId)).toContainText("Completed");
  await expect(runRow(admin, runId)).toContainText("workflows/test.ping");
  await admin.context().close();
});

test("rerun starts a new run that completes; cancel stops a running run after a confirmation", async ({
  page,
  acme,
}) => {
  await signInOwner(page, acme);
  await openRuns(page);
  const first = await sendTestEvent(page, acme.tenantSlug);
  await expectCompleted(page);

  await page.getByRole("button", { name: "Rerun" }).click();
  const rerunHeading = page.getByRole("heading", { name: /^Run [0-9A-Z]{26}$/, level: 1 });
  await expect(rerunHeading).not.toHaveText(`Run ${first}`);
  const rerun = (await rerunHeading.innerText()).replace(/^Run /, "");
  expect(rerun).toMatch(RUN_ID);
  await expect(page).toHaveURL(new RegExp(`/t/${acme.tenantSlug}/runs/${rerun}$`));
  await expect(region(page, "Summary").getByRole("link", { name: first })).toBeVisible();
  await expectCompleted(page);

  // A new test run, cancelled during its sleep: keeping it running first changes nothing.
  await openRuns(page);
  const cancelled = await sendTestEvent(page, acme.tenantSlug);
  await page.getByRole("button", { name: "Cancel run" }).click();
  await page.getByRole("button", { name: "Keep it running" }).click();
  await expect(page.getByRole("button", { name: "Yes, cancel the run" })).toHaveCount(0);
  await cancelRunningRun(page);

  await openRuns(page);
  await expect(runRows(page)).toHaveCount(4);
  await expect(runRow(page, first)).toContainText("Completed");
  await expect(runRow(page, rerun)).toContainText("Completed");
  await expect(runRow(page, cancelled)).toContainText("Cancelled");
});

test("filtering by status shows only the runs with that status", async ({ page, acme }) => {
  await signInOwner(page, acme);
  await openRuns(page);
  const completed = await sendTestEvent(page, acme.tenantSlug);
  await expectCompleted(page);
  await openRuns(page);
  const cancelled = await sendTestEvent(page, acme.tenantSlug);
  await cancelRunningRun(page);
  await openRuns(page);
  await expect(runRows(page)).toHaveCount(3);

  const filter = page.getByRole("form", { name: "Filter the runs" });
  const byStatus = async (label: string) => {
    await filter.getByLabel("Status").selectOption({ label });
    await filter.getByRole("button", { name: "Apply filters" }).click();
  };

  await byStatus("Cancelled");
  await expect(runRows(page)).toHaveCount(2);
  await expect(runRow(page, cancelled)).toContainText("Cancelled");
  await expect(runRow(page, completed)).toHaveCount(0);

  await byStatus("Completed");
  await expect(runRows(page)).toHaveCount(2);
  await expect(runRow(page, completed)).toContainText("Completed");
  await expect(runRow(page, cancelled)).toHaveCount(0);

  await byStatus("Running");
  await expect(runsRegion(page).getByText("No runs match these filters.")).toBeVisible();

  // The function filter offers the test workflow; with it and any status, both runs again.
  await filter.getByLabel("Function").selectOption({ label: "Test event" });
  await byStatus("Any status");
  await expect(runRows(page)).toHaveCount(3);

  await filter.getByRole("button", { name: "Clear" }).click();
  await expect(filter.getByLabel("Status")).toHaveValue("");
  await expect(runRows(page)).toHaveCount(3);
  await expect(runRow(page, completed)).toBeVisible();
  await expect(runRow(page, cancelled)).toBeVisible();
});

test("another tenant's admin is told the run is not found, in their tenant and in the run's", async ({
  page,
  browser,
  acme,
  globex,
}) => {
  await signInOwner(page, acme);
  await openRuns(page);
  const runId = await sendTestEvent(page, acme.tenantSlug);
  await expectCompleted(page);

  const attacker = await (await browser.newContext()).newPage();
  await signInOwner(attacker, globex);

  // Under their own tenant the engine knows no such run.
  await attacker.goto(`/t/${globex.tenantSlug}/runs/${runId}`);
  // (Filtered: Next.js's route announcer is an alert too.)
  await expect(attacker.getByRole("alert").filter({ hasText: "Could not load run" })).toHaveText(
    `Could not load run ${runId}: ${NO_RUN}`,
  );
  await expect(attacker.getByRole("region", { name: "Summary" })).toHaveCount(0);
  await expect(attacker.getByText("Test event", { exact: true })).toHaveCount(0);
  await expect(attacker.getByRole("button", { name: /^(Rerun|Cancel run)$/ })).toHaveCount(0);

  // Under the run's tenant they are not a member: the page does not exist for them.
  await attacker.goto(`/t/${acme.tenantSlug}/runs/${runId}`);
  await expect(attacker.getByRole("heading", { name: "Not found", level: 1 })).toBeVisible();
  await expect(attacker.getByText(runId)).toHaveCount(0);

  // Their own list does not have it, and the API refuses to read, rerun or cancel it.
  await attacker.goto(`/t/${globex.tenantSlug}/runs`);
  await expect(runsRegion(attacker).getByText("No runs match these filters.")).toBeVisible();
  expect((await trpcQuery(attacker, globex.tenantSlug, "runs.detail", { runId })).status()).toBe(404);
  expect((await trpcMutation(attacker, globex.tenantSlug, "runs.rerun", { runId })).status()).toBe(404);
  expect((await trpcMutation(attacker, globex.tenantSlug, "runs.cancel", { runId })).status()).toBe(404);
  expect((await trpcQuery(attacker, acme.tenantSlug, "runs.detail", { runId })).status()).toBe(404);
  await attacker.context().close();

  // The run's own tenant still sees it, and no rerun was made of it.
  await page.reload();
  await expect(region(page, "Summary")).toContainText("Test event");
  await openRuns(page);
  await expect(runRows(page)).toHaveCount(2);
  expect((await trpcQuery(page, acme.tenantSlug, "runs.detail", { runId })).status()).toBe(200);
});

test("an employee has no Runs link and is told runs are for owners and admins", async ({
  page,
  browser,
  acme,
}) => {
  await signInOwner(page, acme);
  await openRuns(page);
  const runId = await sendTestEvent(page, acme.tenantSlug);
  const employee = await invite(page, browser, acme, "Bob", "employee");

  const nav = employee.getByRole("navigation", { name: "Tenant" });
  await expect(nav.getByRole("link", { name: "Members" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Runs" })).toHaveCount(0);

  await employee.goto(`/t/${acme.tenantSlug}/runs`);
  await expect(employee.getByRole("status").filter({ hasText: RESTRICTED })).toBeVisible();
  await expect(employee.getByRole("form", { name: "Send a test event" })).toHaveCount(0);
  await employee.goto(`/t/${acme.tenantSlug}/runs/${runId}`);
  await expect(employee.getByRole("status").filter({ hasText: RESTRICTED })).toBeVisible();
  await expect(employee.getByText(runId)).toHaveCount(0);

  // The server refuses the employee, and still answers the owner.
  expect((await trpcQuery(employee, acme.tenantSlug, "runs.detail", { runId })).status()).toBe(403);
  expect((await trpcMutation(employee, acme.tenantSlug, "runs.sendTestEvent", {})).status()).toBe(403);
  expect((await trpcQuery(page, acme.tenantSlug, "runs.detail", { runId })).status()).toBe(200);
  await employee.context().close();
});
