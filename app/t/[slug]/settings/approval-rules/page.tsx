import type { Metadata } from "next";
import { ApprovalRules } from "@/app/_components/approvals/approval-rules";
import { PageHeader } from "@/app/_components/ui/card";
import { RestrictedPage } from "@/app/_components/ui/restricted-page";
import { loadTenantPage } from "@/app/_lib/tenant-page";
import { canManageWorkflows } from "@/server/tenancy/roles";

export const metadata: Metadata = { title: "Approval rules" };

export default async function ApprovalRulesPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { tenant } = await loadTenantPage(slug, `/t/${slug}/settings/approval-rules`);
  if (!canManageWorkflows(tenant.role))
    return (
      <RestrictedPage title="Approval rules" message="Only owners and admins can change approval rules." />
    );
  return (
    <>
      <PageHeader
        title="Approval rules"
        description="Who approves each kind of request, in which order, and what happens when nobody decides in time."
      />
      <ApprovalRules />
    </>
  );
}
