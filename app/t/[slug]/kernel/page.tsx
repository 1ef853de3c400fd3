import type { Metadata } from "next";
import { KernelConsole } from "@/app/_components/kernel/kernel-console";
import { PageHeader } from "@/app/_components/ui/card";
import { RestrictedPage } from "@/app/_components/ui/restricted-page";
import { loadTenantPage } from "@/app/_lib/tenant-page";
import { canManageAccess } from "@/server/tenancy/roles";

export const metadata: Metadata = { title: "Kernel" };

export default async function KernelPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { tenant } = await loadTenantPage(slug, `/t/${slug}/kernel`);
  if (!canManageAccess(tenant.role)) {
    return (
      <RestrictedPage title="Kernel" message="Only owners and admins can see the kernel's resource pools." />
    );
  }
  return (
    <>
      <PageHeader
        title="Kernel"
        description="The shared resources agents' syscalls queue for (a language model, a connector's service): each pool's policy and limits, and how it is serving tenants right now."
      />
      <KernelConsole tenantName={tenant.name} />
    </>
  );
}
