import { randomUUID } from "node:crypto";
import type { PrismaClient } from "@/server/db/client";
import { withTenant } from "@/server/db/scope";
import type { DriverContext } from "./sdk";

/**
 * A driver's context for tests that call a driver directly (the kernel builds the real one per
 * syscall): the tenant's row-level-security transaction on `db`, and the connection if any.
 */
export function driverContext(
  db: PrismaClient,
  tenantId: string,
  connection: DriverContext["connection"] = null,
): DriverContext {
  return {
    tenantId,
    syscallId: randomUUID(),
    idempotencyKey: null,
    signal: new AbortController().signal,
    tenant: (fn) => withTenant(db, { tenantId }, fn),
    connection,
  };
}
