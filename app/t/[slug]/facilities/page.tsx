import type { Metadata } from "next";
import { FacilitiesConsole } from "@/app/_components/facilities/facilities-console";
import { PageHeader } from "@/app/_components/ui/card";
import { loadTenantPage } from "@/app/_lib/tenant-page";
import { isFacilitiesManager } from "@/server/facilities/common";

export const metadata: Metadata = { title: "Facilities" };

export default async function FacilitiesPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { tenant } = await loadTenantPage(slug, `/t/${slug}/facilities`);
  return (
    <>
      <PageHeader
        title="Facilities"
        description="Sites and their rooms, desks and equipment, what is booked next and the open maintenance tickets. Owners and admins add sites and spaces, share each space's calendar feed and see who visits today."
      />
      <FacilitiesConsole tenantName={tenant.name} canManage={isFacilitiesManager(tenant.role)} />
    </>
  );
}
