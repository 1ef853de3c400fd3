import { z } from "zod";
import type { Tx } from "@/server/db/client";
import { hasSqlState, sqlOf, UNIQUE_VIOLATION } from "@/server/db/sql";
import { AppError, checkedId, notFound, parsed } from "@/server/errors";
import { toCsv } from "@/server/finance/csv";
import { appendAudit, userActor } from "@/server/kernel/audit/log";
import type { Actor } from "@/server/tenancy/context";
import type { Role } from "@/server/tenancy/roles";
import {
  assignDeviceInput,
  conditionNotes,
  DEVICE_KINDS,
  DEVICE_STATUSES,
  deviceKind,
  returnDeviceInput,
  type DeviceKind,
  type DeviceStatus,
} from "./devices-schemas";

export {
  assignDeviceInput,
  DEVICE_KINDS,
  DEVICE_STATUSES,
  returnDeviceInput,
  type DeviceKind,
  type DeviceStatus,
};

/**
 * The tenant's IT asset inventory: devices, and who has each one (migration …_it_assets). A device is
 * with at most one person at a time (a partial unique index decides between two concurrent
 * assignments), and its status says `assigned` exactly when it is (a trigger checks at commit).
 *
 * `actor` is the person acting, whose role decides what they may do and who is recorded as doing it.
 * Calls through the `it` connector act as the person the kernel verified (an agent's acting-for
 * person) and are marked `byKernel`: the kernel audits them itself, so these functions append no entry
 * of their own. `actor` null is a system change with no person behind it: no role is checked and
 * none is recorded. A TenantContext fits as it is.
 */
export type ItContext = {
  tenantId: string;
  db: Tx;
  actor: Actor | null;
  syscallId?: string;
  byKernel?: boolean;
  /** Approvals the kernel verified for this call (a device an admin approved for a new hire). */
  approvedBy?: readonly string[];
};

const IT_MANAGERS: readonly Role[] = ["owner", "admin"];
const isItManager = (ctx: ItContext) =>
  ctx.actor === null ||
  IT_MANAGERS.includes(ctx.actor.role) ||
  (ctx.byKernel === true && (ctx.approvedBy ?? []).includes("role:admin"));

function requireItManager(ctx: ItContext): void {
  if (!isItManager(ctx)) throw new AppError("FORBIDDEN", "Only owners and admins can manage devices");
}

const isoDate = z.iso.date("Use a date as YYYY-MM-DD");
const notes = conditionNotes;

const deviceFields = {
  assetTag: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, "Use up to 40 letters, digits, '.', '_' or '-'"),
  kind: deviceKind,
  model: z.string().trim().min(1, "Give the model").max(200, "Use at most 200 characters"),
  serial: z.string().trim().min(1).max(100, "Use at most 100 characters").nullish(),
  purchasedAt: isoDate.nullish(),
  warrantyUntil: isoDate.nullish(),
  notes: notes.optional(),
};

const warrantyAfterPurchase = (d: { purchasedAt?: string | null; warrantyUntil?: string | null }) =>
  !d.purchasedAt || !d.warrantyUntil || d.warrantyUntil >= d.purchasedAt;
const WARRANTY_MESSAGE = { message: "The warranty cannot end before the purchase", path: ["warrantyUntil"] };

export const createDeviceInput = z.object(deviceFields).refine(warrantyAfterPurchase, WARRANTY_MESSAGE);

export const updateDeviceInput = z.object({
  id: z.string(),
  assetTag: deviceFields.assetTag.optional(),
  kind: deviceFields.kind.optional(),
  model: deviceFields.model.optional(),
  /** Absent: unchanged; null: cleared. */
  serial: deviceFields.serial,
  purchasedAt: deviceFields.purchasedAt,
  warrantyUntil: deviceFields.warrantyUntil,
  notes: deviceFields.notes,
  // `assigned` only comes from an assignment.
  status: z.enum(["in_stock", "repair", "retired"], "Choose in_stock, repair or retired").optional(),
});

export type DeviceView = {
  id: string;
  assetTag: string;
  kind: DeviceKind;
  model: string;
  serial: string | null;
  status: DeviceStatus;
  purchasedAt: string | null;
  warrantyUntil: string | null;
  notes: string;
  /** Who has it now: their account, their HR record (a new hire may have only that), or both. */
  holder: {
    userId: string | null;
    employeeId: string | null;
    name: string;
    email: string;
    since: Date;
  } | null;
  createdAt: Date;
  updatedAt: Date;
};

export type AssignmentView = {
  id: string;
  deviceId: string;
  assetTag: string;
  /** The holder: `id` is their account, `employeeId` their HR record; at least one is set. */
  user: { id: string | null; employeeId: string | null; name: string; email: string };
  assignedAt: Date;
  returnedAt: Date | null;
  conditionOut: string;
  conditionIn: string | null;
};

type DeviceRow = {
  id: string;
  asset_tag: string;
  kind: DeviceKind;
  model: string;
  serial: string | null;
  status: DeviceStatus;
  purchased_at: string | null;
  warranty_until: string | null;
  notes: string;
  holder_id: string | null;
  holder_employee_id: string | null;
  holder_name: string | null;
  holder_email: string | null;
  holder_since: Date | null;
  created_at: Date;
  updated_at: Date;
};

const DEVICE_SELECT = `
  SELECT d.id::text, d.asset_tag, d.kind, d.model, d.serial, d.status,
         to_char(d.purchased_at, 'YYYY-MM-DD') AS purchased_at,
         to_char(d.warranty_until, 'YYYY-MM-DD') AS warranty_until, d.notes,
         a.user_id::text AS holder_id, a.employee_id::text AS holder_employee_id,
         coalesce(u.name, e.given_name || ' ' || e.family_name) AS holder_name,
         coalesce(u.email, e.work_email) AS holder_email, a.assigned_at AS holder_since,
         d.created_at, d.updated_at
    FROM it.device d
    LEFT JOIN it.device_assignment a ON a.device_id = d.id AND a.returned_at IS NULL
    LEFT JOIN public."User" u ON u.id = a.user_id
    LEFT JOIN hr.employee e ON e.tenant_id = a.tenant_id AND e.id = a.employee_id`;

const toDevice = (r: DeviceRow): DeviceView => ({
  id: r.id,
  assetTag: r.asset_tag,
  kind: r.kind,
  model: r.model,
  serial: r.serial,
  status: r.status,
  purchasedAt: r.purchased_at,
  warrantyUntil: r.warranty_until,
  notes: r.notes,
  holder: r.holder_since
    ? {
        userId: r.holder_id,
        employeeId: r.holder_employee_id,
        name: r.holder_name ?? "",
        email: r.holder_email ?? "",
        since: r.holder_since,
      }
    : null,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

async function loadDevice(ctx: ItContext, id: string): Promise<DeviceView> {
  const [row] = await sqlOf(ctx.db).query<DeviceRow>(
    `${DEVICE_SELECT} WHERE d.tenant_id = $1::uuid AND d.id = $2::uuid`,
    [ctx.tenantId, checkedId(id, "Device")],
  );
  if (!row) throw notFound("Device not found");
  return toDevice(row);
}

async function audit(
  ctx: ItContext,
  action: string,
  device: Pick<DeviceView, "id" | "assetTag" | "kind" | "model">,
  detail: Record<string, string> = {},
): Promise<void> {
  if (ctx.actor === null || ctx.byKernel) return;
  await appendAudit(ctx.db, ctx.tenantId, {
    actor: await userActor(ctx.db, ctx.actor.userId),
    action,
    resource: { type: "device", id: device.id, label: `${device.assetTag} (${device.model})` },
    outcome: "succeeded",
    detail: { assetTag: device.assetTag, kind: device.kind, model: device.model, ...detail },
  });
}

/** A duplicate asset tag or serial as a field error; anything else as it was. */
function inventoryConflict(error: unknown, input: { assetTag?: string; serial?: string | null }): unknown {
  if (!hasSqlState(error, UNIQUE_VIOLATION)) return error;
  const text = error instanceof Error ? error.message : "";
  if (text.includes("device_serial"))
    return new AppError("CONFLICT", `Another device has the serial ${input.serial ?? ""}`, {
      fields: { serial: ["Already recorded for another device"] },
    });
  return new AppError("CONFLICT", `Another device has the asset tag ${input.assetTag ?? ""}`, {
    fields: { assetTag: ["Already used"] },
  });
}

export async function createDevice(
  ctx: ItContext,
  input: z.input<typeof createDeviceInput>,
): Promise<DeviceView> {
  requireItManager(ctx);
  const d = parsed(createDeviceInput, input);
  let id: string;
  try {
    const [row] = await sqlOf(ctx.db).query<{ id: string }>(
      `INSERT INTO it.device (tenant_id, asset_tag, kind, model, serial, purchased_at, warranty_until, notes)
       VALUES ($1::uuid, $2, $3, $4, $5, $6::date, $7::date, $8) RETURNING id::text`,
      [
        ctx.tenantId,
        d.assetTag,
        d.kind,
        d.model,
        d.serial ?? null,
        d.purchasedAt ?? null,
        d.warrantyUntil ?? null,
        d.notes ?? "",
      ],
    );
    if (!row) throw new Error("it.device: the insert returned no row");
    id = row.id;
  } catch (error) {
    throw inventoryConflict(error, d);
  }
  const device = await loadDevice(ctx, id);
  await audit(ctx, "device.created", device);
  return device;
}

/** Changes a device's record; status moves between in_stock, repair and retired, never to or from assigned. */
export async function updateDevice(
  ctx: ItContext,
  input: z.input<typeof updateDeviceInput>,
): Promise<DeviceView> {
  requireItManager(ctx);
  const d = parsed(updateDeviceInput, input);
  const before = await loadDevice(ctx, d.id);
  const purchasedAt = d.purchasedAt === undefined ? before.purchasedAt : d.purchasedAt;
  const warrantyUntil = d.warrantyUntil === undefined ? before.warrantyUntil : d.warrantyUntil;
  if (!warrantyAfterPurchase({ purchasedAt, warrantyUntil }))
    throw new AppError("BAD_REQUEST", "warrantyUntil: The warranty cannot end before the purchase", {
      fields: { warrantyUntil: ["The warranty cannot end before the purchase"] },
    });
  if (d.status !== undefined && d.status !== before.status && before.status === "assigned")
    throw new AppError(
      "CONFLICT",
      `${before.assetTag} is with ${before.holder?.name ?? "someone"}; return it first`,
    );
  try {
    await sqlOf(ctx.db).query(
      `UPDATE it.device SET asset_tag = $3, kind = $4, model = $5, serial = $6, purchased_at = $7::date,
              warranty_until = $8::date, notes = $9, status = $10, updated_at = now()
        WHERE tenant_id = $1::uuid AND id = $2::uuid RETURNING id::text`,
      [
        ctx.tenantId,
        before.id,
        d.assetTag ?? before.assetTag,
        d.kind ?? before.kind,
        d.model ?? before.model,
        d.serial === undefined ? before.serial : d.serial,
        purchasedAt,
        warrantyUntil,
        d.notes ?? before.notes,
        d.status ?? before.status,
      ],
    );
  } catch (error) {
    throw inventoryConflict(error, { assetTag: d.assetTag, serial: d.serial });
  }
  const device = await loadDevice(ctx, before.id);
  await audit(
    ctx,
    "device.updated",
    device,
    d.status && d.status !== before.status ? { status: d.status } : {},
  );
  return device;
}

/** Removes a device entered by mistake; one that was ever assigned keeps its history and is retired instead. */
export async function deleteDevice(ctx: ItContext, id: string): Promise<void> {
  requireItManager(ctx);
  const device = await loadDevice(ctx, id);
  const [used] = await sqlOf(ctx.db).query<{ n: number }>(
    `SELECT count(*)::int AS n FROM it.device_assignment WHERE tenant_id = $1::uuid AND device_id = $2::uuid`,
    [ctx.tenantId, device.id],
  );
  if ((used?.n ?? 0) > 0)
    throw new AppError(
      "CONFLICT",
      `${device.assetTag} has an assignment history; retire it instead of deleting it`,
    );
  await sqlOf(ctx.db).query(
    `DELETE FROM it.device WHERE tenant_id = $1::uuid AND id = $2::uuid RETURNING id::text`,
    [ctx.tenantId, device.id],
  );
  await audit(ctx, "device.deleted", device);
}

export const listDevicesInput = z.object({
  status: z.enum(DEVICE_STATUSES).optional(),
  kind: z.enum(DEVICE_KINDS).optional(),
});

/** The inventory, by asset tag, with who has each device. */
export async function listDevices(
  ctx: ItContext,
  filter: z.input<typeof listDevicesInput> = {},
): Promise<DeviceView[]> {
  requireItManager(ctx);
  const f = parsed(listDevicesInput, filter);
  const rows = await sqlOf(ctx.db).query<DeviceRow>(
    `${DEVICE_SELECT} WHERE d.tenant_id = $1::uuid AND ($2::text IS NULL OR d.status = $2)
        AND ($3::text IS NULL OR d.kind = $3) ORDER BY d.asset_tag`,
    [ctx.tenantId, f.status ?? null, f.kind ?? null],
  );
  return rows.map(toDevice);
}

export async function getDevice(ctx: ItContext, id: string): Promise<DeviceView> {
  requireItManager(ctx);
  return loadDevice(ctx, id);
}

type AssignmentRow = {
  id: string;
  device_id: string;
  asset_tag: string;
  user_id: string | null;
  employee_id: string | null;
  user_name: string | null;
  user_email: string | null;
  assigned_at: Date;
  returned_at: Date | null;
  condition_out: string;
  condition_in: string | null;
};

const ASSIGNMENT_SELECT = `
  SELECT a.id::text, a.device_id::text, d.asset_tag, a.user_id::text, a.employee_id::text,
         coalesce(u.name, e.given_name || ' ' || e.family_name) AS user_name,
         coalesce(u.email, e.work_email) AS user_email,
         a.assigned_at, a.returned_at, a.condition_out, a.condition_in
    FROM it.device_assignment a
    JOIN it.device d ON d.tenant_id = a.tenant_id AND d.id = a.device_id
    LEFT JOIN public."User" u ON u.id = a.user_id
    LEFT JOIN hr.employee e ON e.tenant_id = a.tenant_id AND e.id = a.employee_id`;

const toAssignment = (r: AssignmentRow): AssignmentView => ({
  id: r.id,
  deviceId: r.device_id,
  assetTag: r.asset_tag,
  user: { id: r.user_id, employeeId: r.employee_id, name: r.user_name ?? "", email: r.user_email ?? "" },
  assignedAt: r.assigned_at,
  returnedAt: r.returned_at,
  conditionOut: r.condition_out,
  conditionIn: r.condition_in,
});

/** Everyone who had the device, newest first. */
export async function deviceHistory(ctx: ItContext, deviceId: string): Promise<AssignmentView[]> {
  requireItManager(ctx);
  const device = await loadDevice(ctx, deviceId);
  const rows = await sqlOf(ctx.db).query<AssignmentRow>(
    `${ASSIGNMENT_SELECT} WHERE a.tenant_id = $1::uuid AND a.device_id = $2::uuid ORDER BY a.assigned_at DESC, a.id`,
    [ctx.tenantId, device.id],
  );
  return rows.map(toAssignment);
}

/**
 * The devices a person has now, handed to their account or to their HR record once linked to it.
 * Anyone may see their own; owners and admins anyone's.
 */
export async function userDevices(ctx: ItContext, userId: string): Promise<DeviceView[]> {
  if (ctx.actor !== null && ctx.actor.userId !== userId) requireItManager(ctx);
  const rows = await sqlOf(ctx.db).query<DeviceRow>(
    `${DEVICE_SELECT} WHERE d.tenant_id = $1::uuid AND (a.user_id = $2::uuid OR e.user_id = $2::uuid)
      ORDER BY d.asset_tag`,
    [ctx.tenantId, checkedId(userId, "Person")],
  );
  return rows.map(toDevice);
}

/**
 * The devices an employee has now: handed to their HR record, or to the account the record is linked
 * to. What an offboarding takes back. Owners and admins only (or a system read).
 */
export async function employeeDevices(ctx: ItContext, employeeId: string): Promise<DeviceView[]> {
  requireItManager(ctx);
  const rows = await sqlOf(ctx.db).query<DeviceRow>(
    `${DEVICE_SELECT} WHERE d.tenant_id = $1::uuid
        AND (a.employee_id = $2::uuid
             OR a.user_id = (SELECT user_id FROM hr.employee WHERE tenant_id = $1::uuid AND id = $2::uuid))
      ORDER BY d.asset_tag`,
    [ctx.tenantId, checkedId(employeeId, "Employee")],
  );
  return rows.map(toDevice);
}

const STATUS_WORDS: Record<DeviceStatus, string> = {
  in_stock: "in stock",
  assigned: "assigned",
  repair: "in repair",
  retired: "retired",
};

/** An active member of the tenant, or NOT_FOUND (a person of another tenant is as absent as no one). */
async function member(ctx: ItContext, userId: string): Promise<Holder> {
  const [row] = await sqlOf(ctx.db).query<{ id: string; name: string | null; email: string }>(
    `SELECT u.id::text, u.name, u.email FROM public."Membership" m JOIN public."User" u ON u.id = m."userId"
      WHERE m."tenantId" = $1::uuid AND m."userId" = $2::uuid AND m."deactivatedAt" IS NULL`,
    [ctx.tenantId, checkedId(userId, "Person")],
  );
  if (!row) throw notFound("No active member of this tenant with that id");
  return { userId: row.id, employeeId: null, name: row.name ?? row.email, email: row.email };
}

/** Whom a device goes to: an active member, or an HR record (with the account it is linked to, if any). */
export type Holder = { userId: string | null; employeeId: string | null; name: string; email: string };

/**
 * A current employee's record in this tenant, or NOT_FOUND; a leaver is a CONFLICT. The record's
 * account rides along when it is an active member's, so the device shows among theirs.
 */
async function employeeHolder(ctx: ItContext, employeeId: string): Promise<Holder> {
  const [row] = await sqlOf(ctx.db).query<{
    id: string;
    name: string;
    email: string;
    status: string;
    user_id: string | null;
  }>(
    `SELECT e.id::text, e.given_name || ' ' || e.family_name AS name, e.work_email AS email, e.status::text,
            m."userId"::text AS user_id
       FROM hr.employee e
       LEFT JOIN public."Membership" m
         ON m."tenantId" = e.tenant_id AND m."userId" = e.user_id AND m."deactivatedAt" IS NULL
      WHERE e.tenant_id = $1::uuid AND e.id = $2::uuid`,
    [ctx.tenantId, checkedId(employeeId, "Employee")],
  );
  if (!row) throw notFound("No employee of this tenant with that id");
  if (row.status === "terminated") throw new AppError("CONFLICT", `${row.name} has left the company`);
  return { userId: row.user_id, employeeId: row.id, name: row.name, email: row.email };
}

export type AssignmentPlan = {
  device: DeviceView;
  user: Holder;
  condition: string;
};

/**
 * Which device an assignment would take and to whom, checked, without writing: what the connector's
 * dry run shows and what assignDevice then does. With `lock`, a device chosen by kind is locked
 * (SKIP LOCKED), so concurrent assignments by kind take different devices.
 */
export async function planAssignment(
  ctx: ItContext,
  input: z.input<typeof assignDeviceInput>,
  options: { lock?: boolean } = {},
): Promise<AssignmentPlan> {
  requireItManager(ctx);
  const i = parsed(assignDeviceInput, input);
  let user: Holder;
  if (i.employeeId !== undefined) user = await employeeHolder(ctx, i.employeeId);
  else if (i.userId !== undefined) user = await member(ctx, i.userId);
  else throw new AppError("BAD_REQUEST", "Give a person or an employee record");
  let device: DeviceView;
  if (i.deviceId !== undefined) {
    device = await loadDevice(ctx, i.deviceId);
    if (device.status !== "in_stock")
      throw new AppError(
        "CONFLICT",
        device.holder
          ? `${device.assetTag} is already assigned to ${device.holder.name}`
          : `${device.assetTag} is ${STATUS_WORDS[device.status]}, not in stock`,
      );
  } else {
    const [row] = await sqlOf(ctx.db).query<{ id: string }>(
      `SELECT id::text FROM it.device WHERE tenant_id = $1::uuid AND kind = $2 AND status = 'in_stock'
        ORDER BY asset_tag ${options.lock ? "FOR UPDATE SKIP LOCKED" : ""} LIMIT 1`,
      [ctx.tenantId, i.kind],
    );
    if (!row) throw new AppError("CONFLICT", `No ${i.kind ?? "device"} is in stock`);
    device = await loadDevice(ctx, row.id);
  }
  return { device, user, condition: i.condition ?? "" };
}

/**
 * Hands a device to a person. Of two concurrent assignments of one device, the partial unique index
 * on open assignments lets one commit; the other is a CONFLICT.
 */
export async function assignDevice(
  ctx: ItContext,
  input: z.input<typeof assignDeviceInput>,
): Promise<{ assignment: AssignmentView; device: DeviceView }> {
  const plan = await planAssignment(ctx, input, { lock: true });
  const sql = sqlOf(ctx.db);
  let assignmentId: string;
  try {
    const [row] = await sql.query<{ id: string }>(
      `INSERT INTO it.device_assignment
         (tenant_id, device_id, user_id, employee_id, condition_out, assigned_by, assigned_syscall)
       VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid, $5, $6::uuid, $7) RETURNING id::text`,
      [
        ctx.tenantId,
        plan.device.id,
        plan.user.userId,
        plan.user.employeeId,
        plan.condition,
        ctx.actor?.userId ?? null,
        ctx.syscallId ?? null,
      ],
    );
    if (!row) throw new Error("it.device_assignment: the insert returned no row");
    assignmentId = row.id;
  } catch (error) {
    if (hasSqlState(error, UNIQUE_VIOLATION))
      throw new AppError("CONFLICT", `${plan.device.assetTag} was just assigned to someone else`, {
        cause: error,
      });
    throw error;
  }
  await sql.query(
    `UPDATE it.device SET status = 'assigned', updated_at = now()
      WHERE tenant_id = $1::uuid AND id = $2::uuid RETURNING id::text`,
    [ctx.tenantId, plan.device.id],
  );
  const device = await loadDevice(ctx, plan.device.id);
  await audit(ctx, "device.assigned", device, {
    ...(plan.user.userId === null ? {} : { userId: plan.user.userId }),
    ...(plan.user.employeeId === null ? {} : { employeeId: plan.user.employeeId }),
    user: plan.user.name,
  });
  const [assignment] = await sql.query<AssignmentRow>(
    `${ASSIGNMENT_SELECT} WHERE a.tenant_id = $1::uuid AND a.id = $2::uuid`,
    [ctx.tenantId, assignmentId],
  );
  if (!assignment) throw new Error("it.device_assignment: the new row is not visible");
  return { assignment: toAssignment(assignment), device };
}

export type ReturnPlan = {
  device: DeviceView;
  holder: NonNullable<DeviceView["holder"]>;
  to: "in_stock" | "repair";
  condition: string | null;
};

/** The open assignment a return would close, checked, without writing. */
export async function planReturn(
  ctx: ItContext,
  input: z.input<typeof returnDeviceInput>,
): Promise<ReturnPlan> {
  requireItManager(ctx);
  const i = parsed(returnDeviceInput, input);
  const device = await loadDevice(ctx, i.deviceId);
  if (device.holder === null)
    throw new AppError(
      "CONFLICT",
      `${device.assetTag} is not assigned to anyone (it is ${STATUS_WORDS[device.status]})`,
    );
  return { device, holder: device.holder, to: i.to, condition: i.condition ?? null };
}

/** Takes a device back: closes its open assignment and puts it in stock or in repair. */
export async function returnDevice(
  ctx: ItContext,
  input: z.input<typeof returnDeviceInput>,
): Promise<{ assignment: AssignmentView; device: DeviceView }> {
  const plan = await planReturn(ctx, input);
  const sql = sqlOf(ctx.db);
  const [closed] = await sql.query<{ id: string }>(
    `UPDATE it.device_assignment
        SET returned_at = greatest(now(), assigned_at), condition_in = $3, returned_by = $4::uuid, returned_syscall = $5
      WHERE tenant_id = $1::uuid AND device_id = $2::uuid AND returned_at IS NULL RETURNING id::text`,
    [ctx.tenantId, plan.device.id, plan.condition, ctx.actor?.userId ?? null, ctx.syscallId ?? null],
  );
  if (!closed) throw new AppError("CONFLICT", `${plan.device.assetTag} was just returned`);
  await sql.query(
    `UPDATE it.device SET status = $3, updated_at = now() WHERE tenant_id = $1::uuid AND id = $2::uuid RETURNING id::text`,
    [ctx.tenantId, plan.device.id, plan.to],
  );
  const device = await loadDevice(ctx, plan.device.id);
  await audit(ctx, "device.returned", device, {
    ...(plan.holder.userId === null ? {} : { userId: plan.holder.userId }),
    ...(plan.holder.employeeId === null ? {} : { employeeId: plan.holder.employeeId }),
    user: plan.holder.name,
    to: plan.to,
  });
  const [assignment] = await sql.query<AssignmentRow>(
    `${ASSIGNMENT_SELECT} WHERE a.tenant_id = $1::uuid AND a.id = $2::uuid`,
    [ctx.tenantId, closed.id],
  );
  if (!assignment) throw new Error("it.device_assignment: the closed row is not visible");
  return { assignment: toAssignment(assignment), device };
}

/** The inventory as CSV (RFC 4180, cells that a spreadsheet would run as formulas neutralised). */
export async function exportDevicesCsv(ctx: ItContext): Promise<string> {
  const devices = await listDevices(ctx);
  const header = [
    "asset_tag",
    "kind",
    "model",
    "serial",
    "status",
    "holder_email",
    "holder_since",
    "purchased_at",
    "warranty_until",
    "notes",
  ];
  const rows = devices.map((d) => [
    d.assetTag,
    d.kind,
    d.model,
    d.serial ?? "",
    d.status,
    d.holder?.email ?? "",
    d.holder?.since.toISOString() ?? "",
    d.purchasedAt ?? "",
    d.warrantyUntil ?? "",
    d.notes,
  ]);
  if (ctx.actor !== null)
    await appendAudit(ctx.db, ctx.tenantId, {
      actor: await userActor(ctx.db, ctx.actor.userId),
      action: "device.exported",
      outcome: "succeeded",
      detail: { count: devices.length },
    });
  return toCsv([header, ...rows]);
}
