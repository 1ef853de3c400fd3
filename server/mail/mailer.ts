import { randomUUID } from "node:crypto";
import nodemailer, { type Transporter } from "nodemailer";
import { z } from "zod";
import type { Tx } from "@/server/db/client";
import { sqlOf } from "@/server/db/sql";
import { env } from "@/server/env.js";

/** What a mail is, for the outbox and tests: dotted lower-case words, e.g. `approval.requested`. */
export const mailKindSchema = z
  .string()
  .max(100)
  .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/, "must be dotted lower-case words, e.g. approval.requested");

export type Mail = {
  to: string;
  subject: string;
  text: string;
  /** An HTML alternative to `text`; mail clients that show HTML show this. */
  html?: string;
  /** The tenant the mail is about; null or absent for mail about none (invitations). */
  tenantId?: string | null;
  kind: string;
};

/** `smtp`: handed to the SMTP server (or refused by it: see `error`). `outbox`: recorded only. */
export type DeliveredVia = "smtp" | "outbox";
export type SentMail = { id: string; deliveredVia: DeliveredVia; error: string | null };

let transport: Transporter | undefined;

/**
 * The one way the app sends mail. Sends through SMTP when SMTP_URL is set, and always records the
 * message in mail.outbox, where the Outbox page shows people their own mail and tests read what was
 * sent. Without SMTP, development also prints the mail to the server log.
 *
 * `db` is the caller's transaction: scoped to `mail.tenantId` (withTenant) for a tenant's mail, any
 * transaction or client for mail about no tenant. Row-level security refuses a tenant's mail recorded
 * from another tenant's transaction.
 *
 * An SMTP failure does not throw: it is recorded and returned in `error` (the caller's transaction,
 * and so the record, then survive); a caller that must retry checks it.
 */
export async function sendMail(db: Tx, mail: Mail): Promise<SentMail> {
  const kind = mailKindSchema.parse(mail.kind);
  let deliveredVia: DeliveredVia = "outbox";
  let error: string | null = null;
  if (env.SMTP_URL) {
    deliveredVia = "smtp";
    try {
      transport ??= nodemailer.createTransport(env.SMTP_URL);
      await transport.sendMail({
        from: env.MAIL_FROM,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        ...(mail.html === undefined ? {} : { html: mail.html }),
      });
    } catch (cause) {
      error = (cause instanceof Error ? cause.message : String(cause)).slice(0, 2000);
      console.error(`[mail] SMTP refused "${mail.subject}" (${kind}): ${error}`);
    }
  } else if (env.NODE_ENV === "development") {
    console.info(`[mail] to ${mail.to}: ${mail.subject}\n${mail.text}`);
  } else if (env.NODE_ENV === "production") {
    console.warn(`[mail] SMTP_URL is not set; "${mail.subject}" is only in the recipient's Outbox`);
  }
  // The id is made here rather than RETURNING'd: a row about no tenant is not readable back under
  // row-level security, and INSERT … RETURNING would need it to be.
  const id = randomUUID();
  await sqlOf(db).query(
    `INSERT INTO mail.outbox (id, tenant_id, to_address, subject, text_body, html_body, kind, delivered_via, error)
     VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7, $8, $9)`,
    [
      id,
      mail.tenantId ?? null,
      mail.to,
      mail.subject,
      mail.text,
      mail.html ?? null,
      kind,
      deliveredVia,
      error,
    ],
  );
  return { id, deliveredVia, error };
}
