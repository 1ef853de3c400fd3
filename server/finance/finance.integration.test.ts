import { beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/server/db/scope";
import { AppError } from "@/server/errors";
import {
  createTestTenant,
  testDb,
  withOwner,
  type TestTenant,
  type TestUser,
} from "@/server/testing/fixtures";
import type { TenantContext } from "@/server/tenancy/context";
import { budgetFacts } from "./budget";
import {
  approveExpense,
  createExpense,
  expenseReportCsv,
  fileExpense,
  rejectExpense,
  submitExpense,
} from "./expenses";
import { checkBudget, createCostCenter, trialBalance } from "./ledger";
import {
  cancelPurchaseOrder,
  createPurchaseRequest,
  decidePurchaseRequest,
  issuePurchaseOrder,
  loadPurchaseRequest,
  receivePurchaseOrder,
} from "./purchases";
import { MAX_RECEIPT_BYTES, readReceipt, uploadReceipt } from "./receipts";
import { EXE, HEIC, HTML, JPEG, PDF, PNG } from "./test-files";
import { createVendor, updateVendor } from "./vendors";

async function caught(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected an AppError");
}

const YEAR = new Date().getUTCFullYear();
const DAY = `${YEAR}-01-15`;

type Org = {
  tenant: TestTenant;
  employee: TestUser;
  approver: TestUser;
  admin: TestUser;
  costCenter: string;
};

async function openOrg(label: string, budgetCents: bigint): Promise<Org> {
  const tenant = await createTestTenant(testDb(), label);
  const employee = await tenant.add("employee");
  const approver = await tenant.add("approver");
  const admin = await tenant.add("admin");
  const costCenter = await tenant.asOwner((ctx) =>
    createCostCenter(ctx, {
      code: "MKT",
      name: "Marketing",
      annualBudgetCents: budgetCents,
      fiscalYear: YEAR,
    }),
  );
  return { tenant, employee, approver, admin, costCenter: costCenter.id };
}

/** Runs `fn` as `user`, in one tenant-scoped transaction, like a tRPC handler. */
const as = <T>(tenant: TestTenant, user: TestUser, fn: (ctx: TenantContext) => Promise<T>) =>
  withTenant(testDb(), { tenantId: tenant.id }, (tx) =>
    fn({
      tenantId: tenant.id,
      actor: { userId: user.userId, membershipId: user.membershipId, role: user.role },
      db: tx,
    }),
  );

const countRows = (tenantId: string) =>
  withOwner(async (client) => {
    const { rows } = await client.query<Record<string, number>>(
      `SELECT (SELECT count(*)::int FROM finance.expense WHERE tenant_id = $1) AS expenses,
              (SELECT count(*)::int FROM finance.receipt WHERE tenant_id = $1) AS receipts,
              (SELECT count(*)::int FROM finance.purchase_request WHERE tenant_id = $1) AS requests,
              (SELECT count(*)::int FROM finance.purchase_order WHERE tenant_id = $1) AS orders,
              (SELECT count(*)::int FROM "JournalEntry" WHERE "tenantId" = $1) AS entries`,
      [tenantId],
    );
    return rows[0];
  });

const travel = (org: Org, amountCents: number, merchant = "Deutsche Bahn") => ({
  date: DAY,
  merchant,
  amountCents,
  currency: "EUR",
  category: "travel" as const,
  costCenterId: org.costCenter,
  description: "Train to the customer",
});

describe("finance", () => {
  let acme: Org;
  let globex: Org;
  let vendor: string;

  beforeAll(async () => {
    acme = await openOrg("fin-acme", 500_000n);
    globex = await openOrg("fin-globex", 500_000n);
    vendor = (
      await as(acme.tenant, acme.admin, (ctx) => createVendor(ctx, { name: "Dell", paymentTermsDays: 30 }))
    ).id;
  });

  describe("expenses", () => {
    it("approving posts a balanced entry: the category's expense account against reimbursements payable", async () => {
      const { expense, budget } = await as(acme.tenant, acme.employee, (ctx) =>
        fileExpense(ctx, travel(acme, 4250)),
      );
      expect(expense.status).toBe("submitted");
      expect(budget.overBudget).toBe(false);
      const { journalEntryId, expense: approved } = await as(acme.tenant, acme.approver, (ctx) =>
        approveExpense(ctx, expense.id),
      );
      expect(approved).toMatchObject({
        status: "approved",
        journalEntryId,
        decidedById: acme.approver.userId,
      });
      const lines = await withOwner(async (client) => {
        const { rows } = await client.query<{
          code: string;
          debit: string;
          credit: string;
          cc: string | null;
        }>(
          `SELECT a.code, l."debitCents"::text AS debit, l."creditCents"::text AS credit, l."costCenterId"::text AS cc
             FROM "JournalLine" l JOIN "LedgerAccount" a ON a.id = l."accountId"
            WHERE l."entryId" = $1 ORDER BY l."lineNo"`,
          [journalEntryId],
        );
        return rows;
      });
      expect(lines).toEqual([
        { code: "EXP-TRAVEL-EUR", debit: "4250", credit: "0", cc: acme.costCenter },
        { code: "AP-EMPLOYEE-EUR", debit: "0", credit: "4250", cc: null },
      ]);
      const trial = await acme.tenant.asOwner((ctx) => trialBalance(ctx, { asOf: `${YEAR}-12-31` }));
      expect(trial.totals).toEqual([{ currency: "EUR", debitCents: 4250n, creditCents: 4250n }]);
      // The approved amount now counts against the cost center.
      const facts = await as(acme.tenant, acme.employee, (ctx) =>
        budgetFacts(ctx.db, ctx.tenantId, acme.costCenter, 0),
      );
      expect(facts.spentCents).toBe(4250n);
    });

    it("nobody decides on their own expense, employees decide on none, and a decision is final", async () => {
      const { expense } = await as(acme.tenant, acme.approver, (ctx) => fileExpense(ctx, travel(acme, 1000)));
      expect(
        (await caught(as(acme.tenant, acme.approver, (ctx) => approveExpense(ctx, expense.id)))).code,
      ).toBe("FORBIDDEN");
      const other = await as(acme.tenant, acme.admin, (ctx) => fileExpense(ctx, travel(acme, 1000)));
      expect(
        (await caught(as(acme.tenant, acme.employee, (ctx) => approveExpense(ctx, other.expense.id)))).code,
      ).toBe("NOT_FOUND");
      const noReason = await caught(
        as(acme.tenant, acme.admin, (ctx) => rejectExpense(ctx, expense.id, " ")),
      );
      expect(noReason.fields).toEqual({ input: ["Say why"] });
      const rejected = await as(acme.tenant, acme.admin, (ctx) =>
        rejectExpense(ctx, expense.id, "No receipt"),
      );
      expect(rejected).toMatchObject({ status: "rejected", reason: "No receipt", journalEntryId: null });
      expect((await caught(as(acme.tenant, acme.admin, (ctx) => approveExpense(ctx, expense.id)))).code).toBe(
        "CONFLICT",
      );
    });

    it("bad input is refused with the fields at fault and writes nothing", async () => {
      const before = await countRows(acme.tenant.id);
      const bad = await caught(
        as(acme.tenant, acme.employee, (ctx) =>
          createExpense(ctx, { ...travel(acme, 0), currency: "euro", category: "yacht" as "travel" }),
        ),
      );
      expect(bad.code).toBe("BAD_REQUEST");
      expect(Object.keys(bad.fields ?? {}).sort()).toEqual(["amountCents", "category", "currency"]);
      const wrongYear = await caught(
        as(acme.tenant, acme.employee, (ctx) =>
          createExpense(ctx, { ...travel(acme, 100), date: `${YEAR - 1}-12-30` }),
        ),
      );
      expect(wrongYear.fields?.costCenterId?.[0]).toMatch(/is for \d{4}; this expense is dated/);
      const foreign = await caught(
        as(acme.tenant, acme.employee, (ctx) =>
          createExpense(ctx, { ...travel(acme, 100), costCenterId: globex.costCenter }),
        ),
      );
      expect(foreign.fields).toEqual({ costCenterId: ["Cost center not found"] });
      expect(await countRows(acme.tenant.id)).toEqual(before);
    });

    it("the database refuses to re-open a decision or let the submitter decide, even to plain SQL", async () => {
      const { expense } = await as(acme.tenant, acme.employee, (ctx) => fileExpense(ctx, travel(acme, 700)));
      await as(acme.tenant, acme.admin, (ctx) => rejectExpense(ctx, expense.id, "Duplicate"));
      const reopen = await caught(
        as(acme.tenant, acme.admin, async (ctx) => {
          try {
            await ctx.db.$executeRawUnsafe(
              `UPDATE finance.expense SET status = 'submitted' WHERE id = $1::uuid`,
              expense.id,
            );
          } catch (error) {
            throw new AppError("CONFLICT", error instanceof Error ? error.message : String(error));
          }
        }),
      );
      expect(reopen.message).toMatch(/cannot go from rejected to submitted/);
      const second = await as(acme.tenant, acme.employee, (ctx) => fileExpense(ctx, travel(acme, 700)));
      const selfApproved = await caught(
        as(acme.tenant, acme.employee, async (ctx) => {
          try {
            await ctx.db.$executeRawUnsafe(
              `UPDATE finance.expense SET status = 'rejected', reason = 'x', decided_by = submitter_id, decided_at = now()
                WHERE id = $1::uuid`,
              second.expense.id,
            );
          } catch (error) {
            throw new AppError("CONFLICT", error instanceof Error ? error.message : String(error));
          }
        }),
      );
      expect(selfApproved.message).toMatch(/expense_not_self_decided/);
    });

    it("another tenant's expense does not exist for its members", async () => {
      const { expense } = await as(acme.tenant, acme.employee, (ctx) => fileExpense(ctx, travel(acme, 300)));
      expect(
        (await caught(as(globex.tenant, globex.approver, (ctx) => approveExpense(ctx, expense.id)))).code,
      ).toBe("NOT_FOUND");
      // Victim control: acme's approver can.
      expect(
        (await as(acme.tenant, acme.approver, (ctx) => approveExpense(ctx, expense.id))).expense.status,
      ).toBe("approved");
    });

    it("exports the expense report per employee as CSV, with formulas defused", async () => {
      const org = await openOrg("fin-report", 1_000_000n);
      const { expense } = await as(org.tenant, org.employee, (ctx) =>
        fileExpense(ctx, travel(org, 1999, '=HYPERLINK("http://evil.example","x")')),
      );
      await as(org.tenant, org.approver, (ctx) => approveExpense(ctx, expense.id));
      await as(org.tenant, org.admin, (ctx) => fileExpense(ctx, travel(org, 500, "Taxi, airport")));
      await as(org.tenant, org.employee, (ctx) => createExpense(ctx, travel(org, 123, "Draft only")));

      const own = await as(org.tenant, org.employee, (ctx) =>
        expenseReportCsv(ctx, { from: `${YEAR}-01-01`, to: `${YEAR}-12-31` }),
      );
      const lines = own.trimEnd().split("\r\n");
      expect(lines[0]).toBe(
        "employee,employee_email,date,merchant,category,cost_center,description,currency,amount_cents,amount,status,submitted_at,decided_by,decided_at,reason,journal_entry,receipts",
      );
      expect(lines).toHaveLength(2);
      expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
      expect(lines[1]).toContain(",EUR,1999,19.99,approved,");
      expect(lines[1]).toContain(org.approver.email);

      const everyone = await as(org.tenant, org.approver, (ctx) =>
        expenseReportCsv(ctx, { from: `${YEAR}-01-01`, to: `${YEAR}-12-31` }),
      );
      expect(everyone.trimEnd().split("\r\n")).toHaveLength(3);
      expect(everyone).toContain('"Taxi, airport"');
      expect(everyone).not.toContain("Draft only");
      const snooping = await caught(
        as(org.tenant, org.employee, (ctx) =>
          expenseReportCsv(ctx, {
            from: `${YEAR}-01-01`,
            to: `${YEAR}-12-31`,
            submitterId: org.admin.userId,
          }),
        ),
      );
      expect(snooping.code).toBe("FORBIDDEN");
    });
  });

  describe("receipts", () => {
    it("keeps what the bytes are: a PNG named .pdf is a PNG; PDF, JPEG and HEIC are kept too", async () => {
      const draft = await as(acme.tenant, acme.employee, (ctx) => createExpense(ctx, travel(acme, 900)));
      const png = await as(acme.tenant, acme.employee, (ctx) =>
        uploadReceipt(ctx, draft.id, { name: "C:\\scans\\receipt.pdf", bytes: PNG }),
      );
      expect(png).toMatchObject({ contentType: "image/png", fileName: "receipt.png", sizeBytes: PNG.length });
      for (const [bytes, type] of [
        [PDF, "application/pdf"],
        [JPEG, "image/jpeg"],
        [HEIC, "image/heic"],
      ] as const) {
        const receipt = await as(acme.tenant, acme.employee, (ctx) =>
          uploadReceipt(ctx, draft.id, { name: "scan", bytes }),
        );
        expect(receipt.contentType).toBe(type);
      }
      const back = await as(acme.tenant, acme.approver, (ctx) => readReceipt(ctx, png.id));
      expect(Buffer.compare(back.bytes, PNG)).toBe(0);
    });

    it("refuses programs, web pages, empty and oversized files, writing nothing", async () => {
      const draft = await as(acme.tenant, acme.employee, (ctx) => createExpense(ctx, travel(acme, 901)));
      const before = await countRows(acme.tenant.id);
      for (const [bytes, message] of [
        [EXE, "A receipt must be a PDF, PNG, JPEG or HEIC/HEIF file"],
        [HTML, "A receipt must be a PDF, PNG, JPEG or HEIC/HEIF file"],
        [Buffer.alloc(0), "The file is empty"],
        [Buffer.concat([PNG, Buffer.alloc(11 * 1024 * 1024 - PNG.length)]), "A receipt can be at most 10 MB"],
      ] as const) {
        const error = await caught(
          as(acme.tenant, acme.employee, (ctx) =>
            uploadReceipt(ctx, draft.id, { name: "receipt.png", bytes }),
          ),
        );
        expect(error.fields).toEqual({ file: [message] });
      }
      expect(await countRows(acme.tenant.id)).toEqual(before);
    });

    it("the database refuses a receipt over 10 MB or of another type, even to plain SQL", async () => {
      const draft = await as(acme.tenant, acme.employee, (ctx) => createExpense(ctx, travel(acme, 902)));
      const insert = (size: number, type: string) =>
        caught(
          as(acme.tenant, acme.employee, async (ctx) => {
            try {
              await ctx.db.$executeRawUnsafe(
                `INSERT INTO finance.receipt (tenant_id, expense_id, file_name, content_type, size_bytes, sha256, bytes, uploaded_by)
                 SELECT $1::uuid, $2::uuid, 'r.png', $4, $3::integer, sha256(b), b, $5::uuid
                   FROM (SELECT decode(repeat('00', $3::integer), 'hex') AS b) AS f`,
                acme.tenant.id,
                draft.id,
                size,
                type,
                acme.employee.userId,
              );
            } catch (error) {
              throw new AppError("CONFLICT", error instanceof Error ? error.message : String(error));
            }
          }),
        );
      expect((await insert(MAX_RECEIPT_BYTES + 1, "image/png")).message).toMatch(/size_bytes_check/);
      expect((await insert(10, "text/html")).message).toMatch(/content_type_check/);
    });

    it("only the submitter and those who decide on expenses read a receipt; another tenant gets not found", async () => {
      const draft = await as(acme.tenant, acme.employee, (ctx) => createExpense(ctx, travel(acme, 903)));
      const receipt = await as(acme.tenant, acme.employee, (ctx) =>
        uploadReceipt(ctx, draft.id, { name: "r.pdf", bytes: PDF }),
      );
      const colleague = await acme.tenant.add("employee");
      expect((await caught(as(acme.tenant, colleague, (ctx) => readReceipt(ctx, receipt.id)))).code).toBe(
        "NOT_FOUND",
      );
      expect(
        (await caught(as(globex.tenant, globex.admin, (ctx) => readReceipt(ctx, receipt.id)))).code,
      ).toBe("NOT_FOUND");
      expect((await as(acme.tenant, acme.employee, (ctx) => readReceipt(ctx, receipt.id))).fileName).toBe(
        "r.pdf",
      );
    });
  });

  describe("purchases and the budget", () => {
    it("a request within budget is not over budget; beyond it, counting commitments, it is", async () => {
      const org = await openOrg("fin-budget", 100_000n);
      const dell = (await as(org.tenant, org.admin, (ctx) => createVendor(ctx, { name: "Dell" }))).id;
      const request = (amountCents: number) => ({
        vendorId: dell,
        costCenterId: org.costCenter,
        description: "Monitors",
        amountCents,
        currency: "EUR",
      });
      const within = await as(org.tenant, org.employee, (ctx) => createPurchaseRequest(ctx, request(60_000)));
      expect(within.request.overBudget).toBe(false);
      expect(within.budget).toMatchObject({ budgetCents: 100_000n, spentCents: 0n, committedCents: 0n });

      await as(org.tenant, org.approver, (ctx) =>
        decidePurchaseRequest(ctx, within.request.id, { approve: true }),
      );
      const { order } = await as(org.tenant, org.admin, (ctx) => issuePurchaseOrder(ctx, within.request.id));
      expect(order.number).toBe(`PO-${YEAR}-0001`);

      // 60,000 committed: another 50,000 goes over; 40,000 exactly fits.
      const beyond = await as(org.tenant, org.employee, (ctx) => createPurchaseRequest(ctx, request(50_000)));
      expect(beyond.request.overBudget).toBe(true);
      expect(beyond.budget).toMatchObject({
        committedCents: 60_000n,
        remainingCents: 40_000n,
        overByCents: 10_000n,
      });
      const exact = await as(org.tenant, org.employee, (ctx) => createPurchaseRequest(ctx, request(40_000)));
      expect(exact.request.overBudget).toBe(false);
      const check = await org.tenant.asOwner((ctx) =>
        checkBudget(ctx, { costCenterId: org.costCenter, amountCents: 50_000 }),
      );
      expect(check).toEqual({ withinBudget: false, remainingCents: 40_000n, wouldExceedByCents: 10_000n });

      // Receiving turns the commitment into spending: the total stays the same.
      await as(org.tenant, org.admin, (ctx) => receivePurchaseOrder(ctx, order.id));
      const after = await as(org.tenant, org.employee, (ctx) =>
        budgetFacts(ctx.db, ctx.tenantId, org.costCenter, 0),
      );
      expect(after).toMatchObject({ spentCents: 60_000n, committedCents: 0n, remainingCents: 40_000n });
    });

    it("numbers orders in sequence, orders a request once, and only approved requests", async () => {
      const org = await openOrg("fin-po", 10_000_000n);
      const hp = (
        await as(org.tenant, org.admin, (ctx) => createVendor(ctx, { name: "HP", email: "sales@hp.example" }))
      ).id;
      const approvedRequest = async () => {
        const { request } = await as(org.tenant, org.employee, (ctx) =>
          createPurchaseRequest(ctx, {
            vendorId: hp,
            costCenterId: org.costCenter,
            description: "Laptop",
            amountCents: 150_000,
            currency: "EUR",
          }),
        );
        await as(org.tenant, org.approver, (ctx) =>
          decidePurchaseRequest(ctx, request.id, { approve: true }),
        );
        return request.id;
      };
      const first = await approvedRequest();
      const second = await approvedRequest();
      const [a, b] = [
        await as(org.tenant, org.admin, (ctx) => issuePurchaseOrder(ctx, first)),
        await as(org.tenant, org.admin, (ctx) => issuePurchaseOrder(ctx, second)),
      ];
      expect([a.order.number, b.order.number]).toEqual([`PO-${YEAR}-0001`, `PO-${YEAR}-0002`]);
      expect((await caught(as(org.tenant, org.admin, (ctx) => issuePurchaseOrder(ctx, first)))).message).toBe(
        "This request was already ordered",
      );
      const { request: pending } = await as(org.tenant, org.employee, (ctx) =>
        createPurchaseRequest(ctx, {
          vendorId: hp,
          costCenterId: org.costCenter,
          description: "Dock",
          amountCents: 9_000,
          currency: "EUR",
        }),
      );
      expect(
        (await caught(as(org.tenant, org.admin, (ctx) => issuePurchaseOrder(ctx, pending.id)))).code,
      ).toBe("CONFLICT");
      expect(
        (await caught(as(org.tenant, org.approver, (ctx) => issuePurchaseOrder(ctx, second)))).code,
      ).toBe("FORBIDDEN");
      expect(
        (
          await caught(
            as(org.tenant, org.employee, (ctx) => decidePurchaseRequest(ctx, pending.id, { approve: true })),
          )
        ).code,
      ).toBe("FORBIDDEN");
      const rejected = await as(org.tenant, org.approver, (ctx) =>
        decidePurchaseRequest(ctx, pending.id, { approve: false, reason: "Use the spare one" }),
      );
      expect(rejected).toMatchObject({ status: "rejected", reason: "Use the spare one" });
      expect((await as(org.tenant, org.employee, (ctx) => loadPurchaseRequest(ctx, first))).status).toBe(
        "ordered",
      );

      // Cancelling an order releases its commitment; receiving it then is refused, and nothing is posted.
      const committed = async () =>
        (await as(org.tenant, org.employee, (ctx) => budgetFacts(ctx.db, ctx.tenantId, org.costCenter, 0)))
          .committedCents;
      expect(await committed()).toBe(300_000n);
      await as(org.tenant, org.admin, (ctx) => cancelPurchaseOrder(ctx, b.order.id, "Vendor cannot deliver"));
      expect(await committed()).toBe(150_000n);
      expect(
        (await caught(as(org.tenant, org.admin, (ctx) => receivePurchaseOrder(ctx, b.order.id)))).code,
      ).toBe("CONFLICT");
    });

    it("an inactive vendor, or another tenant's, takes no requests; vendor names are unique per tenant", async () => {
      const dup = await caught(as(acme.tenant, acme.admin, (ctx) => createVendor(ctx, { name: "DELL" })));
      expect(dup.code).toBe("CONFLICT");
      // Another tenant may have its own Dell.
      await as(globex.tenant, globex.admin, (ctx) => createVendor(ctx, { name: "Dell" }));
      const input = {
        vendorId: vendor,
        costCenterId: globex.costCenter,
        description: "x",
        amountCents: 1,
        currency: "EUR",
      };
      const foreign = await caught(
        as(globex.tenant, globex.employee, (ctx) => createPurchaseRequest(ctx, input)),
      );
      expect(foreign.fields).toEqual({ vendorId: ["Vendor not found"] });
      const old = await as(acme.tenant, acme.admin, (ctx) => createVendor(ctx, { name: "Old supplier" }));
      await as(acme.tenant, acme.admin, (ctx) => updateVendor(ctx, old.id, { active: false }));
      const inactive = await caught(
        as(acme.tenant, acme.employee, (ctx) =>
          createPurchaseRequest(ctx, { ...input, vendorId: old.id, costCenterId: acme.costCenter }),
        ),
      );
      expect(inactive.fields).toEqual({ vendorId: ["Old supplier is no longer an active vendor"] });
      expect(
        (await caught(as(acme.tenant, acme.employee, (ctx) => createVendor(ctx, { name: "Mine" })))).code,
      ).toBe("FORBIDDEN");
    });
  });

  describe("at once", () => {
    it("two first approvals create the default accounts once, and both post", async () => {
      const org = await openOrg("fin-race", 1_000_000n);
      const filed = await Promise.all(
        [100, 200].map((cents) =>
          as(org.tenant, org.employee, (ctx) => fileExpense(ctx, travel(org, cents))),
        ),
      );
      const approved = await Promise.all(
        filed.map(({ expense }) => as(org.tenant, org.approver, (ctx) => approveExpense(ctx, expense.id))),
      );
      expect(approved.map((a) => a.expense.status)).toEqual(["approved", "approved"]);
      const accounts = await withOwner(async (client) => {
        const { rows } = await client.query<{ code: string }>(
          `SELECT code FROM "LedgerAccount" WHERE "tenantId" = $1 ORDER BY code`,
          [org.tenant.id],
        );
        return rows.map((r) => r.code);
      });
      expect(accounts).toEqual(["AP-EMPLOYEE-EUR", "EXP-TRAVEL-EUR"]);
    });

    it("one expense approved twice at once is posted once", async () => {
      const { expense } = await as(acme.tenant, acme.employee, (ctx) => fileExpense(ctx, travel(acme, 333)));
      const outcomes = await Promise.allSettled([
        as(acme.tenant, acme.approver, (ctx) => approveExpense(ctx, expense.id)),
        as(acme.tenant, acme.admin, (ctx) => approveExpense(ctx, expense.id)),
      ]);
      expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
      const refused = outcomes.find((o) => o.status === "rejected");
      expect(
        refused?.status === "rejected" && refused.reason instanceof AppError && refused.reason.code,
      ).toBe("CONFLICT");
      const posted = await withOwner(async (client) => {
        const { rows } = await client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM "JournalEntry" WHERE source = $1`,
          [`expense:${expense.id}`],
        );
        return rows[0]?.n;
      });
      expect(posted).toBe(1);
    });
  });

  it("submitting is for the person who paid, once", async () => {
    const draft = await as(acme.tenant, acme.employee, (ctx) => createExpense(ctx, travel(acme, 111)));
    expect((await caught(as(acme.tenant, acme.admin, (ctx) => submitExpense(ctx, draft.id)))).code).toBe(
      "FORBIDDEN",
    );
    await as(acme.tenant, acme.employee, (ctx) => submitExpense(ctx, draft.id));
    expect((await caught(as(acme.tenant, acme.employee, (ctx) => submitExpense(ctx, draft.id)))).code).toBe(
      "CONFLICT",
    );
  });
});
