import { beforeAll, describe, expect, it } from "vitest";
import { actingAs, driverContext } from "@/connectors/testing";
import type { AnyActionSpec, DriverContext } from "@/connectors/sdk";
import { withTenant } from "@/server/db/scope";
import { AppError } from "@/server/errors";
import { createCostCenter } from "@/server/finance/ledger";
import { createVendor } from "@/server/finance/vendors";
import { AccessEvaluator } from "@/server/kernel/access/evaluator";
import type { ActionName } from "@/server/kernel/access/schema";
import { Kernel, type KernelContext } from "@/server/kernel/kernel";
import { createToolRegistry } from "@/server/kernel/tools/registry";
import { toToolActions } from "@/connectors/index";
import { budgetFacts } from "@/server/finance/budget";
import {
  createTestTenant,
  kernelDeps,
  testDb,
  withOwner,
  type TestTenant,
  type TestUser,
} from "@/server/testing/fixtures";
import { financeDriver } from "./driver";
import { expenseSubmitOutput, financeManifest } from "./manifest";

const YEAR = new Date().getUTCFullYear();

async function caught(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected an AppError");
}

/** Every row a finance call could write for the tenant: its tables, the ledger, the audit log. */
const footprint = (tenantId: string) =>
  withOwner(async (client) => {
    const { rows } = await client.query<Record<string, number>>(
      `SELECT (SELECT count(*)::int FROM finance.expense WHERE tenant_id = $1) AS expenses,
              (SELECT count(*)::int FROM finance.purchase_request WHERE tenant_id = $1) AS requests,
              (SELECT count(*)::int FROM finance.purchase_order WHERE tenant_id = $1) AS orders,
              (SELECT count(*)::int FROM finance.budget_commitment WHERE tenant_id = $1) AS commitments,
              (SELECT count(*)::int FROM finance.po_counter WHERE tenant_id = $1) AS counters,
              (SELECT count(*)::int FROM "LedgerAccount" WHERE "tenantId" = $1) AS accounts,
              (SELECT count(*)::int FROM "JournalEntry" WHERE "tenantId" = $1) AS entries,
              (SELECT count(*)::int FROM "AuditEntry" WHERE "tenantId" = $1) AS audit,
              (SELECT string_agg(status, ',' ORDER BY id) FROM finance.expense WHERE tenant_id = $1) AS expense_states,
              (SELECT string_agg(status, ',' ORDER BY id) FROM finance.purchase_request WHERE tenant_id = $1) AS request_states`,
      [tenantId],
    );
    return rows[0];
  });

const actions = financeDriver.actions;
const spec = (action: ActionName): AnyActionSpec => {
  const found = Object.values(financeManifest.actions).find((a) => a.action === action);
  if (!found) throw new Error(`no ${action}`);
  return found;
};

describe("finance connector", () => {
  let tenant: TestTenant;
  let employee: TestUser;
  let approver: TestUser;
  let admin: TestUser;
  let marketing: string;
  let vendorId: string;
  /** A call acting for `user`, as the kernel would make it. */
  const by = (user: TestUser): DriverContext =>
    driverContext(testDb(), tenant.id, null, actingAs(user.userId));

  beforeAll(async () => {
    tenant = await createTestTenant(testDb(), "fin-connector");
    employee = await tenant.add("employee");
    approver = await tenant.add("approver");
    admin = await tenant.add("admin");
    marketing = (
      await tenant.asOwner((c) =>
        createCostCenter(c, { code: "MKT", name: "Marketing", annualBudgetCents: 50_000n, fiscalYear: YEAR }),
      )
    ).id;
    vendorId = (await tenant.asOwner((c) => createVendor(c, { name: "Deutsche Bahn" }))).id;
  });

  const expenseInput = (amountCents: number) => ({
    submitterId: employee.userId,
    submitterName: "fin-connector employee",
    date: `${YEAR}-02-03`,
    merchant: "Deutsche Bahn",
    amountCents,
    currency: "EUR",
    category: "travel" as const,
    costCenterId: marketing,
  });

  it("describes each call in one line people read", () => {
    expect(spec("finance.expense.submit").describe({ ...expenseInput(4250), submitterName: "Bob" })).toBe(
      "Submit expense €42.50 at Deutsche Bahn for Bob",
    );
    expect(
      spec("finance.purchase.order").resources?.({
        purchaseRequestId: "0f0e0d0c-0000-4000-8000-000000000000",
        issuedById: admin.userId,
      }),
    ).toEqual([{ key: "purchase-request:0f0e0d0c-0000-4000-8000-000000000000" }]);
    expect(Object.values(financeManifest.actions).map((a) => [a.action, a.effect, a.reversible])).toEqual([
      ["finance.expense.submit", "write", false],
      ["finance.expense.approve", "write", false],
      ["finance.purchase.request", "write", false],
      ["finance.purchase.approve", "write", false],
      ["finance.purchase.order", "write", false],
    ]);
  });

  it("dry runs show what would happen, warn about the budget, and write nothing", async () => {
    const before = await footprint(tenant.id);
    const submit = await actions["finance.expense.submit"].dryRun?.(expenseInput(62_000), by(employee));
    expect(submit?.changes[0]).toMatchObject({ op: "create", object: "Expense €620.00 at Deutsche Bahn" });
    expect(submit?.warnings[0]).toMatch(/^Cost center Marketing would be €120\.00 over budget/);
    const request = await actions["finance.purchase.request"].dryRun?.(
      {
        requesterId: employee.userId,
        vendorId,
        costCenterId: marketing,
        description: "Rail passes",
        amountCents: 1000,
        currency: "EUR",
      },
      by(employee),
    );
    expect(request?.warnings).toEqual([]);
    expect(await footprint(tenant.id)).toEqual(before);

    // Approving: the journal lines it would post, the accounts it would create first.
    const filed = await actions["finance.expense.submit"].run(expenseInput(4250), by(employee));
    const beforeApproval = await footprint(tenant.id);
    const approve = await actions["finance.expense.approve"].dryRun?.(
      { expenseId: filed.expenseId, approverId: approver.userId, decision: "approve" },
      by(approver),
    );
    expect(approve?.changes.map((c) => `${c.op} ${c.object}`)).toEqual([
      "create Ledger account EXP-TRAVEL-EUR Travel (EUR)",
      "create Ledger account AP-EMPLOYEE-EUR Employee reimbursements payable (EUR)",
      "create Journal entry: Expense €42.50 at Deutsche Bahn",
      "update Expense €42.50 at Deutsche Bahn",
    ]);
    expect(approve?.changes[2]?.fields).toEqual({
      "line 1": {
        to: {
          side: "debit",
          account: "EXP-TRAVEL-EUR",
          accountName: "Travel (EUR)",
          amountCents: 4250,
          amount: "€42.50",
          costCenter: "MKT",
        },
      },
      "line 2": {
        to: {
          side: "credit",
          account: "AP-EMPLOYEE-EUR",
          accountName: "Employee reimbursements payable (EUR)",
          amountCents: 4250,
          amount: "€42.50",
          costCenter: null,
        },
      },
    });
    expect(approve?.warnings).toEqual(["The expense has no receipt attached"]);
    expect(await footprint(tenant.id)).toEqual(beforeApproval);
  });

  it("each action's output matches its schema, and approving posts to the ledger", async () => {
    const submitted = await actions["finance.expense.submit"].run(expenseInput(1500), by(employee));
    expect(spec("finance.expense.submit").output.parse(submitted)).toEqual(submitted);
    expect(submitted).toMatchObject({ status: "submitted", amountCents: 1500, currency: "EUR" });

    const approved = await actions["finance.expense.approve"].run(
      { expenseId: submitted.expenseId, approverId: approver.userId, decision: "approve" },
      by(approver),
    );
    expect(spec("finance.expense.approve").output.parse(approved)).toEqual(approved);
    expect(approved.journalEntryId).not.toBeNull();

    const rejectedExpense = await actions["finance.expense.submit"].run(expenseInput(900), by(employee));
    const rejected = await actions["finance.expense.approve"].run(
      {
        expenseId: rejectedExpense.expenseId,
        approverId: approver.userId,
        decision: "reject",
        reason: "Personal trip",
      },
      by(approver),
    );
    expect(spec("finance.expense.approve").output.parse(rejected)).toEqual({
      expenseId: rejectedExpense.expenseId,
      status: "rejected",
      journalEntryId: null,
    });

    const requested = await actions["finance.purchase.request"].run(
      {
        requesterId: employee.userId,
        vendorId,
        costCenterId: marketing,
        description: "Rail passes",
        amountCents: 20_000,
        currency: "EUR",
      },
      by(employee),
    );
    expect(spec("finance.purchase.request").output.parse(requested)).toEqual(requested);
    const decided = await actions["finance.purchase.approve"].run(
      { purchaseRequestId: requested.purchaseRequestId, approverId: approver.userId, decision: "approve" },
      by(approver),
    );
    expect(spec("finance.purchase.approve").output.parse(decided)).toEqual({
      purchaseRequestId: requested.purchaseRequestId,
      status: "approved",
    });
    const ordered = await actions["finance.purchase.order"].run(
      { purchaseRequestId: requested.purchaseRequestId, issuedById: admin.userId },
      by(admin),
    );
    expect(spec("finance.purchase.order").output.parse(ordered)).toEqual(ordered);
    expect(ordered).toMatchObject({ number: `PO-${YEAR}-0001`, amountCents: 20_000, committedCents: 20_000 });
    // Ordering the same request again is refused; the database holds one order per request.
    expect(
      (
        await caught(
          actions["finance.purchase.order"].run(
            { purchaseRequestId: requested.purchaseRequestId, issuedById: admin.userId },
            by(admin),
          ),
        )
      ).code,
    ).toBe("CONFLICT");
  });

  it("bad input writes nothing: schema errors, strangers, wrong names, self-approval, employees ordering", async () => {
    const filed = await actions["finance.expense.submit"].run(expenseInput(700), by(employee));
    const own = await actions["finance.expense.submit"].run(
      { ...expenseInput(800), submitterId: approver.userId, submitterName: "fin-connector approver" },
      by(approver),
    );
    const before = await footprint(tenant.id);
    const outsider = await createTestTenant(testDb(), "fin-outsider");
    const attempts: [string, () => Promise<unknown>][] = [
      ["zero amount", () => actions["finance.expense.submit"].run({ ...expenseInput(0) }, by(employee))],
      [
        "not a member",
        () =>
          actions["finance.expense.submit"].run(
            { ...expenseInput(100), submitterId: outsider.owner.userId },
            by(admin),
          ),
      ],
      [
        "wrong name",
        () =>
          actions["finance.expense.submit"].run(
            { ...expenseInput(100), submitterName: "Mallory" },
            by(employee),
          ),
      ],
      [
        "self-approval",
        () =>
          actions["finance.expense.approve"].run(
            { expenseId: own.expenseId, approverId: approver.userId, decision: "approve" },
            by(approver),
          ),
      ],
      [
        "reject without reason",
        () =>
          actions["finance.expense.approve"].run(
            { expenseId: filed.expenseId, approverId: approver.userId, decision: "reject" },
            by(approver),
          ),
      ],
      [
        "unknown vendor",
        () =>
          actions["finance.purchase.request"].run(
            {
              requesterId: employee.userId,
              vendorId: outsider.id,
              costCenterId: marketing,
              description: "x",
              amountCents: 5,
              currency: "EUR",
            },
            by(employee),
          ),
      ],
      [
        "employee orders",
        () =>
          actions["finance.purchase.order"].run(
            { purchaseRequestId: filed.expenseId, issuedById: employee.userId },
            by(employee),
          ),
      ],
    ];
    for (const [what, attempt] of attempts) {
      const error = await caught(attempt());
      expect(["BAD_REQUEST", "FORBIDDEN", "NOT_FOUND"], what).toContain(error.code);
    }
    expect(await footprint(tenant.id)).toEqual(before);
  });
});

describe("finance connector: a call acts for the person the kernel verified", () => {
  it("an agent acting for an employee cannot approve as the approver it names, nor as itself", async () => {
    const tenant = await createTestTenant(testDb(), "fin-actor");
    const employee = await tenant.add("employee");
    const colleague = await tenant.add("employee");
    const approver = await tenant.add("approver");
    const costCenterId = (
      await tenant.asOwner((c) =>
        createCostCenter(c, {
          code: "OPS",
          name: "Operations",
          annualBudgetCents: 90_000n,
          fiscalYear: YEAR,
        }),
      )
    ).id;
    const ctxFor = (user: TestUser, agentId: string | null = null) =>
      driverContext(testDb(), tenant.id, null, actingAs(user.userId, agentId, "Agent Expense bot (for E)"));
    const filed = await actions["finance.expense.submit"].run(
      {
        date: `${YEAR}-03-04`,
        merchant: "Lufthansa",
        amountCents: 12_000,
        currency: "EUR",
        category: "travel",
        costCenterId,
      },
      ctxFor(colleague),
    );
    const agent = ctxFor(employee, "7d3c1b2a-0000-4000-8000-00000000a9e1");
    const before = await footprint(tenant.id);

    const naming = await caught(
      actions["finance.expense.approve"].run(
        { expenseId: filed.expenseId, approverId: approver.userId, decision: "approve" },
        agent,
      ),
    );
    expect(naming.code).toBe("FORBIDDEN");
    expect(naming.fields).toHaveProperty("approverId");
    expect(naming.message).toContain("cannot act as another member");
    // The dry run an approver would see is refused the same way.
    expect(
      (
        await caught(
          actions["finance.expense.approve"].dryRun?.(
            { expenseId: filed.expenseId, approverId: approver.userId, decision: "approve" },
            agent,
          ) ?? Promise.resolve(),
        )
      ).code,
    ).toBe("FORBIDDEN");
    // Without a name it acts as the employee, who may not approve (nor even see a colleague's expense).
    expect(["FORBIDDEN", "NOT_FOUND"]).toContain(
      (
        await caught(
          actions["finance.expense.approve"].run({ expenseId: filed.expenseId, decision: "approve" }, agent),
        )
      ).code,
    );
    // Nor may the employee file an expense for someone else.
    expect(
      (
        await caught(
          actions["finance.expense.submit"].run(
            {
              submitterId: colleague.userId,
              date: `${YEAR}-03-04`,
              merchant: "Lufthansa",
              amountCents: 100,
              currency: "EUR",
              category: "travel",
              costCenterId,
            },
            agent,
          ),
        )
      ).code,
    ).toBe("FORBIDDEN");
    expect(await footprint(tenant.id)).toEqual(before);

    // The approver the agent named approves as themselves, naming themselves or no one.
    const approved = await actions["finance.expense.approve"].run(
      { expenseId: filed.expenseId, approverId: approver.userId, decision: "approve" },
      ctxFor(approver),
    );
    expect(approved.status).toBe("approved");
  });

  it("an owner or admin files for another member; the expense is that member's", async () => {
    const tenant = await createTestTenant(testDb(), "fin-behalf");
    const employee = await tenant.add("employee");
    const admin = await tenant.add("admin");
    const costCenterId = (
      await tenant.asOwner((c) =>
        createCostCenter(c, {
          code: "OPS",
          name: "Operations",
          annualBudgetCents: 90_000n,
          fiscalYear: YEAR,
        }),
      )
    ).id;
    const filed = await actions["finance.expense.submit"].run(
      {
        submitterId: employee.userId,
        submitterName: "fin-behalf employee",
        date: `${YEAR}-03-04`,
        merchant: "Lufthansa",
        amountCents: 100,
        currency: "EUR",
        category: "travel",
        costCenterId,
      },
      driverContext(testDb(), tenant.id, null, actingAs(admin.userId)),
    );
    const submitter = await withOwner(async (client) => {
      const { rows } = await client.query<{ submitter: string }>(
        "SELECT submitter_id::text AS submitter FROM finance.expense WHERE id = $1",
        [filed.expenseId],
      );
      return rows[0]?.submitter;
    });
    expect(submitter).toBe(employee.userId);
  });
});

/**
 * Through the kernel with the tenant's default policy pack: a purchase request whose resource says it
 * is over budget waits for an approver; the same request within budget goes through.
 */
describe("finance.purchase.request through the kernel", () => {
  // Registered exactly as connectors/index.ts registers an installed connector.
  const tools = createToolRegistry(toToolActions(financeManifest, financeDriver));
  const kernel = new Kernel({ db: testDb, tools, evaluator: new AccessEvaluator(), ...kernelDeps() });

  it("needs an approver when over budget, and is allowed within it", async () => {
    const tenant = await createTestTenant(testDb(), "fin-kernel");
    const employee = await tenant.add("employee");
    const costCenterId = (
      await tenant.asOwner((c) =>
        createCostCenter(c, { code: "MKT", name: "Marketing", annualBudgetCents: 50_000n, fiscalYear: YEAR }),
      )
    ).id;
    const vendorId = (await tenant.asOwner((c) => createVendor(c, { name: "Dell" }))).id;
    const asEmployee: KernelContext = {
      tenantId: tenant.id,
      principal: { type: "user", userId: employee.userId },
    };

    /** The syscall a workflow makes: overBudget from budgetFacts, as issue 7's workflows fill it. */
    const requestPurchase = async (amountCents: number) => {
      const facts = await withTenant(testDb(), { tenantId: tenant.id }, (tx) =>
        budgetFacts(tx, tenant.id, costCenterId, amountCents),
      );
      return kernel.call(asEmployee, {
        action: "finance.purchase.request",
        resource: {
          type: "PurchaseRequest",
          id: `new-${amountCents}`,
          attrs: { requesterId: employee.userId, amountCents, overBudget: facts.overBudget },
        },
        input: {
          requesterId: employee.userId,
          vendorId,
          costCenterId,
          description: "Monitors",
          amountCents,
          currency: "EUR",
        },
      });
    };

    const before = await footprint(tenant.id);
    const over = await requestPurchase(60_000);
    expect(over).toMatchObject({
      status: "approval_required",
      approvers: ["role:approver"],
      reasons: ["over-budget-purchase-needs-approver"],
    });
    const after = await footprint(tenant.id);
    expect(after?.requests).toBe(before?.requests);

    // The preview an approver sees: the dry run, in a READ ONLY transaction, with the budget warning.
    const preview = await kernel.preview(asEmployee, {
      action: "finance.purchase.request",
      resource: {
        type: "PurchaseRequest",
        id: "new-preview",
        attrs: { requesterId: employee.userId, amountCents: 60_000, overBudget: true },
      },
      input: {
        requesterId: employee.userId,
        vendorId,
        costCenterId,
        description: "Monitors",
        amountCents: 60_000,
        currency: "EUR",
      },
    });
    expect(preview).toMatchObject({
      description: "Request purchase €600.00: Monitors",
      reversible: false,
      decision: { decision: "require-approval", approvers: ["role:approver"] },
      changes: [{ op: "create", object: "Purchase €600.00 from Dell: Monitors" }],
    });
    expect(preview.warnings[0]).toMatch(/^Cost center Marketing would be €100\.00 over budget/);
    expect((await footprint(tenant.id))?.requests).toBe(before?.requests);

    const within = await requestPurchase(40_000);
    expect(within).toMatchObject({ status: "succeeded", reasons: ["request-own-purchase"] });
    expect(within.status === "succeeded" && within.output).toMatchObject({
      status: "requested",
      overBudget: false,
    });

    // An approver's preview of approving an expense: the journal lines, computed in a READ ONLY transaction.
    const approver = await tenant.add("approver");
    const filed = await kernel.call(asEmployee, {
      action: "finance.expense.submit",
      resource: {
        type: "Expense",
        id: "new-expense",
        attrs: { submitterId: employee.userId, amountCents: 4250 },
      },
      input: {
        submitterId: employee.userId,
        date: `${YEAR}-02-03`,
        merchant: "Deutsche Bahn",
        amountCents: 4250,
        currency: "EUR",
        category: "travel",
        costCenterId,
      },
    });
    const expenseId = filed.status === "succeeded" ? expenseSubmitOutput.parse(filed.output).expenseId : "";
    expect(filed.status).toBe("succeeded");
    const approval = await kernel.preview(
      { tenantId: tenant.id, principal: { type: "user", userId: approver.userId } },
      {
        action: "finance.expense.approve",
        resource: {
          type: "Expense",
          id: expenseId,
          attrs: { submitterId: employee.userId, amountCents: 4250 },
        },
        input: { expenseId, approverId: approver.userId },
      },
    );
    expect(approval.decision).toMatchObject({ decision: "allow", reasons: ["approver-approves-expenses"] });
    expect(approval.changes.map((c) => `${c.op} ${c.object}`)).toContain(
      "create Journal entry: Expense €42.50 at Deutsche Bahn",
    );
  });
});
