import type { ReactNode } from "react";
import { Sidebar } from "@/app/_components/tenant/sidebar";
import { loadTenantPage } from "@/app/_lib/tenant-page";
import { TRPCProvider } from "@/app/_lib/trpc";
import { currentUser } from "@/server/auth/current";
import { getDb } from "@/server/db/client";
import { listTenantsForUser } from "@/server/tenancy/tenants";

/**
 * Every page under /t/<slug>: signed in, and a member of that tenant (anything else is "Not found").
 * The tRPC provider is keyed by the tenant, so no cached data crosses from one tenant to another.
 *
 * A layout is not told which page it wraps, so a signed-out visitor is left to the page: each page
 * calls `loadTenantPage` with its own path, and the sign-in page then returns to that exact page
 * instead of the tenant's home. (Next.js also renders a layout only once across navigations between
 * its pages, so the pages' own checks are the ones that always run.)
 */
export default async function TenantLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ slug: string }>;
}) {
  const { slug } = await params;
  if (!(await currentUser())) return children;
  const { user, tenant } = await loadTenantPage(slug, `/t/${slug}`);
  const tenants = await listTenantsForUser(getDb(), user.userId);
  return (
    <TRPCProvider tenantSlug={tenant.slug} key={tenant.slug}>
      <div className="md:flex">
        <Sidebar current={tenant} tenants={tenants} />
        <main className="min-w-0 flex-1 px-4 py-8 md:px-10">
          <div className="mx-auto max-w-5xl">{children}</div>
        </main>
      </div>
    </TRPCProvider>
  );
}
