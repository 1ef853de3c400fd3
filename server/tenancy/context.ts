import type { Tx } from "@/server/db/client";
import type { Role } from "./roles";

/** Who is acting, as verified from their session and membership, never from client input. */
export type Actor = { userId: string; membershipId: string; role: Role };

/**
 * What every tenant-scoped domain function receives: the verified tenant, the actor, and a transaction
 * in which row-level security already limits queries to this tenant.
 */
export type TenantContext = { tenantId: string; actor: Actor; db: Tx };
