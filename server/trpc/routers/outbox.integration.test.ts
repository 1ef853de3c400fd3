import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { withTenant } from "@/server/db/scope";
import { sendMail } from "@/server/mail/mailer";
import { myOutboxOutput } from "@/server/mail/outbox";
import {
  callHttp,
  contextFor,
  createTestTenant,
  expectOk,
  testDb,
  type TestTenant,
  type TestUser,
} from "@/server/testing/fixtures";

let acme: TestTenant;
let globex: TestTenant;
let employee: TestUser;

const mine = async (user: { userId: string }, input?: unknown) =>
  expectOk(await callHttp(contextFor(testDb(), user.userId), "outbox.mine", input), myOutboxOutput);

beforeAll(async () => {
  acme = await createTestTenant(testDb(), "acme");
  globex = await createTestTenant(testDb(), "globex");
  employee = await acme.add("employee");
  await withTenant(testDb(), { tenantId: acme.id }, async (tx) => {
    for (const n of [1, 2, 3]) {
      await sendMail(tx, {
        tenantId: acme.id,
        kind: "approval.requested",
        // Addresses are matched without regard to case, as mail servers do.
        to: n === 3 ? employee.email.toUpperCase() : employee.email,
        subject: `Approve request ${n}`,
        text: `Open http://tenet.test/approve/token-${n}`,
      });
    }
    await sendMail(tx, {
      tenantId: acme.id,
      kind: "approval.requested",
      to: acme.owner.email,
      subject: "For the owner only",
      text: "Open http://tenet.test/approve/owners-token",
    });
  });
  await withTenant(testDb(), { tenantId: globex.id }, (tx) =>
    sendMail(tx, {
      tenantId: globex.id,
      kind: "approval.requested",
      to: employee.email,
      subject: "From Globex",
      text: "Globex writes to Acme's employee",
    }),
  );
  // Mail about no tenant, sent outside any tenant.
  await sendMail(testDb(), {
    kind: "invite.created",
    to: employee.email,
    subject: "An invitation",
    text: "Join",
  });
});

afterAll(() => {
  vi.unstubAllEnvs();
});

describe("outbox.mine", () => {
  it("shows a person the mail to their own address, from every tenant and none, newest first", async () => {
    const page = await mine(employee, { limit: 100 });
    expect(page.smtp).toBe(false);
    expect(page.messages.map((m) => m.subject)).toEqual([
      "An invitation",
      "From Globex",
      "Approve request 3",
      "Approve request 2",
      "Approve request 1",
    ]);
    expect(page.messages[0]).toMatchObject({ kind: "invite.created", deliveredVia: "outbox", html: null });
    expect(page.nextCursor).toBeNull();
    expect(JSON.stringify(page)).not.toContain("owners-token");
  });

  it("never shows another person's mail (attacker), while its addressee sees it (victim control)", async () => {
    const globexPage = await mine(globex.owner);
    expect(globexPage.messages.filter((m) => m.to.toLowerCase() !== globex.owner.email)).toEqual([]);
    expect(JSON.stringify(globexPage)).not.toContain("Globex writes to Acme's employee");
    const ownerPage = await mine(acme.owner);
    expect(ownerPage.messages.map((m) => m.subject)).toContain("For the owner only");
    expect(ownerPage.messages.map((m) => m.subject)).not.toContain("Approve request 1");
  });

  it("pages by limit and cursor", async () => {
    const first = await mine(employee, { limit: 2 });
    expect(first.messages.map((m) => m.subject)).toEqual(["An invitation", "From Globex"]);
    expect(first.nextCursor).toBe(first.messages[1]?.id);
    const second = await mine(employee, { limit: 2, cursor: first.nextCursor });
    expect(second.messages.map((m) => m.subject)).toEqual(["Approve request 3", "Approve request 2"]);
    const third = await mine(employee, { limit: 2, cursor: second.nextCursor });
    expect(third.messages.map((m) => m.subject)).toEqual(["Approve request 1"]);
    expect(third.nextCursor).toBeNull();
    // Someone else's message id as a cursor gives nothing of theirs, and nothing at all.
    const foreign = (await mine(acme.owner)).messages[0]?.id;
    expect((await mine(employee, { limit: 2, cursor: foreign })).messages).toEqual([]);
  });

  it("lists nothing when mail goes through SMTP: the mailbox is then the proof", async () => {
    vi.stubEnv("SMTP_URL", "smtp://127.0.0.1:2525");
    vi.stubEnv("MAIL_FROM", "Tenet <no-reply@tenet.test>");
    vi.resetModules();
    const { appRouter } = await import("@/server/trpc/root");
    const res = await callHttp(contextFor(testDb(), employee.userId), "outbox.mine", undefined, appRouter);
    expect(expectOk(res, myOutboxOutput)).toEqual({ smtp: true, messages: [], nextCursor: null });
  });

  it("is for signed-in people only", async () => {
    const res = await callHttp(contextFor(testDb(), null), "outbox.mine", undefined);
    expect(res.status).toBe(401);
  });
});
