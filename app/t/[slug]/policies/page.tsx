import type { Metadata } from "next";
import { PolicyWorkbench } from "@/app/_components/policies/policy-workbench";
import { PageHeader } from "@/app/_components/ui/card";
import { canManageAccess } from "@/server/tenancy/roles";
import { loadTenantPage } from "@/app/_lib/tenant-page";

export const metadata: Metadata = { title: "Policies" };

export default async function PoliciesPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { tenant } = await loadTenantPage(slug, `/t/${slug}/policies`);
  if (!canManageAccess(tenant.role)) {
    return (
      <>
        <PageHeader title="Policies" />
        <p
          role="status"
          className="rounded-md border border-slate-200 bg-white px-4 py-3 text-sm text-slate-800"
        >
          Only owners and admins can see and edit the policies.
        </p>
      </>
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
