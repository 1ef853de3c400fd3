import type { Metadata } from "next";
import { RequestsConsole } from "@/app/_components/requests/requests-console";
import { PageHeader } from "@/app/_components/ui/card";
import { loadTenantPage } from "@/app/_lib/tenant-page";

export const metadata: Metadata = { title: "Requests" };

export default async function RequestsPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { tenant } = await loadTenantPage(slug, `/t/${slug}/requests`);
  return (
    <>
      <PageHeader
        title="Requests"
        description={`Ask ${tenant.name} for time off, software, equipment, rooms, repairs, expenses and purchases, and follow what happens to your requests.`}
      />
      <RequestsConsole slug={tenant.slug} />
    </>
  );
}
