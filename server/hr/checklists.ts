import { AppError, checkedId, notFound } from "@/server/errors";
import { addDays, auditHr, isHrManager, sql, type HrContext } from "./common";

/**
 * Onboarding and offboarding checklists: who does what for a joiner or a leaver, and by when. Each is
 * made from a default template when the employee is created or terminated; due dates count from the
 * start date (onboarding) or the last day (offboarding).
 */

export type ChecklistKind = "onboarding" | "offboarding";
export type ChecklistOwner = "hr" | "it" | "facilities" | "manager";

export type ChecklistTemplateItem = { title: string; owner: ChecklistOwner; dueOffsetDays: number };

export const DEFAULT_TEMPLATES: Record<ChecklistKind, readonly ChecklistTemplateItem[]> = {
  onboarding: [
    { title: "Create IT account and email", owner: "it", dueOffsetDays: -3 },
    { title: "Prepare equipment (laptop, badge)", owner: "it", dueOffsetDays: -1 },
    { title: "Assign a desk", owner: "facilities", dueOffsetDays: -1 },
    { title: "Employment paperwork signed", owner: "hr", dueOffsetDays: 0 },
    { title: "Introduce to their manager and team", owner: "manager", dueOffsetDays: 0 },
  ],
  offboarding: [
    { title: "Hand over work and documents", owner: "manager", dueOffsetDays: -3 },
    { title: "Exit interview and final pay", owner: "hr", dueOffsetDays: -1 },
    { title: "Collect equipment (laptop, badge)", owner: "it", dueOffsetDays: 0 },
    { title: "Disable accounts and revoke access", owner: "it", dueOffsetDays: 0 },
    { title: "Release desk", owner: "facilities", dueOffsetDays: 0 },
  ],
};

export type ChecklistItemPlan = { title: string; owner: ChecklistOwner; dueDate: string };

/** The items a checklist of `kind` would get, dated from `anchor` (start date or last day). */
export const checklistPlan = (kind: ChecklistKind, anchor: string): ChecklistItemPlan[] =>
  DEFAULT_TEMPLATES[kind].map((item) => ({
    title: item.title,
    owner: item.owner,
    dueDate: addDays(anchor, item.dueOffsetDays),
  }));

export type ChecklistItemView = ChecklistItemPlan & {
  id: string;
  position: number;
  doneAt: Date | null;
  doneBy: string | null;
};

export type ChecklistView = {
  id: string;
  employeeId: string;
  kind: ChecklistKind;
  status: "open" | "completed";
  items: ChecklistItemView[];
};

/** Writes a checklist of `kind` for the employee from the default template. */
export async function createChecklist(
  ctx: HrContext,
  employeeId: string,
  kind: ChecklistKind,
  anchor: string,
): Promise<ChecklistView> {
  const [row] = await sql(ctx).query<{ id: string }>(
    `INSERT INTO hr.checklist (tenant_id, employee_id, kind) VALUES ($1::uuid, $2::uuid, $3::hr.checklist_kind)
     RETURNING id::text`,
    [ctx.tenantId, employeeId, kind],
  );
  if (!row) throw new Error("hr: inserting a checklist returned no row");
  const plan = checklistPlan(kind, anchor);
  const items = await sql(ctx).query<{ id: string; position: number }>(
    `INSERT INTO hr.checklist_item (tenant_id, checklist_id, position, title, owner, due_date)
     SELECT $1::uuid, $2::uuid, i.position, i.title, i.owner::hr.checklist_owner, i.due_date::date
       FROM jsonb_to_recordset($3::jsonb) AS i(position int, title text, owner text, due_date text)
     RETURNING id::text, position`,
    [
      ctx.tenantId,
      row.id,
      JSON.stringify(
        plan.map((item, i) => ({
          position: i + 1,
          title: item.title,
          owner: item.owner,
          due_date: item.dueDate,
        })),
      ),
    ],
  );
  const idAt = new Map(items.map((item) => [item.position, item.id]));
  return {
    id: row.id,
    employeeId,
    kind,
    status: "open",
    items: plan.map((item, i) => ({
      ...item,
      id: idAt.get(i + 1) ?? "",
      position: i + 1,
      doneAt: null,
      doneBy: null,
    })),
  };
}

type ItemRow = {
  checklist_id: string;
  employee_id: string;
  kind: ChecklistKind;
  status: "open" | "completed";
  item_id: string | null;
  position: number | null;
  title: string | null;
  owner: ChecklistOwner | null;
  due_date: string | null;
  done_at: Date | null;
  done_by: string | null;
};

/** An employee's checklists, newest first, with their items in order. */
export async function listChecklists(ctx: HrContext, employeeId: string): Promise<ChecklistView[]> {
  checkedId(employeeId, "Employee");
  const rows = await sql(ctx).query<ItemRow>(
    `SELECT c.id::text AS checklist_id, c.employee_id::text, c.kind::text, c.status::text,
            i.id::text AS item_id, i.position, i.title, i.owner::text, i.due_date::text, i.done_at,
            i.done_by::text
       FROM hr.checklist c LEFT JOIN hr.checklist_item i ON i.tenant_id = c.tenant_id AND i.checklist_id = c.id
      WHERE c.tenant_id = $1::uuid AND c.employee_id = $2::uuid
      ORDER BY c.created_at DESC, c.id, i.position`,
    [ctx.tenantId, employeeId],
  );
  const lists = new Map<string, ChecklistView>();
  for (const row of rows) {
    let list = lists.get(row.checklist_id);
    if (!list) {
      list = {
        id: row.checklist_id,
        employeeId: row.employee_id,
        kind: row.kind,
        status: row.status,
        items: [],
      };
      lists.set(row.checklist_id, list);
    }
    if (row.item_id && row.position !== null && row.title && row.owner && row.due_date)
      list.items.push({
        id: row.item_id,
        position: row.position,
        title: row.title,
        owner: row.owner,
        dueDate: row.due_date,
        doneAt: row.done_at,
        doneBy: row.done_by,
      });
  }
  return [...lists.values()];
}

/**
 * Ticks an item off. HR managers tick off anything; an employee's manager ticks off the items owned
 * by "manager". The checklist is completed with its last item.
 */
export async function completeChecklistItem(
  ctx: HrContext,
  itemId: string,
): Promise<{ itemId: string; checklistId: string; checklistStatus: "open" | "completed" }> {
  checkedId(itemId, "Checklist item");
  const [item] = await sql(ctx).query<{
    checklist_id: string;
    title: string;
    owner: ChecklistOwner;
    done: boolean;
    employee_id: string;
    manager_user_id: string | null;
  }>(
    `SELECT i.checklist_id::text, i.title, i.owner::text, i.done_at IS NOT NULL AS done,
            c.employee_id::text, m.user_id::text AS manager_user_id
       FROM hr.checklist_item i
       JOIN hr.checklist c ON c.tenant_id = i.tenant_id AND c.id = i.checklist_id
       JOIN hr.employee e ON e.tenant_id = c.tenant_id AND e.id = c.employee_id
       LEFT JOIN hr.employee m ON m.tenant_id = e.tenant_id AND m.id = e.manager_id
      WHERE i.tenant_id = $1::uuid AND i.id = $2::uuid
      FOR UPDATE OF i, c`,
    [ctx.tenantId, itemId],
  );
  if (!item) throw notFound("Checklist item not found");
  const isManager =
    ctx.actor !== null && item.owner === "manager" && item.manager_user_id === ctx.actor.userId;
  if (!isHrManager(ctx) && !isManager)
    throw new AppError("FORBIDDEN", "Only HR or, for their items, the employee's manager can tick this off");
  if (item.done) throw new AppError("CONFLICT", `"${item.title}" is already done`);
  await sql(ctx).query(
    `UPDATE hr.checklist_item SET done_at = now(), done_by = $3::uuid WHERE tenant_id = $1::uuid AND id = $2::uuid`,
    [ctx.tenantId, itemId, ctx.actor?.userId ?? null],
  );
  const [list] = await sql(ctx).query<{ status: "open" | "completed" }>(
    `UPDATE hr.checklist c
        SET status = CASE WHEN NOT EXISTS (SELECT 1 FROM hr.checklist_item i
                                            WHERE i.tenant_id = c.tenant_id AND i.checklist_id = c.id
                                              AND i.done_at IS NULL)
                          THEN 'completed'::hr.checklist_status ELSE 'open'::hr.checklist_status END,
            completed_at = CASE WHEN NOT EXISTS (SELECT 1 FROM hr.checklist_item i
                                                  WHERE i.tenant_id = c.tenant_id AND i.checklist_id = c.id
                                                    AND i.done_at IS NULL)
                                THEN now() END
      WHERE c.tenant_id = $1::uuid AND c.id = $2::uuid
      RETURNING c.status::text`,
    [ctx.tenantId, item.checklist_id],
  );
  await auditHr(
    ctx,
    "hr.checklist_item_completed",
    { type: "checklist_item", id: itemId, label: item.title },
    { checklistId: item.checklist_id, employeeId: item.employee_id },
  );
  return { itemId, checklistId: item.checklist_id, checklistStatus: list?.status ?? "open" };
}
