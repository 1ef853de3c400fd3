import type { Metadata } from "next";
import Link from "next/link";
import { AuthShell } from "@/app/_components/auth-shell";
import { SignOutButton } from "@/app/_components/auth/sign-out-button";
import { NewTenantForm } from "@/app/_components/tenant/new-tenant-form";
import { linkClass } from "@/app/_components/ui/styles";
import { TRPCProvider } from "@/app/_lib/trpc";
import { requireUser } from "@/server/auth/current";
import { getDb } from "@/server/db/client";
import { listTenantsForUser } from "@/server/tenancy/tenants";

export const metadata: Metadata = { title: "Create a tenant" };

export default async function NewTenantPage() {
  const user = await requireUser("/tenants/new");
  const tenants = await listTenantsForUser(getDb(), user.userId);
  return (
    <AuthShell
      title="Create a tenant"
      description="A separate space for another company or team. You will be its owner."
      footer={
        tenants.length > 0 ? (
          <Link href="/" className={linkClass}>
            Back to your tenants
          </Link>
        ) : (
          <div className="flex items-center justify-center gap-3">
            <span>You do not belong to any tenant yet.</span>
            <SignOutButton />
          </div>
        )
      }
    >
      <TRPCProvider>
        <NewTenantForm />
      </TRPCProvider>
    </AuthShell>
  );
}
