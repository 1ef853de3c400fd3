import "server-only";
import { notFound } from "next/navigation";
import { cache } from "react";
import { requireUser, type SessionUser } from "@/server/auth/current";
import { getDb } from "@/server/db/client";
import { tenantForUser, type TenantSummary } from "@/server/tenancy/tenants";

// One membership lookup per request, shared by the tenant layout and its page.
const membership = cache((userId: string, slug: string) => tenantForUser(getDb(), userId, slug));

/**
 * The signed-in user (or a redirect to sign-in that comes back to `path`) and their membership of the
 * tenant in the URL. A tenant that does not exist and one the user does not belong to both render
 * "Not found", so the page does not reveal which tenants exist.
 */
export async function loadTenantPage(
  slug: string,
  path: string,
): Promise<{ user: SessionUser; tenant: TenantSummary }> {
  const user = await requireUser(path);
  const tenant = await membership(user.userId, slug);
  if (!tenant) notFound();
  return { user, tenant };
}
