import type { Metadata } from "next";
import { PolicyWorkbench } from "@/app/_components/policies/policy-workbench";
import { RestrictedPage } from "@/app/_components/ui/restricted-page";
import { PageHeader } from "@/app/_components/ui/card";
import { canManageAccess } from "@/server/tenancy/roles";
import { loadTenantPage } from "@/app/_lib/tenant-page";

export const metadata: Metadata = { title: "Policies" };

export default async function PoliciesPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { tenant } = await loadTenantPage(slug, `/t/${slug}/policies`);
  if (!canManageAccess(tenant.role)) {
    return (
      <RestrictedPage title="Policies" message="Only owners and admins can see and edit the policies." />
    );
  }
  return (
    <>
      <PageHeader
        title="Policies"
        description={`The rules that decide what people and agents in ${tenant.name} may do, and what needs whose approval.`}
      />
      <PolicyWorkbench grantsHref={`/t/${tenant.slug}/grants`} />
    </>
  );
}
