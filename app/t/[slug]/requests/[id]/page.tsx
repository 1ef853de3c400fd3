import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { RequestDetail } from "@/app/_components/requests/request-detail";
import { PageHeader } from "@/app/_components/ui/card";
import { linkClass } from "@/app/_components/ui/styles";
import { loadTenantPage } from "@/app/_lib/tenant-page";
import { canManageWorkflows } from "@/server/tenancy/roles";

export const metadata: Metadata = { title: "Request" };

export default async function RequestPage({ params }: { params: Promise<{ slug: string; id: string }> }) {
  const { slug, id } = await params;
  const { tenant } = await loadTenantPage(slug, `/t/${slug}/requests/${encodeURIComponent(id)}`);
  // Whether it exists, and whether the viewer may see it, is the API's to say; a malformed id cannot be one.
  if (!z.uuid().safeParse(id).success) notFound();
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href={`/t/${tenant.slug}/requests`} className={linkClass}>
          ← All requests
        </Link>
      </p>
      <PageHeader title="Request" />
      <RequestDetail slug={tenant.slug} requestId={id} canSeeRuns={canManageWorkflows(tenant.role)} />
    </>
  );
}
