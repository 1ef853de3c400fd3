import pg from "pg";
import { AppError } from "@/server/errors";
import type { TestTenant } from "@/server/testing/fixtures";
import { createEmployee, type CreateEmployeeInput, type EmployeeView } from "./employees";

/** Test helpers for server/hr and connectors/hris (no vitest import: plain functions). */

export async function caught(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected an AppError");
}

let counter = 0;

/** A new employee in `tenant` with unique number and email; `fields` override the defaults. */
export async function hire(
  tenant: TestTenant,
  fields: Partial<CreateEmployeeInput> = {},
): Promise<EmployeeView> {
  counter += 1;
  const given = fields.givenName ?? `Person${counter}`;
  const { employee } = await tenant.asOwner((ctx) =>
    createEmployee(ctx, {
      employeeNumber: `E${counter}-${Math.random().toString(36).slice(2, 8)}`,
      givenName: given,
      familyName: "Tester",
      email: `${given.toLowerCase()}-${counter}-${Math.random().toString(36).slice(2, 8)}@${tenant.slug}.test`,
      startDate: "2026-01-05",
      ...fields,
    }),
  );
  return employee;
}

/** Plain SQL as the app role in one transaction scoped to `tenantId`: what any app code could send. */
export async function asAppRole<T>(
  appUrl: string,
  tenantId: string,
  statements: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: appUrl });
  await client.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT set_config('app.tenant_id', $1, true)", [tenantId]);
    const result = await statements(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

/** The SQLSTATE the database refused a statement with. */
export async function sqlStateOf(promise: Promise<unknown>): Promise<string | null> {
  try {
    await promise;
  } catch (error) {
    return error instanceof Error && "code" in error && typeof error.code === "string" ? error.code : null;
  }
  throw new Error("expected the database to refuse");
}
