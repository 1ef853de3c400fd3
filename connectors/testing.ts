import { randomUUID } from "node:crypto";
import type { PrismaClient } from "@/server/db/client";
import { withTenant } from "@/server/db/scope";
import type { DriverActor, DriverContext } from "./sdk";

/** Who a test's call acts for when the test does not care: a person that is no member of anything. */
const NOBODY: DriverActor = { userId: "00000000-0000-4000-8000-000000000000", agentId: null, label: "Test" };

/**
 * A driver's context for tests that call a driver directly (the kernel builds the real one per
 * syscall): the tenant's row-level-security transaction on `db`, the connection if any, and who the
 * call acts for. Tests of drivers that act as a person pass the member they act as (`actor`); the
 * default is nobody, so a driver that acts as a person refuses it.
 */
export function driverContext(
  db: PrismaClient,
  tenantId: string,
  connection: DriverContext["connection"] = null,
  actor: DriverActor = NOBODY,
): DriverContext {
  return {
    tenantId,
    actor,
    syscallId: randomUUID(),
    idempotencyKey: null,
    signal: new AbortController().signal,
    tenant: (fn) => withTenant(db, { tenantId }, fn),
    connection,
  };
}

/** The actor for a member acting in person (`agentId` set: an agent acting for them). */
export const actingAs = (
  userId: string,
  agentId: string | null = null,
  label = "Test member",
): DriverActor => ({
  userId,
  agentId,
  label,
});
