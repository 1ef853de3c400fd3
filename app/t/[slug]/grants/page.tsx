import type { Metadata } from "next";
import { AgentsList } from "@/app/_components/grants/agents-list";
import { GrantRequests } from "@/app/_components/grants/grant-requests";
import { GrantsList } from "@/app/_components/grants/grants-list";
import { NewGrantForm } from "@/app/_components/grants/new-grant-form";
import { RegisterAgentForm } from "@/app/_components/grants/register-agent-form";
import { RestrictedPage } from "@/app/_components/ui/restricted-page";
import { PageHeader, SectionCard } from "@/app/_components/ui/card";
import { canManageAccess } from "@/server/tenancy/roles";
import { loadTenantPage } from "@/app/_lib/tenant-page";
import { MAX_GRANT_DAYS } from "@/server/kernel/access/grant-admin";

export const metadata: Metadata = { title: "Grants" };

export default async function GrantsPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { tenant } = await loadTenantPage(slug, `/t/${slug}/grants`);
  if (!canManageAccess(tenant.role)) {
    return <RestrictedPage title="Grants" message="Only owners and admins can see and give grants." />;
  }
  return (
    <>
      <PageHeader
        title="Grants"
        description={`Agents in ${tenant.name} can do only what a grant allows, until it expires or is revoked.`}
      />
      <div className="space-y-8">
        <SectionCard
          id="requests-heading"
          title="Requests waiting for a decision"
          description="Agents asking for more than their grants allow, on behalf of the person they work for."
        >
          <GrantRequests />
        </SectionCard>
        <SectionCard id="grants-heading" title="Grants">
          <GrantsList />
        </SectionCard>
        <SectionCard
          id="new-grant-heading"
          title="New grant"
          description={`Let an agent do some actions for up to ${MAX_GRANT_DAYS} days. Policies still apply: a grant never gets past a forbid or an approval gate.`}
        >
          <NewGrantForm maxDays={MAX_GRANT_DAYS} />
        </SectionCard>
        <SectionCard id="agents-heading" title="Agents">
          <AgentsList />
        </SectionCard>
        <SectionCard
          id="register-agent-heading"
          title="Register an agent"
          description="An agent runs one skill from a publisher, and has no permissions until it is given a grant."
        >
          <RegisterAgentForm />
        </SectionCard>
      </div>
    </>
  );
}
