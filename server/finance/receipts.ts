import { createHash } from "node:crypto";
import { sqlOf } from "@/server/db/sql";
import { AppError, checkedId, notFound } from "@/server/errors";
import { appendAudit, userActor } from "@/server/kernel/audit/log";
import type { TenantContext } from "@/server/tenancy/context";
import { expenseLabel, loadExpense } from "./expenses";

import { FINANCE_APPROVERS } from "./members";

/**
 * Receipts: PDFs and photos attached to an expense, stored in PostgreSQL beside it. What a file is
 * comes from its first bytes, never from its name or the Content-Type the browser claims: an HTML page
 * or a program uploaded as "image/png" is refused, and a PNG named "receipt.pdf" is kept as the PNG it
 * is (and renamed receipt.png). The database checks the type list, the size and the hash again.
 */

/** 10 MiB: phone photos fit, and the database refuses more (migration …_finance). */
export const MAX_RECEIPT_BYTES = 10 * 1024 * 1024;

export const RECEIPT_TYPES = [
  "application/pdf",
  "image/png",
  "image/jpeg",
  "image/heic",
  "image/heif",
] as const;
export type ReceiptType = (typeof RECEIPT_TYPES)[number];

const EXTENSIONS: Record<ReceiptType, readonly string[]> = {
  "application/pdf": ["pdf"],
  "image/png": ["png"],
  "image/jpeg": ["jpg", "jpeg"],
  "image/heic": ["heic"],
  "image/heif": ["heif", "heic"],
};

const startsWith = (bytes: Uint8Array, signature: readonly number[], at = 0) =>
  bytes.length >= at + signature.length && signature.every((b, i) => bytes[at + i] === b);

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

// ISO/IEC 23008-12 (HEIF) brands: the file starts with a box `ftyp` whose major brand says what it is.
const HEIC_BRANDS = new Set(["heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs"]);
const HEIF_BRANDS = new Set(["mif1", "msf1", "heif"]);

/** The type of a receipt from its first bytes (its "magic number"), or null when it is none we keep. */
export function sniffReceiptType(bytes: Uint8Array): ReceiptType | null {
  if (startsWith(bytes, ascii("%PDF-"))) return "application/pdf";
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(bytes, ascii("ftyp"), 4)) {
    const brand = String.fromCharCode(...bytes.subarray(8, 12));
    if (HEIC_BRANDS.has(brand)) return "image/heic";
    if (HEIF_BRANDS.has(brand)) return "image/heif";
  }
  return null;
}

export type ReceiptRefusal = {
  reason: "empty" | "too_large" | "unsupported_type";
  /** The HTTP status a route answers with: 400, 413, 415. */
  status: 400 | 413 | 415;
  message: string;
};

export const tooLarge = (): ReceiptRefusal => ({
  reason: "too_large",
  status: 413,
  message: `A receipt can be at most ${MAX_RECEIPT_BYTES / 1024 / 1024} MB`,
});

/** Why a file cannot be a receipt, or null when it can. Pure, so routes can answer before any I/O. */
export function receiptRefusal(bytes: Uint8Array): ReceiptRefusal | null {
  if (bytes.length === 0) return { reason: "empty", status: 400, message: "The file is empty" };
  if (bytes.length > MAX_RECEIPT_BYTES) return tooLarge();
  if (!sniffReceiptType(bytes))
    return {
      reason: "unsupported_type",
      status: 415,
      message: "A receipt must be a PDF, PNG, JPEG or HEIC/HEIF file",
    };
  return null;
}

/**
 * A file name safe to store and to send back in Content-Disposition: its last path segment, without
 * control characters, at most 255 characters, with an extension that matches what the file is.
 */
export function receiptFileName(name: string, type: ReceiptType): string {
  const base = (name.split(/[/\\]/).pop() ?? "")
    // eslint-disable-next-line no-control-regex -- control characters are what is being removed
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .trim();
  const dot = base.lastIndexOf(".");
  const stem = (dot > 0 ? base.slice(0, dot) : base).slice(0, 200) || "receipt";
  const extension = dot > 0 ? base.slice(dot + 1).toLowerCase() : "";
  const allowed = EXTENSIONS[type];
  return `${stem}.${allowed.includes(extension) ? extension : allowed[0]}`;
}

export type Receipt = {
  id: string;
  expenseId: string;
  fileName: string;
  contentType: ReceiptType;
  sizeBytes: number;
  sha256: string;
  uploadedById: string;
  createdAt: Date;
};

type ReceiptRow = {
  id: string;
  expense_id: string;
  file_name: string;
  content_type: ReceiptType;
  size_bytes: string;
  sha256: string;
  uploaded_by: string;
  created_at: string;
};

const RECEIPT_COLUMNS = `id::text, expense_id::text, file_name, content_type, size_bytes::text,
  encode(sha256, 'hex') AS sha256, uploaded_by::text, created_at::text`;

const toReceipt = (row: ReceiptRow): Receipt => ({
  id: row.id,
  expenseId: row.expense_id,
  fileName: row.file_name,
  contentType: row.content_type,
  sizeBytes: Number(row.size_bytes),
  sha256: row.sha256,
  uploadedById: row.uploaded_by,
  createdAt: new Date(row.created_at),
});

/**
 * Attaches a receipt to an expense that is still a draft or submitted. The expense's submitter, owners
 * and admins attach receipts; someone else's expense is not found unless they decide on expenses. A
 * file that is empty, too large or of another type is refused with a BAD_REQUEST naming the field
 * `file` (routes map `receiptRefusal` to 413 and 415) and nothing is written.
 */
export async function uploadReceipt(
  ctx: TenantContext,
  expenseId: string,
  file: { name: string; bytes: Uint8Array },
): Promise<Receipt> {
  const expense = await loadExpense(ctx, expenseId);
  const mayAttach =
    expense.submitterId === ctx.actor.userId || ctx.actor.role === "owner" || ctx.actor.role === "admin";
  if (!mayAttach) throw new AppError("FORBIDDEN", "Only the submitter, owners and admins attach receipts");
  const refusal = receiptRefusal(file.bytes);
  if (refusal)
    throw new AppError("BAD_REQUEST", `file: ${refusal.message}`, { fields: { file: [refusal.message] } });
  if (expense.status !== "draft" && expense.status !== "submitted")
    throw new AppError("CONFLICT", `Receipts cannot be added to an expense that is ${expense.status}`);
  const type = sniffReceiptType(file.bytes);
  if (!type) throw new AppError("INTERNAL", "A checked receipt has no type");
  const fileName = receiptFileName(file.name, type);
  const sha256 = createHash("sha256").update(file.bytes).digest("hex");
  const [row] = await sqlOf(ctx.db).query<ReceiptRow>(
    `INSERT INTO finance.receipt (tenant_id, expense_id, file_name, content_type, size_bytes, sha256, bytes, uploaded_by)
     VALUES ($1::uuid, $2::uuid, $3, $4, $5::integer, decode($6, 'hex'), decode($7, 'base64'), $8::uuid)
     RETURNING ${RECEIPT_COLUMNS}`,
    [
      ctx.tenantId,
      expense.id,
      fileName,
      type,
      String(file.bytes.length),
      sha256,
      Buffer.from(file.bytes).toString("base64"),
      ctx.actor.userId,
    ],
  );
  if (!row) throw new AppError("INTERNAL", "The receipt was not stored");
  const receipt = toReceipt(row);
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action: "finance.receipt_uploaded",
    resource: { type: "expense", id: expense.id, label: expenseLabel(expense) },
    outcome: "succeeded",
    detail: { receiptId: receipt.id, fileName, contentType: type, sizeBytes: receipt.sizeBytes, sha256 },
  });
  return receipt;
}

/**
 * A receipt with its bytes, for download: the expense's submitter, and the people who decide on
 * expenses (approvers, owners, admins). Anyone else, and anyone of another tenant, is told it does not
 * exist.
 */
export async function readReceipt(
  ctx: TenantContext,
  receiptId: string,
): Promise<Receipt & { bytes: Buffer }> {
  checkedId(receiptId, "Receipt");
  const [row] = await sqlOf(ctx.db).query<ReceiptRow & { submitter_id: string; bytes_base64: string }>(
    `SELECT r.id::text, r.expense_id::text, r.file_name, r.content_type, r.size_bytes::text,
            encode(r.sha256, 'hex') AS sha256, r.uploaded_by::text, r.created_at::text,
            x.submitter_id::text AS submitter_id, encode(r.bytes, 'base64') AS bytes_base64
       FROM finance.receipt r
       JOIN finance.expense x ON x.tenant_id = r.tenant_id AND x.id = r.expense_id
      WHERE r.tenant_id = $1::uuid AND r.id = $2::uuid`,
    [ctx.tenantId, receiptId],
  );
  if (!row) throw notFound("Receipt not found");
  if (row.submitter_id !== ctx.actor.userId && !FINANCE_APPROVERS.includes(ctx.actor.role))
    throw notFound("Receipt not found");
  return { ...toReceipt(row), bytes: Buffer.from(row.bytes_base64, "base64") };
}

/** The receipts of an expense the actor may see, without their bytes. */
export async function listReceipts(ctx: TenantContext, expenseId: string): Promise<Receipt[]> {
  const expense = await loadExpense(ctx, expenseId);
  const rows = await sqlOf(ctx.db).query<ReceiptRow>(
    `SELECT ${RECEIPT_COLUMNS} FROM finance.receipt WHERE tenant_id = $1::uuid AND expense_id = $2::uuid
      ORDER BY created_at`,
    [ctx.tenantId, expense.id],
  );
  return rows.map(toReceipt);
}
