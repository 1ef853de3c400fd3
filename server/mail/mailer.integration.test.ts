import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { SMTPServer } from "smtp-server";
import { freePort } from "@/server/testing/throwaway-database";
import { withTenant } from "@/server/db/scope";
import { createTestTenant, testDb, withOwner } from "@/server/testing/fixtures";
import { sendMail } from "./mailer";

type Received = { from: string; to: string[]; raw: string };

/** A local SMTP server (the real protocol over TCP) that keeps what it receives. */
let server: SMTPServer;
let port: number;
const received: Received[] = [];

beforeAll(async () => {
  port = await freePort();
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  vi.unstubAllEnvs();
});

type OutboxRow = {
  tenant_id: string | null;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  kind: string;
  delivered_via: string;
  error: string | null;
};

/** The outbox rows to `to`, read as the owner so that row-level security hides nothing. */
const outboxTo = (to: string) =>
  withOwner(
    async (db) =>
      (
        await db.query<OutboxRow>(
          `SELECT tenant_id::text, to_address, subject, text_body, html_body, kind, delivered_via, error
             FROM mail.outbox WHERE to_address = $1 ORDER BY created_at`,
          [to],
        )
      ).rows,
  );

// This file's first import of the env module saw no SMTP_URL: these tests run without SMTP.
describe("mail without SMTP", () => {
  it("records a tenant's mail in the outbox, delivered via the outbox", async () => {
    const acme = await createTestTenant(testDb());
    const sent = await withTenant(testDb(), { tenantId: acme.id }, (tx) =>
      sendMail(tx, {
        tenantId: acme.id,
        kind: "approval.requested",
        to: "approver@outbox.test",
        subject: "Approve a day off",
        text: "Open /approve/abc",
        html: '<p>Open <a href="/approve/abc">the link</a></p>',
      }),
    );
    expect(sent).toEqual({ id: expect.any(String) as string, deliveredVia: "outbox", error: null });
    expect(await outboxTo("approver@outbox.test")).toEqual([
      {
        tenant_id: acme.id,
        to_address: "approver@outbox.test",
        subject: "Approve a day off",
        text_body: "Open /approve/abc",
        html_body: '<p>Open <a href="/approve/abc">the link</a></p>',
        kind: "approval.requested",
        delivered_via: "outbox",
        error: null,
      },
    ]);
  });

  it("records an invitation about no tenant, from inside the inviting tenant's transaction", async () => {
    const { callerFor } = await import("@/server/testing/fixtures");
    const acme = await createTestTenant(testDb());
    const invite = await callerFor(testDb(), acme.owner.userId, acme.slug).invite.create({
      email: "unmailed@acme.test",
      role: "employee",
    });
    expect(invite.emailed).toBe(false);
    const [row] = await outboxTo("unmailed@acme.test");
    expect(row).toMatchObject({ tenant_id: null, kind: "invite.created", delivered_via: "outbox" });
    expect(row?.text_body).toContain(invite.url);
  });

  it("refuses to record a tenant's mail from another tenant's transaction", async () => {
    const acme = await createTestTenant(testDb(), "acme");
    const globex = await createTestTenant(testDb(), "globex");
    await expect(
      withTenant(testDb(), { tenantId: globex.id }, (tx) =>
        sendMail(tx, {
          tenantId: acme.id,
          kind: "approval.requested",
          to: "x@acme.test",
          subject: "s",
          text: "t",
        }),
      ),
    ).rejects.toThrow();
    expect(await outboxTo("x@acme.test")).toEqual([]);
  });

  it("refuses a kind that is not dotted lower-case words", async () => {
    await expect(
      sendMail(testDb(), { kind: "Approval Requested", to: "y@acme.test", subject: "s", text: "t" }),
    ).rejects.toThrow(/dotted lower-case/);
  });
});

describe("mail over SMTP", () => {
  it("sends an invitation with its link when SMTP_URL is set", async () => {
    // The env module validates once per import, so the SMTP settings take effect in a fresh module graph.
    vi.stubEnv("SMTP_URL", `smtp://127.0.0.1:${port}`);
    vi.stubEnv("MAIL_FROM", "Tenet <no-reply@tenet.test>");
    vi.resetModules();
    const { callerFor } = await import("@/server/testing/fixtures");
    const acme = await createTestTenant(testDb());
    const invite = await callerFor(testDb(), acme.owner.userId, acme.slug).invite.create({
      email: "mailed@acme.test",
      role: "employee",
    });
    expect(invite.emailed).toBe(true);
    const mail = received.find((m) => m.to.includes("mailed@acme.test"));
    expect(mail?.from).toBe("no-reply@tenet.test");
    // Quoted-printable may fold long lines; unfold before looking for the link.
    const body = mail?.raw.replace(/=\r?\n/g, "") ?? "";
    expect(body).toContain("invited you to");
    expect(body).toContain(invite.url);
    // Also recorded, as delivered through SMTP.
    const [row] = await outboxTo("mailed@acme.test");
    expect(row).toMatchObject({
      tenant_id: null,
      kind: "invite.created",
      delivered_via: "smtp",
      error: null,
    });
  });

  it("records SMTP's refusal instead of throwing, and the invitation is kept", async () => {
    // Nothing listens on this port: the connection is refused.
    vi.stubEnv("SMTP_URL", `smtp://127.0.0.1:${await freePort()}`);
    vi.stubEnv("MAIL_FROM", "Tenet <no-reply@tenet.test>");
    vi.resetModules();
    const { callerFor } = await import("@/server/testing/fixtures");
    const acme = await createTestTenant(testDb());
    const invite = await callerFor(testDb(), acme.owner.userId, acme.slug).invite.create({
      email: "bounced@acme.test",
      role: "employee",
    });
    expect(invite.emailed).toBe(false);
    const [row] = await outboxTo("bounced@acme.test");
    expect(row).toMatchObject({ kind: "invite.created", delivered_via: "smtp" });
    expect(row?.error).toMatch(/ECONNREFUSED|connect/i);
  });
});
