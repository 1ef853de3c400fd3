/**
 * The receipt route handlers over real HTTP: the same functions app/api/finance/… exports, served by
 * node:http on 127.0.0.1, called with fetch and multipart bodies. The harness stands in for Auth.js
 * only: the header `x-test-user` names the signed-in user (no header, no session).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/server/db/scope";
import {
  createTestTenant,
  testDb,
  withOwner,
  type TestTenant,
  type TestUser,
} from "@/server/testing/fixtures";
import { createExpense } from "./expenses";
import { createCostCenter } from "./ledger";
import { handleReceiptDownload, handleReceiptUpload, type ReceiptHttpDeps } from "./receipt-http";
import { EXE, HTML, PDF, PNG } from "./test-files";

const YEAR = new Date().getUTCFullYear();

const deps = (userId: string | undefined): ReceiptHttpDeps => ({
  db: testDb,
  session: () => Promise.resolve(userId ? { userId, sessionId: `test-${userId}` } : null),
});

async function route(req: Request, userId: string | undefined): Promise<Response> {
  const path = new URL(req.url).pathname;
  const upload = /^\/api\/finance\/expenses\/([^/]+)\/receipt$/.exec(path);
  if (upload?.[1] && req.method === "POST") return handleReceiptUpload(req, upload[1], deps(userId));
  const download = /^\/api\/finance\/receipts\/([^/]+)$/.exec(path);
  if (download?.[1] && req.method === "GET") return handleReceiptDownload(req, download[1], deps(userId));
  return new Response("no route", { status: 404 });
}

const server = http.createServer((incoming, outgoing) => {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (typeof value === "string") headers.set(name, value);
    else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
  }
  const userId = headers.get("x-test-user") ?? undefined;
  const hasBody = incoming.method !== "GET" && incoming.method !== "HEAD";
  // `duplex` is what Node's fetch needs for a streamed body; TypeScript's DOM RequestInit predates it.
  const init: RequestInit & { duplex: "half" } = {
    method: incoming.method,
    headers,
    body: hasBody ? (Readable.toWeb(incoming) as ReadableStream<Uint8Array>) : undefined,
    duplex: "half",
  };
  const request = new Request(new URL(incoming.url ?? "/", "http://127.0.0.1"), init);
  void route(request, userId).then(async (response) => {
    outgoing.writeHead(response.status, Object.fromEntries(response.headers));
    outgoing.end(Buffer.from(await response.arrayBuffer()));
  });
});

let base = "";
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const receiptCount = (tenantId: string) =>
  withOwner(async (client) => {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM finance.receipt WHERE tenant_id = $1`,
      [tenantId],
    );
    return rows[0]?.n;
  });

function upload(
  tenant: TestTenant,
  user: TestUser | null,
  expenseId: string,
  file: { bytes: Buffer; name: string; type: string },
) {
  const form = new FormData();
  form.set("file", new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  return fetch(`${base}/api/finance/expenses/${expenseId}/receipt`, {
    method: "POST",
    headers: { "x-tenant": tenant.slug, ...(user ? { "x-test-user": user.userId } : {}) },
    body: form,
  });
}

const download = (tenant: TestTenant, user: TestUser, receiptId: string) =>
  fetch(`${base}/api/finance/receipts/${receiptId}?tenant=${tenant.slug}`, {
    headers: { "x-test-user": user.userId },
  });

type ErrorBody = { error: { code: string; message: string; fields?: Record<string, string[]> } };
type UploadBody = { receipt: { id: string; contentType: string; fileName: string; sizeBytes: number } };

describe("receipts over HTTP", () => {
  let acme: TestTenant;
  let globex: TestTenant;
  let employee: TestUser;
  let colleague: TestUser;
  let approver: TestUser;
  let outsider: TestUser;
  let expenseId: string;

  beforeAll(async () => {
    acme = await createTestTenant(testDb(), "fin-http");
    globex = await createTestTenant(testDb(), "fin-http-globex");
    employee = await acme.add("employee");
    colleague = await acme.add("employee");
    approver = await acme.add("approver");
    outsider = await globex.add("admin");
    const costCenterId = (
      await acme.asOwner((ctx) =>
        createCostCenter(ctx, {
          code: "OPS",
          name: "Operations",
          annualBudgetCents: 1_000_000n,
          fiscalYear: YEAR,
        }),
      )
    ).id;
    expenseId = (
      await withTenant(testDb(), { tenantId: acme.id }, (tx) =>
        createExpense(
          {
            tenantId: acme.id,
            actor: { userId: employee.userId, membershipId: employee.membershipId, role: employee.role },
            db: tx,
          },
          {
            date: `${YEAR}-03-04`,
            merchant: "Hotel Adlon",
            amountCents: 18_900,
            currency: "EUR",
            category: "lodging",
            costCenterId,
          },
        ),
      )
    ).id;
  });

  it("stores a PNG named .pdf as the PNG it is, and serves it back only as a download", async () => {
    const response = await upload(acme, employee, expenseId, {
      bytes: PNG,
      name: "Grüße receipt.pdf",
      type: "application/pdf",
    });
    expect(response.status).toBe(201);
    const { receipt } = (await response.json()) as UploadBody;
    expect(receipt).toMatchObject({
      contentType: "image/png",
      fileName: "Grüße receipt.png",
      sizeBytes: PNG.length,
    });

    for (const reader of [employee, approver, acme.owner]) {
      const file = await download(acme, reader, receipt.id);
      expect(file.status).toBe(200);
      expect(file.headers.get("content-type")).toBe("image/png");
      expect(file.headers.get("x-content-type-options")).toBe("nosniff");
      expect(file.headers.get("content-disposition")).toBe(
        `attachment; filename="Gr__e receipt.png"; filename*=UTF-8''Gr%C3%BC%C3%9Fe%20receipt.png`,
      );
      expect(Buffer.compare(Buffer.from(await file.arrayBuffer()), PNG)).toBe(0);
    }
  });

  it("refuses by the bytes, not the declared type: 415 for a program or a web page sent as image/png", async () => {
    const before = await receiptCount(acme.id);
    for (const bytes of [EXE, HTML]) {
      const response = await upload(acme, employee, expenseId, {
        bytes,
        name: "receipt.png",
        type: "image/png",
      });
      expect(response.status).toBe(415);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      expect(await response.json()).toEqual({
        error: {
          code: "UNSUPPORTED_MEDIA_TYPE",
          message: "A receipt must be a PDF, PNG, JPEG or HEIC/HEIF file",
          fields: { file: ["A receipt must be a PDF, PNG, JPEG or HEIC/HEIF file"] },
        },
      } satisfies ErrorBody);
    }
    expect(await receiptCount(acme.id)).toBe(before);
  });

  it("413 for 11 MB, 400 for an empty file, 401 without a session, writing nothing", async () => {
    const before = await receiptCount(acme.id);
    const big = Buffer.concat([PNG, Buffer.alloc(11 * 1024 * 1024 - PNG.length)]);
    const tooBig = await upload(acme, employee, expenseId, {
      bytes: big,
      name: "scan.png",
      type: "image/png",
    });
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as ErrorBody).error.message).toBe("A receipt can be at most 10 MB");

    const empty = await upload(acme, employee, expenseId, {
      bytes: Buffer.alloc(0),
      name: "scan.png",
      type: "image/png",
    });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as ErrorBody).error.fields).toEqual({ file: ["The file is empty"] });

    const anonymous = await upload(acme, null, expenseId, {
      bytes: PDF,
      name: "r.pdf",
      type: "application/pdf",
    });
    expect(anonymous.status).toBe(401);
    expect(await receiptCount(acme.id)).toBe(before);
  });

  it("another tenant's member gets 404 whichever tenant they name; a colleague cannot read it", async () => {
    const { receipt } = (await (
      await upload(acme, employee, expenseId, { bytes: PDF, name: "invoice.pdf", type: "application/pdf" })
    ).json()) as UploadBody;
    const before = await receiptCount(acme.id);
    // Naming their own tenant: the receipt and the expense are not there.
    expect(
      (await upload(globex, outsider, expenseId, { bytes: PDF, name: "x.pdf", type: "application/pdf" }))
        .status,
    ).toBe(404);
    expect((await download(globex, outsider, receipt.id)).status).toBe(404);
    // Naming the victim's tenant: they are no member of it.
    expect(
      (await upload(acme, outsider, expenseId, { bytes: PDF, name: "x.pdf", type: "application/pdf" }))
        .status,
    ).toBe(404);
    expect((await download(acme, outsider, receipt.id)).status).toBe(404);
    expect((await download(acme, colleague, receipt.id)).status).toBe(404);
    expect(await receiptCount(acme.id)).toBe(before);
    // Victim control: the submitter still reads it.
    expect((await download(acme, employee, receipt.id)).status).toBe(200);
  });
});
