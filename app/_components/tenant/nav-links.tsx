"use client";

import Link from "next/link";
import type { ReactNode } from "react";
import { usePathname } from "next/navigation";
import { focusRing } from "@/app/_components/ui/styles";
import { ApprovalsCount } from "./approvals-count";

/**
 * The tenant's pages, with aria-current on the one being shown; people (the directory, org chart) and
 * the connectors for every member (the pages show records, imports, the SCIM token and connections
 * only to those who manage access); policies, grants, the access catalog and the kernel's resource
 * pools for those who manage access, workflow runs and approval rules for those who manage workflows,
 * and the audit log for those who may read it. Requests and Approvals (with how many wait for the
 * viewer) for everyone.
 */
export function NavLinks({
  slug,
  access,
  runs,
  auditLog,
}: {
  slug: string;
  access: boolean;
  runs: boolean;
  auditLog: boolean;
}) {
  const pathname = usePathname();
  const base = `/t/${slug}`;
  const links: { href: string; label: string; active: boolean; badge?: ReactNode }[] = [
    { href: base, label: "Home", active: pathname === base },
    { href: `${base}/requests`, label: "Requests", active: pathname.startsWith(`${base}/requests`) },
    {
      href: `${base}/approvals`,
      label: "Approvals",
      active: pathname.startsWith(`${base}/approvals`),
      badge: <ApprovalsCount />,
    },
    { href: `${base}/members`, label: "Members", active: pathname.startsWith(`${base}/members`) },
    { href: `${base}/people`, label: "People", active: pathname.startsWith(`${base}/people`) },
    {
      href: `${base}/facilities`,
      label: "Facilities",
      active: pathname.startsWith(`${base}/facilities`),
    },
    { href: `${base}/connectors`, label: "Connectors", active: pathname.startsWith(`${base}/connectors`) },
    ...(access
      ? [
          { href: `${base}/policies`, label: "Policies", active: pathname.startsWith(`${base}/policies`) },
          { href: `${base}/grants`, label: "Grants", active: pathname.startsWith(`${base}/grants`) },
          {
            href: `${base}/access-catalog`,
            label: "Access catalog",
            active: pathname.startsWith(`${base}/access-catalog`),
          },
        ]
      : []),
    ...(runs ? [{ href: `${base}/runs`, label: "Runs", active: pathname.startsWith(`${base}/runs`) }] : []),
    ...(runs
      ? [
          {
            href: `${base}/settings/approval-rules`,
            label: "Approval rules",
            active: pathname.startsWith(`${base}/settings/approval-rules`),
          },
        ]
      : []),
    ...(access
      ? [{ href: `${base}/kernel`, label: "Kernel", active: pathname.startsWith(`${base}/kernel`) }]
      : []),
    ...(auditLog
      ? [{ href: `${base}/audit`, label: "Audit log", active: pathname.startsWith(`${base}/audit`) }]
      : []),
    { href: `${base}/profile`, label: "Profile", active: pathname.startsWith(`${base}/profile`) },
  ];
  return (
    <nav aria-label="Tenant">
      <ul className="space-y-1">
        {links.map((link) => (
          <li key={link.href}>
            <Link
              href={link.href}
              aria-current={link.active ? "page" : undefined}
              className={`block rounded-md px-3 py-2 text-sm font-medium ${focusRing} ${
                link.active
                  ? "bg-indigo-50 text-indigo-800"
                  : "text-slate-700 hover:bg-slate-100 hover:text-slate-900"
              }`}
            >
              {link.label}
              {link.badge}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
