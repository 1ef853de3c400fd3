import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { SMTPServer } from "smtp-server";
import { freePort } from "@/server/testing/throwaway-database";
import { createTestTenant, testDb } from "@/server/testing/fixtures";

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
  });
});
