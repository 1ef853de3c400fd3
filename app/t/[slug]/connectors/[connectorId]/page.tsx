import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ConnectorDetail } from "@/app/_components/connectors/connector-detail";
import { linkClass } from "@/app/_components/ui/styles";
import { loadTenantPage } from "@/app/_lib/tenant-page";
import { connectionInput } from "@/server/connections/connections";
import { canManageAccess } from "@/server/tenancy/roles";

export const metadata: Metadata = { title: "Connector" };

export default async function ConnectorPage({
  params,
}: {
  params: Promise<{ slug: string; connectorId: string }>;
}) {
  const { slug, connectorId } = await params;
  const { tenant } = await loadTenantPage(slug, `/t/${slug}/connectors/${encodeURIComponent(connectorId)}`);
  // Whether the connector is installed is the API's to say; a malformed id cannot be one.
  if (!connectionInput.shape.connectorId.safeParse(connectorId).success) notFound();
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href={`/t/${tenant.slug}/connectors`} className={linkClass}>
          ← All connectors
        </Link>
      </p>
      <ConnectorDetail id={connectorId} canManage={canManageAccess(tenant.role)} />
    </>
  );
}
