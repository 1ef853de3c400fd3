import type { Metadata } from "next";
import { RunsConsole } from "@/app/_components/runs/runs-console";
import { PageHeader } from "@/app/_components/ui/card";
import { RestrictedPage } from "@/app/_components/ui/restricted-page";
import { loadTenantPage } from "@/app/_lib/tenant-page";
import { canManageWorkflows } from "@/server/tenancy/roles";
import { embeddedEngine } from "@/server/workflows/client";
import { TEST_PING_MESSAGE_MAX } from "@/server/workflows/events";
import { externalEngineMessage } from "@/server/workflows/runs";

export const metadata: Metadata = { title: "Runs" };

export default async function RunsPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { tenant } = await loadTenantPage(slug, `/t/${slug}/runs`);
  if (!canManageWorkflows(tenant.role)) {
    return <RestrictedPage title="Runs" message="Only owners and admins can see workflow runs." />;
  }
  if (!embeddedEngine) return <RestrictedPage title="Runs" message={externalEngineMessage()} />;
  return (
    <>
      <PageHeader
        title="Runs"
        description={`Every run of a workflow in ${tenant.name}: what started it, each step, and how it ended.`}
      />
      <RunsConsole slug={tenant.slug} testMessageMax={TEST_PING_MESSAGE_MAX} />
    </>
  );
}
