import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { RunDetail } from "@/app/_components/runs/run-detail";
import { PageHeader } from "@/app/_components/ui/card";
import { RestrictedPage } from "@/app/_components/ui/restricted-page";
import { linkClass } from "@/app/_components/ui/styles";
import { loadTenantPage } from "@/app/_lib/tenant-page";
import { canManageWorkflows } from "@/server/tenancy/roles";
import { embeddedEngine } from "@/server/workflows/client";
import { externalEngineMessage, RUN_ID_PATTERN } from "@/server/workflows/runs";

export const metadata: Metadata = { title: "Run" };

export default async function RunPage({ params }: { params: Promise<{ slug: string; runId: string }> }) {
  const { slug, runId } = await params;
  const { tenant } = await loadTenantPage(slug, `/t/${slug}/runs/${encodeURIComponent(runId)}`);
  if (!canManageWorkflows(tenant.role)) {
    return <RestrictedPage title="Run" message="Only owners and admins can see workflow runs." />;
  }
  if (!embeddedEngine) return <RestrictedPage title="Run" message={externalEngineMessage()} />;
  // Whether the run exists (in this tenant) is the engine's to say; a malformed id cannot be a run.
  if (!RUN_ID_PATTERN.test(runId)) notFound();
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href={`/t/${tenant.slug}/runs`} className={linkClass}>
          ← All runs
        </Link>
      </p>
      <PageHeader title={`Run ${runId}`} />
      <RunDetail slug={tenant.slug} runId={runId} />
    </>
  );
}
