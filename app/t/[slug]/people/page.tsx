import type { Metadata } from "next";
import { PeopleConsole } from "@/app/_components/people/people-console";
import { PageHeader } from "@/app/_components/ui/card";
import { loadTenantPage } from "@/app/_lib/tenant-page";
import { canManageAccess } from "@/server/tenancy/roles";

export const metadata: Metadata = { title: "People" };

export default async function PeoplePage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { tenant } = await loadTenantPage(slug, `/t/${slug}/people`);
  return (
    <>
      <PageHeader
        title="People"
        description="Everyone who works here, by department and reporting line. Owners and admins keep the records: import and export them as CSV, and connect an identity provider that adds and removes members."
      />
      <PeopleConsole tenantName={tenant.name} canManage={canManageAccess(tenant.role)} />
    </>
  );
}
