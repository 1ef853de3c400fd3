import { z } from "zod";
import { sqlOf } from "@/server/db/sql";
import { AppError, checkedId, notFound, parsed } from "@/server/errors";
import { appendAudit, userActor } from "@/server/kernel/audit/log";
import type { TenantContext } from "@/server/tenancy/context";
import { isUniqueViolation } from "@/server/tenancy/tenants";

import { FINANCE_MANAGERS } from "./members";

/**
 * Vendors the tenant buys from. Owners and admins keep the list; anyone may read it (to pick one in a
 * purchase request). A vendor is deactivated rather than deleted: requests and orders name it.
 */

const vendorFields = {
  name: z.string().trim().min(1, "Name the vendor").max(200, "Use at most 200 characters"),
  taxId: z.string().trim().min(1).max(50, "Use at most 50 characters").nullish(),
  email: z.email("Use an email address").max(320).nullish(),
  paymentTermsDays: z
    .number()
    .int("Use whole days")
    .min(0, "Cannot be negative")
    .max(365, "Use at most 365 days"),
};

export const vendorInput = z.object({
  ...vendorFields,
  paymentTermsDays: vendorFields.paymentTermsDays.optional(),
});
export const vendorUpdateInput = z
  .object({
    name: vendorFields.name.optional(),
    taxId: vendorFields.taxId,
    email: vendorFields.email,
    paymentTermsDays: vendorFields.paymentTermsDays.optional(),
    active: z.boolean().optional(),
  })
  .refine((v) => Object.values(v).some((value) => value !== undefined), { message: "Change something" });

export type Vendor = {
  id: string;
  name: string;
  taxId: string | null;
  email: string | null;
  paymentTermsDays: number;
  active: boolean;
};

type VendorRow = {
  id: string;
  name: string;
  tax_id: string | null;
  email: string | null;
  payment_terms_days: string;
  active: boolean;
};

const COLUMNS = `id::text, name, tax_id, email, payment_terms_days::text, active`;

const toVendor = (row: VendorRow): Vendor => ({
  id: row.id,
  name: row.name,
  taxId: row.tax_id,
  email: row.email,
  paymentTermsDays: Number(row.payment_terms_days),
  active: row.active,
});

function requireManager(ctx: TenantContext): void {
  if (!FINANCE_MANAGERS.includes(ctx.actor.role))
    throw new AppError("FORBIDDEN", "Only owners and admins manage vendors");
}

const nameTaken = (name: string) =>
  new AppError("CONFLICT", `There is already a vendor named ${name}`, {
    fields: { name: [`There is already a vendor named ${name}`] },
  });

/** A vendor of this tenant; another tenant's id is not found. */
export async function getVendor(ctx: TenantContext, id: string): Promise<Vendor> {
  checkedId(id, "Vendor");
  const [row] = await sqlOf(ctx.db).query<VendorRow>(
    `SELECT ${COLUMNS} FROM finance.vendor WHERE tenant_id = $1::uuid AND id = $2::uuid`,
    [ctx.tenantId, id],
  );
  if (!row) throw notFound("Vendor not found");
  return toVendor(row);
}

export async function listVendors(
  ctx: TenantContext,
  input: { includeInactive?: boolean } = {},
): Promise<Vendor[]> {
  const rows = await sqlOf(ctx.db).query<VendorRow>(
    `SELECT ${COLUMNS} FROM finance.vendor WHERE tenant_id = $1::uuid AND ($2::boolean OR active)
      ORDER BY lower(name)`,
    [ctx.tenantId, input.includeInactive ?? false],
  );
  return rows.map(toVendor);
}

async function audit(
  ctx: TenantContext,
  action: string,
  vendor: Vendor,
  detail: Record<string, string | number | boolean | null>,
) {
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action,
    resource: { type: "vendor", id: vendor.id, label: vendor.name },
    outcome: "succeeded",
    detail,
  });
}

export async function createVendor(ctx: TenantContext, input: z.input<typeof vendorInput>): Promise<Vendor> {
  requireManager(ctx);
  const vendor = parsed(vendorInput, input);
  const [taken] = await sqlOf(ctx.db).query<{ id: string }>(
    `SELECT id::text FROM finance.vendor WHERE tenant_id = $1::uuid AND lower(name) = lower($2)`,
    [ctx.tenantId, vendor.name],
  );
  if (taken) throw nameTaken(vendor.name);
  let row: VendorRow | undefined;
  try {
    [row] = await sqlOf(ctx.db).query<VendorRow>(
      `INSERT INTO finance.vendor (tenant_id, name, tax_id, email, payment_terms_days)
       VALUES ($1::uuid, $2, $3, $4, $5::integer) RETURNING ${COLUMNS}`,
      [ctx.tenantId, vendor.name, vendor.taxId ?? null, vendor.email ?? null, vendor.paymentTermsDays ?? 30],
    );
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(vendor.name);
    throw error;
  }
  if (!row) throw new AppError("INTERNAL", "The vendor was not recorded");
  const created = toVendor(row);
  await audit(ctx, "finance.vendor_created", created, {
    name: created.name,
    paymentTermsDays: created.paymentTermsDays,
  });
  return created;
}

/** Changes a vendor's details or deactivates it (`active: false`); an inactive vendor takes no new requests. */
export async function updateVendor(
  ctx: TenantContext,
  id: string,
  input: z.input<typeof vendorUpdateInput>,
): Promise<Vendor> {
  requireManager(ctx);
  const change = parsed(vendorUpdateInput, input);
  const before = await getVendor(ctx, id);
  if (change.name !== undefined && change.name.toLowerCase() !== before.name.toLowerCase()) {
    const [taken] = await sqlOf(ctx.db).query<{ id: string }>(
      `SELECT id::text FROM finance.vendor WHERE tenant_id = $1::uuid AND lower(name) = lower($2)`,
      [ctx.tenantId, change.name],
    );
    if (taken) throw nameTaken(change.name);
  }
  const after: Vendor = {
    ...before,
    name: change.name ?? before.name,
    taxId: change.taxId === undefined ? before.taxId : change.taxId,
    email: change.email === undefined ? before.email : change.email,
    paymentTermsDays: change.paymentTermsDays ?? before.paymentTermsDays,
    active: change.active ?? before.active,
  };
  const [row] = await sqlOf(ctx.db).query<VendorRow>(
    `UPDATE finance.vendor SET name = $3, tax_id = $4, email = $5, payment_terms_days = $6::integer,
            active = $7::boolean, updated_at = now()
      WHERE tenant_id = $1::uuid AND id = $2::uuid RETURNING ${COLUMNS}`,
    [ctx.tenantId, before.id, after.name, after.taxId, after.email, after.paymentTermsDays, after.active],
  );
  if (!row) throw notFound("Vendor not found");
  const updated = toVendor(row);
  const changed: Record<string, string | number | boolean | null> = {};
  for (const key of ["name", "taxId", "email", "paymentTermsDays", "active"] as const) {
    if (before[key] !== updated[key]) changed[key] = updated[key];
  }
  await audit(
    ctx,
    updated.active ? "finance.vendor_updated" : "finance.vendor_deactivated",
    updated,
    changed,
  );
  return updated;
}
