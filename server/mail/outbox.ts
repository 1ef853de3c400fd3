import { z } from "zod";
import type { PrismaClient } from "@/server/db/client";
import { withUser } from "@/server/db/scope";
import { sqlOf } from "@/server/db/sql";
import { env } from "@/server/env.js";

export const MAX_OUTBOX_PAGE = 100;

export const myOutboxInput = z
  .object({
    limit: z.number().int().min(1).max(MAX_OUTBOX_PAGE).default(50),
    /** The id of the last message of the previous page. */
    cursor: z.uuid().optional(),
  })
  .default({ limit: 50 });

export const outboxMessageSchema = z.object({
  id: z.uuid(),
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string().nullable(),
  kind: z.string(),
  deliveredVia: z.enum(["smtp", "outbox"]),
  createdAt: z.date(),
});
export type OutboxMessage = z.infer<typeof outboxMessageSchema>;

export const myOutboxOutput = z.object({
  /** True when mail goes out through SMTP: then the mailbox, not this page, is where mail arrives. */
  smtp: z.boolean(),
  messages: z.array(outboxMessageSchema),
  nextCursor: z.uuid().nullable(),
});

const messageRow = z.object({
  id: z.string(),
  to_address: z.string(),
  subject: z.string(),
  text_body: z.string(),
  html_body: z.string().nullable(),
  kind: z.string(),
  delivered_via: z.enum(["smtp", "outbox"]),
  created_at: z.coerce.date(),
});

/**
 * The mail addressed to the signed-in user, newest first, from every tenant and none (row-level
 * security's recipient_read policy decides which rows these are; the query does not repeat it).
 *
 * With SMTP configured the list is empty: mail then proves that someone holds the mailbox (an
 * invitation, an approval link), and showing it to whoever signed in with that address would skip
 * that proof.
 */
export async function myOutbox(
  db: PrismaClient,
  userId: string,
  input: z.input<typeof myOutboxInput>,
): Promise<z.infer<typeof myOutboxOutput>> {
  const { limit, cursor } = myOutboxInput.parse(input);
  if (env.SMTP_URL) return { smtp: true, messages: [], nextCursor: null };
  const rows = await withUser(db, userId, (tx) =>
    sqlOf(tx).query(
      `SELECT id::text, to_address, subject, text_body, html_body, kind, delivered_via, created_at
         FROM mail.outbox o
        WHERE $2::uuid IS NULL
           OR (o.created_at, o.id) < (SELECT c.created_at, c.id FROM mail.outbox c WHERE c.id = $2::uuid)
        ORDER BY o.created_at DESC, o.id DESC
        LIMIT $1`,
      [limit + 1, cursor ?? null],
    ),
  );
  const messages = rows.slice(0, limit).map((row) => {
    const r = messageRow.parse(row);
    return {
      id: r.id,
      to: r.to_address,
      subject: r.subject,
      text: r.text_body,
      html: r.html_body,
      kind: r.kind,
      deliveredVia: r.delivered_via,
      createdAt: r.created_at,
    };
  });
  const last = messages.at(-1);
  return { smtp: false, messages, nextCursor: rows.length > limit && last ? last.id : null };
}
