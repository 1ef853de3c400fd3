import type { Metadata } from "next";
import { ConnectorCatalog } from "@/app/_components/connectors/connector-catalog";
import { PageHeader } from "@/app/_components/ui/card";
import { loadTenantPage } from "@/app/_lib/tenant-page";
import { canManageAccess } from "@/server/tenancy/roles";

export const metadata: Metadata = { title: "Connectors" };

export default async function ConnectorsPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { tenant } = await loadTenantPage(slug, `/t/${slug}/connectors`);
  return (
    <>
      <PageHeader
        title="Connectors"
        description="The systems agents and workflows act on, and what each action does. Every call goes through the kernel: authorized by your policies, scheduled, and recorded in the audit log."
      />
      <ConnectorCatalog slug={tenant.slug} canManage={canManageAccess(tenant.role)} />
    </>
  );
}
