import Link from "next/link";
import { SignOutButton } from "@/app/_components/auth/sign-out-button";
import { linkClass } from "@/app/_components/ui/styles";
import { env } from "@/server/env.js";
import { canManageAccess, canManageWorkflows } from "@/server/tenancy/roles";
import { canReadAuditLog } from "@/server/kernel/audit/query";
import type { Role } from "@/server/tenancy/roles";
import { NavLinks } from "./nav-links";
import { TenantSwitcher } from "./tenant-switcher";
import { UserSummary } from "./user-summary";

type TenantLink = { slug: string; name: string };

export function Sidebar({
  current,
  tenants,
}: {
  current: TenantLink & { role: Role };
  tenants: readonly TenantLink[];
}) {
  return (
    <aside className="flex flex-col gap-6 border-b border-slate-200 bg-white p-4 md:sticky md:top-0 md:h-screen md:w-64 md:shrink-0 md:border-r md:border-b-0">
      <p className="px-1 text-lg font-bold tracking-tight text-indigo-700">Tenet</p>
      <TenantSwitcher current={current} tenants={tenants} />
      <NavLinks
        slug={current.slug}
        access={canManageAccess(current.role)}
        runs={canManageWorkflows(current.role)}
        auditLog={canReadAuditLog(current.role)}
      />
      <div className="mt-auto border-t border-slate-200 pt-4">
        <div className="flex items-center justify-between gap-3">
          <UserSummary />
          <SignOutButton />
        </div>
        {/* Without SMTP, the Outbox is where a person's mail (invitations, approval links) arrives. */}
        {env.SMTP_URL ? null : (
          <Link href="/outbox" className={`mt-3 inline-block text-sm ${linkClass}`}>
            Outbox
          </Link>
        )}
      </div>
    </aside>
  );
}
