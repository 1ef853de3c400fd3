import type { Metadata } from "next";
import Link from "next/link";
import { MemberCount } from "@/app/_components/tenant/member-count";
import { RoleBadge } from "@/app/_components/tenant/role-badge";
import { Card, PageHeader } from "@/app/_components/ui/card";
import { linkClass } from "@/app/_components/ui/styles";
import { loadTenantPage } from "@/app/_lib/tenant-page";
import { canManageMembers, ROLE_DESCRIPTIONS } from "@/server/tenancy/roles";

export const metadata: Metadata = { title: "Home" };

export default async function TenantHomePage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { tenant } = await loadTenantPage(slug, `/t/${slug}`);
  return (
    <>
      <PageHeader
        title={`Welcome to ${tenant.name}`}
        description={`You are signed in to ${tenant.name} on Tenet.`}
      />
      <div className="grid gap-6 md:grid-cols-3">
        <Card className="md:col-span-2">
          <h2 className="text-sm font-medium text-slate-600">Your role</h2>
          <p className="mt-2">
            <RoleBadge role={tenant.role} />
          </p>
          <p className="mt-3 text-slate-800">{ROLE_DESCRIPTIONS[tenant.role]}.</p>
        </Card>
        <Card>
          <h2 className="text-sm font-medium text-slate-600">Team</h2>
          <p className="mt-2">
            <MemberCount />
          </p>
          <p className="mt-3 text-sm">
            <Link href={`/t/${tenant.slug}/members`} className={linkClass}>
              {canManageMembers(tenant.role) ? "Manage the team and invitations" : "See who is here"}
            </Link>
          </p>
        </Card>
        <Card className="md:col-span-3">
          <h2 className="text-sm font-medium text-slate-600">Tenant</h2>
          <dl className="mt-2 grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
            <dt className="text-slate-600">Name</dt>
            <dd className="font-medium text-slate-900">{tenant.name}</dd>
            <dt className="text-slate-600">Address</dt>
            <dd className="font-mono text-slate-900">/t/{tenant.slug}</dd>
          </dl>
        </Card>
      </div>
    </>
  );
}
