import type { Metadata } from "next";
import { AccessCatalogConsole } from "@/app/_components/access-catalog/access-catalog-console";
import { PageHeader } from "@/app/_components/ui/card";
import { RestrictedPage } from "@/app/_components/ui/restricted-page";
import { loadTenantPage } from "@/app/_lib/tenant-page";
import { canManageAccess } from "@/server/tenancy/roles";

export const metadata: Metadata = { title: "Access catalog" };

export default async function AccessCatalogPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { tenant } = await loadTenantPage(slug, `/t/${slug}/access-catalog`);
  if (!canManageAccess(tenant.role))
    return (
      <RestrictedPage
        title="Access catalog"
        message="Only owners and admins can change the access catalog. Ask for access to an app from the Requests page."
      />
    );
  return (
    <>
      <PageHeader
        title="Access catalog"
        description="The apps people can ask for access to from the Requests page, their roles, the SCIM group that carries each role, and whose approval it needs after the requester's manager."
      />
      <AccessCatalogConsole tenantName={tenant.name} />
    </>
  );
}
