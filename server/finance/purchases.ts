import { z } from "zod";
import { sqlOf } from "@/server/db/sql";
import { AppError, checkedId, fieldError, notFound, parsed } from "@/server/errors";
import { appendAudit, userActor } from "@/server/kernel/audit/log";
import type { TenantContext } from "@/server/tenancy/context";
import { accountsPayable, purchasesAccount } from "./accounts";
import { budgetFacts, type BudgetFacts } from "./budget";
import { currencyCode, positiveCents, reasonInput } from "./expenses";

import { FINANCE_APPROVERS, FINANCE_MANAGERS } from "./members";
import { formatMoney } from "./money";
import { planPosting, postPlanned, type PlannedLine, type PostingPlan } from "./posting";
import { getVendor } from "./vendors";

/**
 * Purchases: anyone requests one from a vendor against a cost center (whether it takes the cost
 * center past its budget, counting what issued orders already committed, is recorded with it and
 * drives the approval policies); an approver, owner or admin approves or rejects it; an owner or admin
 * issues the purchase order (numbered PO-<year>-0001 per tenant and year), which commits the amount
 * against the budget; receiving the goods turns the commitment into a posted ledger entry. One order
 * per request, which the database enforces, so two agents cannot order one request twice.
 */

export const purchaseRequestInput = z.object({
  vendorId: z.uuid("Choose a vendor"),
  costCenterId: z.uuid("Choose a cost center"),
  description: z.string().trim().min(1, "Say what is bought").max(2000, "Use at most 2000 characters"),
  amountCents: positiveCents,
  currency: currencyCode,
});
export type PurchaseRequestInput = z.input<typeof purchaseRequestInput>;

export type PurchaseRequestStatus = "requested" | "approved" | "rejected" | "ordered" | "cancelled";

export type PurchaseRequest = {
  id: string;
  requesterId: string;
  vendorId: string;
  costCenterId: string;
  description: string;
  amountCents: bigint;
  currency: string;
  status: PurchaseRequestStatus;
  overBudget: boolean;
  decidedById: string | null;
  decidedAt: Date | null;
  reason: string | null;
};

type RequestRow = {
  id: string;
  requester_id: string;
  vendor_id: string;
  cost_center_id: string;
  description: string;
  amount_cents: string;
  currency: string;
  status: PurchaseRequestStatus;
  over_budget: boolean;
  decided_by: string | null;
  decided_at: string | null;
  reason: string | null;
};

const REQUEST_COLUMNS = `id::text, requester_id::text, vendor_id::text, cost_center_id::text, description,
  amount_cents::text, currency::text, status, over_budget, decided_by::text, decided_at::text, reason`;

const toRequest = (row: RequestRow): PurchaseRequest => ({
  id: row.id,
  requesterId: row.requester_id,
  vendorId: row.vendor_id,
  costCenterId: row.cost_center_id,
  description: row.description,
  amountCents: BigInt(row.amount_cents),
  currency: row.currency,
  status: row.status,
  overBudget: row.over_budget,
  decidedById: row.decided_by,
  decidedAt: row.decided_at === null ? null : new Date(row.decided_at),
  reason: row.reason,
});

export type PurchaseOrder = {
  id: string;
  requestId: string;
  vendorId: string;
  number: string;
  issuedById: string;
  issuedAt: Date;
  amountCents: bigint;
  currency: string;
  status: "issued" | "received" | "cancelled";
  receivedAt: Date | null;
  journalEntryId: string | null;
};

type OrderRow = {
  id: string;
  request_id: string;
  vendor_id: string;
  number: string;
  issued_by: string;
  issued_at: string;
  amount_cents: string;
  currency: string;
  status: PurchaseOrder["status"];
  received_at: string | null;
  journal_entry_id: string | null;
};

const orderColumns = (o = "") =>
  `${o}id::text AS id, ${o}request_id::text AS request_id, ${o}vendor_id::text AS vendor_id, ${o}number,
   ${o}issued_by::text AS issued_by, ${o}issued_at::text AS issued_at, ${o}amount_cents::text AS amount_cents,
   ${o}currency::text AS currency, ${o}status, ${o}received_at::text AS received_at,
   ${o}journal_entry_id::text AS journal_entry_id`;
const ORDER_COLUMNS = orderColumns();

const toOrder = (row: OrderRow): PurchaseOrder => ({
  id: row.id,
  requestId: row.request_id,
  vendorId: row.vendor_id,
  number: row.number,
  issuedById: row.issued_by,
  issuedAt: new Date(row.issued_at),
  amountCents: BigInt(row.amount_cents),
  currency: row.currency,
  status: row.status,
  receivedAt: row.received_at === null ? null : new Date(row.received_at),
  journalEntryId: row.journal_entry_id,
});

/** "Purchase €1,200.00 from Dell: 2 monitors". */
export const purchaseLabel = (
  r: Pick<PurchaseRequest, "amountCents" | "currency" | "description">,
  vendor?: string,
) =>
  `Purchase ${formatMoney(r.amountCents, r.currency)}${vendor ? ` from ${vendor}` : ""}: ${r.description.slice(0, 80)}`;

const isApprover = (ctx: TenantContext) => FINANCE_APPROVERS.includes(ctx.actor.role);
const isManager = (ctx: TenantContext) => FINANCE_MANAGERS.includes(ctx.actor.role);

async function audit(
  ctx: TenantContext,
  action: string,
  resource: { type: string; id: string; label: string },
  detail: Record<string, string | number | boolean>,
  outcome: "succeeded" | "approved" | "rejected" = "succeeded",
) {
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action,
    resource,
    outcome,
    detail,
  });
}

/** A request of this tenant the actor may see: their own, or any if they decide on or order purchases. */
export async function loadPurchaseRequest(
  ctx: TenantContext,
  id: string,
  forUpdate = false,
): Promise<PurchaseRequest> {
  checkedId(id, "Purchase request");
  const [row] = await sqlOf(ctx.db).query<RequestRow>(
    `SELECT ${REQUEST_COLUMNS} FROM finance.purchase_request WHERE tenant_id = $1::uuid AND id = $2::uuid
     ${forUpdate ? "FOR UPDATE" : ""}`,
    [ctx.tenantId, id],
  );
  if (!row) throw notFound("Purchase request not found");
  const request = toRequest(row);
  if (request.requesterId !== ctx.actor.userId && !isApprover(ctx))
    throw notFound("Purchase request not found");
  return request;
}

/** Validates a request against the tenant's vendors and cost centers, and computes its budget position. */
export async function previewPurchaseRequest(
  ctx: TenantContext,
  input: PurchaseRequestInput,
): Promise<{
  request: z.output<typeof purchaseRequestInput>;
  vendor: { id: string; name: string };
  budget: BudgetFacts;
}> {
  const request = parsed(purchaseRequestInput, input);
  const vendor = await getVendor(ctx, request.vendorId).catch((error: unknown) => {
    if (error instanceof AppError && error.code === "NOT_FOUND")
      throw fieldError("vendorId", "Vendor not found");
    throw error;
  });
  if (!vendor.active) throw fieldError("vendorId", `${vendor.name} is no longer an active vendor`);
  const budget = await budgetFacts(ctx.db, ctx.tenantId, request.costCenterId, request.amountCents).catch(
    (error: unknown) => {
      if (error instanceof AppError && error.code === "NOT_FOUND")
        throw fieldError("costCenterId", "Cost center not found");
      throw error;
    },
  );
  return { request, vendor: { id: vendor.id, name: vendor.name }, budget };
}

/**
 * Requests a purchase for the actor. `overBudget` is fixed now: the cost center's spending plus open
 * commitments plus this amount, against its annual budget.
 */
export async function createPurchaseRequest(
  ctx: TenantContext,
  input: PurchaseRequestInput,
): Promise<{ request: PurchaseRequest; budget: BudgetFacts }> {
  const { request, vendor, budget } = await previewPurchaseRequest(ctx, input);
  const [row] = await sqlOf(ctx.db).query<RequestRow>(
    `INSERT INTO finance.purchase_request (tenant_id, requester_id, vendor_id, cost_center_id, description,
                                           amount_cents, currency, over_budget)
     VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid, $5, $6::bigint, $7, $8::boolean)
     RETURNING ${REQUEST_COLUMNS}`,
    [
      ctx.tenantId,
      ctx.actor.userId,
      request.vendorId,
      request.costCenterId,
      request.description,
      request.amountCents.toString(),
      request.currency,
      budget.overBudget,
    ],
  );
  if (!row) throw new AppError("INTERNAL", "The purchase request was not recorded");
  const created = toRequest(row);
  await audit(
    ctx,
    "finance.purchase_requested",
    { type: "purchase_request", id: created.id, label: purchaseLabel(created, vendor.name) },
    {
      amountCents: created.amountCents.toString(),
      currency: created.currency,
      vendor: vendor.name,
      costCenter: budget.costCenter.code,
      overBudget: budget.overBudget,
    },
  );
  return { request: created, budget };
}

function checkDecider(ctx: TenantContext, request: PurchaseRequest, verb: string): void {
  if (!isApprover(ctx))
    throw new AppError("FORBIDDEN", `Your role (${ctx.actor.role}) cannot ${verb} purchases`);
  if (request.requesterId === ctx.actor.userId)
    throw new AppError("FORBIDDEN", `Nobody can ${verb} their own purchase request`);
  if (request.status !== "requested")
    throw new AppError("CONFLICT", `Only a pending request can be decided; this one is ${request.status}`);
}

/** Refuses what deciding would refuse, with reads only (previews); the request and its vendor's name. */
export async function planPurchaseDecision(
  ctx: TenantContext,
  id: string,
  decision: { approve: true } | { approve: false; reason: string },
): Promise<{ request: PurchaseRequest; vendor: string }> {
  if (!decision.approve) parsed(reasonInput, decision.reason);
  const request = await loadPurchaseRequest(ctx, id);
  checkDecider(ctx, request, decision.approve ? "approve" : "reject");
  return { request, vendor: (await getVendor(ctx, request.vendorId)).name };
}

/** Approves or rejects (with a reason) a pending purchase request. */
export async function decidePurchaseRequest(
  ctx: TenantContext,
  id: string,
  decision: { approve: true } | { approve: false; reason: string },
): Promise<PurchaseRequest> {
  const reason = decision.approve ? null : parsed(reasonInput, decision.reason);
  const request = await loadPurchaseRequest(ctx, id, true);
  checkDecider(ctx, request, decision.approve ? "approve" : "reject");
  const [row] = await sqlOf(ctx.db).query<RequestRow>(
    `UPDATE finance.purchase_request
        SET status = $3, decided_by = $4::uuid, decided_at = now(), reason = $5, updated_at = now()
      WHERE tenant_id = $1::uuid AND id = $2::uuid AND status = 'requested'
      RETURNING ${REQUEST_COLUMNS}`,
    [ctx.tenantId, request.id, decision.approve ? "approved" : "rejected", ctx.actor.userId, reason],
  );
  if (!row) throw new AppError("CONFLICT", "This request was decided meanwhile");
  const decided = toRequest(row);
  await audit(
    ctx,
    decision.approve ? "finance.purchase_approved" : "finance.purchase_rejected",
    { type: "purchase_request", id: decided.id, label: purchaseLabel(decided) },
    {
      amountCents: decided.amountCents.toString(),
      currency: decided.currency,
      ...(reason ? { reason } : {}),
    },
    decision.approve ? "approved" : "rejected",
  );
  return decided;
}

function checkOrderable(ctx: TenantContext, request: PurchaseRequest): void {
  if (!isManager(ctx)) throw new AppError("FORBIDDEN", "Only owners and admins issue purchase orders");
  if (request.status === "ordered") throw new AppError("CONFLICT", "This request was already ordered");
  if (request.status !== "approved")
    throw new AppError("CONFLICT", `Only an approved request can be ordered; this one is ${request.status}`);
}

/** What issuing the order would do, with reads only: the vendor, the number it would likely get, the budget. */
export async function planPurchaseOrder(
  ctx: TenantContext,
  requestId: string,
): Promise<{ request: PurchaseRequest; vendor: string; nextNumber: string; budget: BudgetFacts }> {
  const request = await loadPurchaseRequest(ctx, requestId);
  checkOrderable(ctx, request);
  const vendor = await getVendor(ctx, request.vendorId);
  const year = new Date().getUTCFullYear();
  const [counter] = await sqlOf(ctx.db).query<{ last_number: string }>(
    `SELECT last_number::text FROM finance.po_counter WHERE tenant_id = $1::uuid AND year = $2::integer`,
    [ctx.tenantId, year],
  );
  const budget = await budgetFacts(ctx.db, ctx.tenantId, request.costCenterId, request.amountCents);
  return {
    request,
    vendor: vendor.name,
    nextNumber: poNumber(year, Number(counter?.last_number ?? 0) + 1),
    budget,
  };
}

const poNumber = (year: number, n: number) => `PO-${year}-${String(n).padStart(4, "0")}`;

/**
 * Issues the purchase order for an approved request and commits its amount against the cost
 * center's budget. The request row is locked, and the database allows one order per request, so a
 * second order of the same request is a CONFLICT however it arrives.
 */
export async function issuePurchaseOrder(
  ctx: TenantContext,
  requestId: string,
): Promise<{ order: PurchaseOrder; request: PurchaseRequest; budget: BudgetFacts }> {
  const request = await loadPurchaseRequest(ctx, requestId, true);
  checkOrderable(ctx, request);
  const vendor = await getVendor(ctx, request.vendorId);
  const sql = sqlOf(ctx.db);
  const year = new Date().getUTCFullYear();
  // The counter row is locked until commit: concurrent orders take consecutive numbers, without gaps.
  const [counter] = await sql.query<{ last_number: string }>(
    `INSERT INTO finance.po_counter (tenant_id, year, last_number) VALUES ($1::uuid, $2::integer, 1)
     ON CONFLICT (tenant_id, year) DO UPDATE SET last_number = finance.po_counter.last_number + 1
     RETURNING last_number::text`,
    [ctx.tenantId, year],
  );
  const number = poNumber(year, Number(counter?.last_number ?? 1));
  const [row] = await sql.query<OrderRow>(
    `INSERT INTO finance.purchase_order (tenant_id, request_id, vendor_id, number, issued_by, amount_cents, currency)
     VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5::uuid, $6::bigint, $7)
     RETURNING ${ORDER_COLUMNS}`,
    [
      ctx.tenantId,
      request.id,
      request.vendorId,
      number,
      ctx.actor.userId,
      request.amountCents.toString(),
      request.currency,
    ],
  );
  if (!row) throw new AppError("INTERNAL", "The purchase order was not recorded");
  const order = toOrder(row);
  await sql.query(
    `INSERT INTO finance.budget_commitment (tenant_id, cost_center_id, purchase_order_id, amount_cents)
     VALUES ($1::uuid, $2::uuid, $3::uuid, $4::bigint)`,
    [ctx.tenantId, request.costCenterId, order.id, order.amountCents.toString()],
  );
  const [ordered] = await sql.query<RequestRow>(
    `UPDATE finance.purchase_request SET status = 'ordered', updated_at = now()
      WHERE tenant_id = $1::uuid AND id = $2::uuid AND status = 'approved' RETURNING ${REQUEST_COLUMNS}`,
    [ctx.tenantId, request.id],
  );
  if (!ordered) throw new AppError("CONFLICT", "This request was ordered meanwhile");
  const budget = await budgetFacts(ctx.db, ctx.tenantId, request.costCenterId, 0n);
  await audit(
    ctx,
    "finance.purchase_ordered",
    { type: "purchase_order", id: order.id, label: `${order.number} ${purchaseLabel(request, vendor.name)}` },
    {
      number: order.number,
      requestId: request.id,
      amountCents: order.amountCents.toString(),
      currency: order.currency,
      vendor: vendor.name,
    },
  );
  return { order, request: toRequest(ordered), budget };
}

/** An order of this tenant with its request's cost center; locked for the transaction when `forUpdate`. */
async function loadOrder(
  ctx: TenantContext,
  id: string,
  forUpdate: boolean,
): Promise<PurchaseOrder & { costCenterId: string }> {
  checkedId(id, "Purchase order");
  const [row] = await sqlOf(ctx.db).query<OrderRow & { cost_center_id: string }>(
    `SELECT ${orderColumns("o.")}, r.cost_center_id::text AS cost_center_id
       FROM finance.purchase_order o
       JOIN finance.purchase_request r ON r.tenant_id = o.tenant_id AND r.id = o.request_id
      WHERE o.tenant_id = $1::uuid AND o.id = $2::uuid
      ${forUpdate ? "FOR UPDATE OF o" : ""}`,
    [ctx.tenantId, id],
  );
  if (!row) throw notFound("Purchase order not found");
  return { ...toOrder(row), costCenterId: row.cost_center_id };
}

const receiptLines = (order: PurchaseOrder, costCenterId: string): PlannedLine[] => [
  { account: purchasesAccount(order.currency), costCenterId, debitCents: order.amountCents, creditCents: 0n },
  {
    account: accountsPayable(order.currency),
    costCenterId: null,
    debitCents: 0n,
    creditCents: order.amountCents,
  },
];

/** What receiving an order would post, with reads only. */
export async function planReceipt(ctx: TenantContext, orderId: string): Promise<PostingPlan> {
  if (!isManager(ctx)) throw new AppError("FORBIDDEN", "Only owners and admins receive purchase orders");
  const order = await loadOrder(ctx, orderId, false);
  return planPosting(ctx, receiptLines(order, order.costCenterId));
}

/**
 * Records that an order's goods arrived: posts the purchase (debit Purchases on the cost center, credit
 * Accounts payable), and releases the commitment in the same transaction, so the budget counts the
 * amount exactly once throughout.
 */
export async function receivePurchaseOrder(ctx: TenantContext, orderId: string): Promise<PurchaseOrder> {
  if (!isManager(ctx)) throw new AppError("FORBIDDEN", "Only owners and admins receive purchase orders");
  const order = await loadOrder(ctx, orderId, true);
  if (order.status !== "issued")
    throw new AppError(
      "CONFLICT",
      `Only an issued order can be received; ${order.number} is ${order.status}`,
    );
  const entry = await postPlanned(
    ctx,
    {
      date: new Date().toISOString().slice(0, 10),
      memo: `${order.number} received (${formatMoney(order.amountCents, order.currency)})`,
      source: `purchase-order:${order.id}`,
    },
    receiptLines(order, order.costCenterId),
  );
  const sql = sqlOf(ctx.db);
  const [row] = await sql.query<OrderRow>(
    `UPDATE finance.purchase_order SET status = 'received', received_at = now(), journal_entry_id = $3::uuid
      WHERE tenant_id = $1::uuid AND id = $2::uuid AND status = 'issued' RETURNING ${ORDER_COLUMNS}`,
    [ctx.tenantId, order.id, entry.id],
  );
  if (!row) throw new AppError("CONFLICT", `${order.number} was received meanwhile`);
  await sql.query(
    `UPDATE finance.budget_commitment SET released_at = now()
      WHERE tenant_id = $1::uuid AND purchase_order_id = $2::uuid AND released_at IS NULL`,
    [ctx.tenantId, order.id],
  );
  const received = toOrder(row);
  await audit(
    ctx,
    "finance.purchase_received",
    { type: "purchase_order", id: received.id, label: received.number },
    { journalEntryId: entry.id, amountCents: received.amountCents.toString(), currency: received.currency },
  );
  return received;
}

/** Cancels an issued order that will not be delivered, releasing its commitment. Nothing is posted. */
export async function cancelPurchaseOrder(
  ctx: TenantContext,
  orderId: string,
  reason: string,
): Promise<PurchaseOrder> {
  if (!isManager(ctx)) throw new AppError("FORBIDDEN", "Only owners and admins cancel purchase orders");
  const why = parsed(reasonInput, reason);
  const order = await loadOrder(ctx, orderId, true);
  if (order.status !== "issued")
    throw new AppError(
      "CONFLICT",
      `Only an issued order can be cancelled; ${order.number} is ${order.status}`,
    );
  const sql = sqlOf(ctx.db);
  const [row] = await sql.query<OrderRow>(
    `UPDATE finance.purchase_order SET status = 'cancelled'
      WHERE tenant_id = $1::uuid AND id = $2::uuid AND status = 'issued' RETURNING ${ORDER_COLUMNS}`,
    [ctx.tenantId, order.id],
  );
  if (!row) throw new AppError("CONFLICT", `${order.number} changed meanwhile`);
  await sql.query(
    `UPDATE finance.budget_commitment SET released_at = now()
      WHERE tenant_id = $1::uuid AND purchase_order_id = $2::uuid AND released_at IS NULL`,
    [ctx.tenantId, order.id],
  );
  const cancelled = toOrder(row);
  await audit(
    ctx,
    "finance.purchase_order_cancelled",
    { type: "purchase_order", id: cancelled.id, label: cancelled.number },
    { reason: why },
  );
  return cancelled;
}
