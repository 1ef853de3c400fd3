import type { Metadata } from "next";
import { DelegationCard } from "@/app/_components/approvals/delegation-card";
import { Inbox } from "@/app/_components/approvals/inbox";
import { OpenApprovals } from "@/app/_components/approvals/open-approvals";
import { PageHeader } from "@/app/_components/ui/card";
import { loadTenantPage } from "@/app/_lib/tenant-page";
import { canManageWorkflows } from "@/server/tenancy/roles";

export const metadata: Metadata = { title: "Approvals" };

export default async function ApprovalsPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { user, tenant } = await loadTenantPage(slug, `/t/${slug}/approvals`);
  return (
    <>
      <PageHeader
        title="Approvals"
        description="Requests waiting for your decision, and who approves for you while you are away."
      />
      <div className="space-y-8">
        <Inbox slug={tenant.slug} />
        <DelegationCard userId={user.userId} />
        {canManageWorkflows(tenant.role) ? <OpenApprovals slug={tenant.slug} /> : null}
      </div>
    </>
  );
}
