import nodemailer, { type Transporter } from "nodemailer";
import { env } from "@/server/env.js";

export type Mail = { to: string; subject: string; text: string };

let transport: Transporter | undefined;

/**
 * Sends through SMTP when SMTP_URL is set. Without it, development prints the mail to the server log
 * (so invite links can be followed), production logs only that nothing was sent, and tests stay quiet.
 * Returns whether the mail actually left the app.
 */
export async function sendMail(mail: Mail): Promise<boolean> {
  if (env.SMTP_URL) {
    transport ??= nodemailer.createTransport(env.SMTP_URL);
    await transport.sendMail({ from: env.MAIL_FROM, to: mail.to, subject: mail.subject, text: mail.text });
    return true;
  }
  if (env.NODE_ENV === "development") {
    console.info(`[mail] to ${mail.to}: ${mail.subject}\n${mail.text}`);
  } else if (env.NODE_ENV === "production") {
    console.warn(`[mail] SMTP_URL is not set; not sending "${mail.subject}"`);
  }
  return false;
}
