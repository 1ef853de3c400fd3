/** The console API's reads and actions (shapes in api-schema.ts). A run of another tenant is "not found". */
import type { z } from "zod";
import type { listRunsQuery, RunDetail, RunStatus, RunSummary, StepView, TimelineEntry } from "./api-schema";
import { type Db, transaction } from "./db";
import { finishRun } from "./events";
import { createRun, type EngineEvent, loadFunction, lockRun, type SerializedError } from "./runs";

export class ConsoleError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type RunRow = {
  id: string;
  function_id: string;
  function_name: string | null;
  app_id: string;
  status: RunStatus;
  tenant_id: string | null;
  event: EngineEvent;
  created_at: Date;
  started_at: Date | null;
  ended_at: Date | null;
  parent_run_id: string | null;
  rerun_of: string | null;
};

const RUN_COLUMNS = `r.id, r.function_id, f.name AS function_name, r.app_id, r.status, r.tenant_id, r.event, r.created_at,
  r.started_at, r.ended_at, r.parent_run_id, r.rerun_of`;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function summary(row: RunRow): RunSummary {
  return {
    id: row.id,
    functionId: row.function_id,
    functionName: row.function_name ?? row.function_id,
    appId: row.app_id,
    status: row.status,
    tenantId: row.tenant_id,
    eventName: row.event.name,
    createdAt: row.created_at.toISOString(),
    startedAt: iso(row.started_at),
    endedAt: iso(row.ended_at),
    parentRunId: row.parent_run_id,
    rerunOf: row.rerun_of,
  };
}

// Cursor: "<created_at ISO>|<run id>" of the last run of the previous page (newest first).
function parseCursor(cursor: string): [Date, string] {
  const [at, id] = cursor.split("|");
  const date = new Date(at ?? "");
  if (!id || Number.isNaN(date.getTime()))
    throw new ConsoleError(400, "invalid_cursor", "The cursor is not one this API returned");
  return [date, id];
}

export async function listRuns(
  db: Db,
  query: z.output<typeof listRunsQuery>,
): Promise<{ runs: RunSummary[]; nextCursor: string | null }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (query.function) add((n) => `r.function_id = ${n}`, query.function);
  if (query.status) add((n) => `r.status = ${n}`, query.status);
  if (query.tenant) add((n) => `r.tenant_id = ${n}`, query.tenant);
  if (query.event) add((n) => `r.event->>'id' = ${n}`, query.event);
  if (query.from) add((n) => `r.created_at >= ${n}`, new Date(query.from));
  if (query.to) add((n) => `r.created_at < ${n}`, new Date(query.to));
  if (query.cursor) {
    const [at, id] = parseCursor(query.cursor);
    params.push(at, id);
    where.push(`(r.created_at, r.id) < ($${params.length - 1}, $${params.length})`);
  }
  params.push(query.limit + 1);
  const { rows } = await db.query<RunRow>(
    `SELECT ${RUN_COLUMNS} FROM engine.run r LEFT JOIN engine.function f ON f.id = r.function_id
     ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
     ORDER BY r.created_at DESC, r.id DESC LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    runs: page.map(summary),
    nextCursor: rows.length > query.limit && last ? `${last.created_at.toISOString()}|${last.id}` : null,
  };
}

async function findRun(
  db: Db,
  id: string,
  tenant: string | undefined,
): Promise<RunRow & { events: EngineEvent[]; output: unknown; error: SerializedError | null }> {
  const { rows } = await db.query<
    RunRow & { events: EngineEvent[]; output: unknown; error: SerializedError | null }
  >(
    `SELECT ${RUN_COLUMNS}, r.events, r.output, r.error FROM engine.run r LEFT JOIN engine.function f ON f.id = r.function_id
     WHERE r.id = $1 AND ($2::text IS NULL OR r.tenant_id = $2)`,
    [id, tenant ?? null],
  );
  const row = rows[0];
  if (!row) throw new ConsoleError(404, "not_found", "No such run");
  return row;
}

type StepRow = {
  id: string;
  name: string;
  op: string;
  status: StepView["status"];
  opts: unknown;
  state: unknown;
  attempts: number;
  created_at: Date;
  ended_at: Date | null;
};

function stepOutput(row: StepRow): { output: unknown; error: SerializedError | null } {
  const state = row.state;
  if (typeof state === "object" && state !== null && "error" in state)
    return { output: null, error: state.error as SerializedError };
  if (typeof state === "object" && state !== null && "data" in state)
    return { output: state.data, error: null };
  return { output: state ?? null, error: null };
}

export async function runDetail(db: Db, id: string, tenant?: string): Promise<RunDetail> {
  const run = await findRun(db, id, tenant);
  const [steps, timeline] = await Promise.all([
    db.query<StepRow>(
      "SELECT id, name, op, status, opts, state, attempts, created_at, ended_at FROM engine.step WHERE run_id = $1 ORDER BY created_at, id",
      [id],
    ),
    db.query<{
      id: number;
      kind: string;
      step_id: string | null;
      step_name: string | null;
      attempt: number | null;
      started_at: Date | null;
      ended_at: Date;
      data: unknown;
    }>(
      `SELECT h.id, h.kind, h.step_id, s.name AS step_name, h.attempt, h.started_at, h.ended_at, h.data
       FROM engine.history h LEFT JOIN engine.step s ON s.run_id = h.run_id AND s.id = h.step_id
       WHERE h.run_id = $1 ORDER BY h.id`,
      [id],
    ),
  ]);
  return {
    ...summary(run),
    event: run.event,
    events: run.events,
    output: run.output,
    error: run.error,
    steps: steps.rows.map((s): StepView => ({
      id: s.id,
      name: s.name,
      op: s.op,
      status: s.status,
      attempts: s.attempts,
      opts: s.opts,
      ...stepOutput(s),
      createdAt: s.created_at.toISOString(),
      endedAt: iso(s.ended_at),
    })),
    timeline: timeline.rows.map((h): TimelineEntry => ({
      id: h.id,
      kind: h.kind,
      stepId: h.step_id,
      stepName: h.step_name,
      attempt: h.attempt,
      startedAt: iso(h.started_at),
      endedAt: h.ended_at.toISOString(),
      data: h.data,
    })),
  };
}

export async function cancelRun(db: Db, id: string, tenant?: string): Promise<RunSummary> {
  await findRun(db, id, tenant);
  await transaction(db, async (c) => {
    const run = await lockRun(c, id);
    if (run?.status !== "running")
      throw new ConsoleError(409, "already_ended", `The run already ended (${run?.status ?? "gone"})`);
    await finishRun(c, run, { status: "cancelled", reason: "Cancelled from the console" });
  });
  return summary(await findRun(db, id, tenant));
}

export async function rerun(db: Db, id: string, tenant?: string): Promise<string> {
  const run = await findRun(db, id, tenant);
  return transaction(db, async (c) => {
    const fn = await loadFunction(c, run.function_id);
    if (!fn)
      throw new ConsoleError(409, "function_gone", `Function "${run.function_id}" is no longer registered`);
    const runId = await createRun(c, fn, run.events, { rerunOf: run.id });
    if (!runId) throw new ConsoleError(409, "not_started", "The run could not be started");
    return runId;
  });
}

export async function listFunctions(db: Db): Promise<
  {
    id: string;
    name: string;
    appId: string;
    triggers: { event?: string; cron?: string; expression?: string }[];
  }[]
> {
  const { rows } = await db.query<{
    id: string;
    name: string;
    app_id: string;
    config: { triggers: { event?: string; cron?: string; expression?: string }[] };
  }>("SELECT id, name, app_id, config FROM engine.function ORDER BY name, id");
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    appId: r.app_id,
    triggers: r.config.triggers.map((t) => ({ event: t.event, cron: t.cron, expression: t.expression })),
  }));
}
