import type { PrismaClient } from "@/server/db/client";
import { enterTenant, withUser } from "@/server/db/scope";
import { AppError, appErrorCodes, type FieldErrors } from "@/server/errors";
import type { TenantContext } from "@/server/tenancy/context";
import { findMembershipBySlug } from "@/server/tenancy/tenants";
import { MAX_RECEIPT_BYTES, readReceipt, receiptRefusal, tooLarge, uploadReceipt } from "./receipts";

/**
 * The HTTP side of receipts, for the route handlers under app/api/finance/ (which only pass the
 * request, the id from the path and the real session): who is asking, in which tenant, how much body
 * is read, and how answers and errors look. Everything else is receipts.ts.
 *
 * The tenant is named by the `x-tenant` header (as tRPC calls do) or the `tenant` query parameter
 * (download links), and is unverified until the caller's membership is found; an unknown tenant, one
 * the caller does not belong to, and another tenant's receipt all answer 404.
 */

export type SessionUser = { userId: string; sessionId: string };
export type ReceiptHttpDeps = {
  db: () => PrismaClient;
  /** The signed-in user of this request (Auth.js's session in the app). */
  session: (req: Request) => Promise<SessionUser | null>;
};

/** Room for the multipart framing around a file of the largest size. */
const MAX_BODY_BYTES = MAX_RECEIPT_BYTES + 64 * 1024;

type ErrorBody = { error: { code: string; message: string; fields?: FieldErrors } };

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
  });

const failure = (status: number, code: string, message: string, fields?: FieldErrors) =>
  json(status, { error: { code, message, ...(fields ? { fields } : {}) } } satisfies ErrorBody);

function fromError(error: unknown, route: string): Response {
  if (error instanceof AppError)
    return failure(appErrorCodes[error.code].http, error.code, error.message, error.fields ?? undefined);
  console.error(`[finance] ${route} failed`, error);
  return failure(
    500,
    "INTERNAL",
    "Something went wrong on our side. Try again; if it keeps happening, contact support.",
  );
}

/** Runs `fn` as the signed-in member of the tenant the request names, in one tenant-scoped transaction. */
async function asMember<T>(
  req: Request,
  deps: ReceiptHttpDeps,
  session: SessionUser,
  fn: (ctx: TenantContext) => Promise<T>,
): Promise<T> {
  const slug = req.headers.get("x-tenant") ?? new URL(req.url).searchParams.get("tenant");
  if (!slug) throw new AppError("NOT_FOUND", "Tenant not found");
  return withUser(deps.db(), session.userId, async (tx) => {
    const membership = await findMembershipBySlug(tx, session.userId, slug);
    if (!membership) throw new AppError("NOT_FOUND", "Tenant not found");
    const active = await tx.membership.findUnique({
      where: { id: membership.id },
      select: { deactivatedAt: true },
    });
    if (!active || active.deactivatedAt) throw new AppError("NOT_FOUND", "Tenant not found");
    await enterTenant(tx, membership.tenant.id);
    return fn({
      tenantId: membership.tenant.id,
      actor: { userId: session.userId, membershipId: membership.id, role: membership.role },
      db: tx,
    });
  });
}

/** The body, read up to `limit` bytes; null as soon as it is longer, without reading the rest. */
async function boundedBody(req: Request, limit: number): Promise<Uint8Array<ArrayBuffer> | null> {
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/**
 * POST /api/finance/expenses/<id>/receipt, multipart/form-data with the file in the field `file`.
 * 201 with the stored receipt; 413 for a file over 10 MB, 415 for a file that is not a PDF, PNG, JPEG
 * or HEIC/HEIF by its bytes (whatever its declared type), 400 for an empty file or a malformed body.
 */
export async function handleReceiptUpload(
  req: Request,
  expenseId: string,
  deps: ReceiptHttpDeps,
): Promise<Response> {
  try {
    // Who is asking comes first: nobody signed out makes the server read 10 MB.
    const session = await deps.session(req);
    if (!session) throw new AppError("UNAUTHORIZED", "Sign in to continue");
    const declared = Number(req.headers.get("content-length") ?? "0");
    if (declared > MAX_BODY_BYTES) {
      const refusal = tooLarge();
      return failure(413, "PAYLOAD_TOO_LARGE", refusal.message, { file: [refusal.message] });
    }
    const contentType = req.headers.get("content-type") ?? "";
    if (!/^multipart\/form-data\s*;/i.test(contentType))
      return failure(
        400,
        "BAD_REQUEST",
        'Send the receipt as multipart/form-data, the file in the field "file"',
      );
    const body = await boundedBody(req, MAX_BODY_BYTES);
    if (!body) {
      const refusal = tooLarge();
      return failure(413, "PAYLOAD_TOO_LARGE", refusal.message, { file: [refusal.message] });
    }
    let form: FormData;
    try {
      form = await new Response(body, { headers: { "content-type": contentType } }).formData();
    } catch {
      return failure(400, "BAD_REQUEST", "The multipart body could not be read");
    }
    const file = form.get("file");
    if (!(file instanceof Blob))
      return failure(400, "BAD_REQUEST", 'Attach the receipt in the field "file"', {
        file: ["Attach a file"],
      });
    const bytes = new Uint8Array(await file.arrayBuffer());
    const refusal = receiptRefusal(bytes);
    if (refusal) {
      const code = {
        empty: "BAD_REQUEST",
        too_large: "PAYLOAD_TOO_LARGE",
        unsupported_type: "UNSUPPORTED_MEDIA_TYPE",
      }[refusal.reason];
      return failure(refusal.status, code, refusal.message, { file: [refusal.message] });
    }
    const name = file instanceof File ? file.name : "receipt";
    const receipt = await asMember(req, deps, session, (ctx) =>
      uploadReceipt(ctx, expenseId, { name, bytes }),
    );
    return json(201, { receipt: { ...receipt, createdAt: receipt.createdAt.toISOString() } });
  } catch (error) {
    return fromError(error, "receipt upload");
  }
}

/** RFC 6266 / RFC 8187: an ASCII fallback name, and the exact name percent-encoded as UTF-8. */
function contentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/**
 * GET /api/finance/receipts/<id>?tenant=<slug>: the file, always as a download (never rendered by the
 * browser in Tenet's origin), with its stored type and `nosniff`, for the expense's submitter and for
 * approvers, owners and admins of the tenant.
 */
export async function handleReceiptDownload(
  req: Request,
  receiptId: string,
  deps: ReceiptHttpDeps,
): Promise<Response> {
  try {
    const session = await deps.session(req);
    if (!session) throw new AppError("UNAUTHORIZED", "Sign in to continue");
    const receipt = await asMember(req, deps, session, (ctx) => readReceipt(ctx, receiptId));
    return new Response(new Uint8Array(receipt.bytes), {
      status: 200,
      headers: {
        "content-type": receipt.contentType,
        "content-length": String(receipt.sizeBytes),
        "content-disposition": contentDisposition(receipt.fileName),
        "x-content-type-options": "nosniff",
        "content-security-policy": "default-src 'none'; sandbox",
        "cache-control": "private, no-store",
        etag: `"${receipt.sha256}"`,
      },
    });
  } catch (error) {
    return fromError(error, "receipt download");
  }
}
