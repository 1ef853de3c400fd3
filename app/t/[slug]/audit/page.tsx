import type { Metadata } from "next";
import { AuditConsole } from "@/app/_components/audit/audit-console";
import { RestrictedPage } from "@/app/_components/ui/restricted-page";
import { PageHeader } from "@/app/_components/ui/card";
import { loadTenantPage } from "@/app/_lib/tenant-page";
import { canReadAuditLog } from "@/server/kernel/audit/query";

export const metadata: Metadata = { title: "Audit log" };

export default async function AuditPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { tenant } = await loadTenantPage(slug, `/t/${slug}/audit`);
  if (!canReadAuditLog(tenant.role)) {
    return <RestrictedPage title="Audit log" message="Only owners and admins can see the audit log." />;
  }
  return (
    <>
      <PageHeader
        title="Audit log"
        description={`Everything people, agents and workflows did in ${tenant.name}, in a tamper-evident log.`}
      />
      <AuditConsole />
    </>
  );
}
