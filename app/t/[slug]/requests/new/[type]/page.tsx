import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { RequestForm } from "@/app/_components/requests/request-form";
import { PageHeader } from "@/app/_components/ui/card";
import { loadTenantPage } from "@/app/_lib/tenant-page";
import { definitionOf } from "@/server/requests/catalog";
import { requestTypeSchema } from "@/server/requests/types";

export const metadata: Metadata = { title: "New request" };

export default async function NewRequestPage({
  params,
}: {
  params: Promise<{ slug: string; type: string }>;
}) {
  const { slug, type } = await params;
  const { tenant } = await loadTenantPage(slug, `/t/${slug}/requests/new/${encodeURIComponent(type)}`);
  const parsed = requestTypeSchema.safeParse(type);
  if (!parsed.success) notFound();
  const definition = definitionOf(parsed.data);
  return (
    <>
      <PageHeader title={`New request: ${definition.title}`} description={definition.description} />
      <RequestForm slug={tenant.slug} type={parsed.data} />
    </>
  );
}
