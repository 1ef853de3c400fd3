import { expect, inviteMember, newPassword, signIn, test, unique } from "./fixtures";

test("sign up a new tenant, invite a member, who accepts and signs in", async ({ page, browser }) => {
  const slug = unique("initech");
  const owner = { email: `owner@${slug}.test`, password: newPassword() };
  await page.goto("/sign-up");
  await expect(page.getByRole("heading", { name: "Create your Tenet account" })).toBeVisible();
  await page.getByLabel("Your name").fill("Bill Lumbergh");
  await page.getByLabel("Work email").fill(owner.email);
  await page.getByLabel("Password", { exact: true }).fill(owner.password);
  await page.getByLabel("Company name").fill("Initech");
  await page.getByLabel("Address").fill(slug);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(new RegExp(`/t/${slug}$`));

  await page.getByRole("link", { name: "Members" }).click();
  await expect(page.getByRole("heading", { name: "Members" })).toBeVisible();
  const memberEmail = `peter@${slug}.test`;
  const inviteUrl = await inviteMember(page, memberEmail, "approver");

  // The invitee, in a browser of their own.
  const inviteeContext = await browser.newContext();
  const invitee = await inviteeContext.newPage();
  await invitee.goto(inviteUrl);
  await expect(invitee.getByText(memberEmail).first()).toBeVisible();
  const memberPassword = newPassword();
  await invitee.getByLabel("Your name").fill("Peter Gibbons");
  await invitee.getByLabel("Password", { exact: true }).fill(memberPassword);
  await invitee.getByRole("button", { name: "Accept invitation" }).click();
  await expect(invitee).toHaveURL(new RegExp(`/t/${slug}$`));
  await expect(invitee.getByText("Peter Gibbons").first()).toBeVisible();

  // The owner sees the new member with the invited role.
  await page.reload();
  await expect(page.getByRole("row", { name: new RegExp(memberEmail) }).getByRole("combobox")).toHaveValue(
    "approver",
  );

  // The link worked once.
  await invitee.goto(inviteUrl);
  await expect(invitee.getByText(/already been used/i)).toBeVisible();

  // The member signs out and back in.
  await invitee.goto(`/t/${slug}`);
  await invitee.getByRole("button", { name: "Sign out" }).click();
  await expect(invitee).toHaveURL(/\/sign-in/);
  await signIn(invitee, memberEmail, memberPassword);
  await expect(invitee).toHaveURL(new RegExp(`/t/${slug}$`));
  await inviteeContext.close();
});

test("a Globex user who types an Acme URL sees not found", async ({ page, acme, globex }) => {
  await signIn(page, globex.email, globex.password);
  await expect(page).toHaveURL(new RegExp(`/t/${globex.tenantSlug}$`));
  for (const path of [
    `/t/${acme.tenantSlug}`,
    `/t/${acme.tenantSlug}/members`,
    `/t/${acme.tenantSlug}/profile`,
  ]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
    await expect(page.getByText(acme.tenantName, { exact: true })).toHaveCount(0);
  }
});

test("sign-out ends the session on the server, not just in the browser", async ({ page, browser, acme }) => {
  await signIn(page, acme.email, acme.password);
  await expect(page).toHaveURL(new RegExp(`/t/${acme.tenantSlug}$`));
  const cookies = await page.context().cookies();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);

  // Replaying the old session cookie no longer works.
  const replay = await browser.newContext();
  await replay.addCookies(cookies);
  const replayPage = await replay.newPage();
  await replayPage.goto(`/t/${acme.tenantSlug}`);
  await expect(replayPage).toHaveURL(/\/sign-in/);
  await expect(replayPage.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await replay.close();
});

test("repeated wrong passwords lock the account with a clear message", async ({ page, acme }) => {
  for (let i = 0; i < 5; i++) {
    await signIn(page, acme.email, `wrong-password-${i}`);
    await expect(page.getByText("Email or password is incorrect.")).toBeVisible();
  }
  await signIn(page, acme.email, acme.password);
  await expect(
    page.getByText(/Too many failed sign-in attempts for this account\. Try again in \d+ minutes?\./),
  ).toBeVisible();
});
