import type { Metadata } from "next";
import { InviteForm } from "@/app/_components/members/invite-form";
import { MembersTable } from "@/app/_components/members/members-table";
import { PendingInvites } from "@/app/_components/members/pending-invites";
import { PageHeader, SectionCard } from "@/app/_components/ui/card";
import { loadTenantPage } from "@/app/_lib/tenant-page";
import type { RoleOption } from "@/app/_lib/trpc-types";
import { assignableRoles, canManageMembers, ROLE_DESCRIPTIONS } from "@/server/tenancy/roles";

export const metadata: Metadata = { title: "Members" };

export default async function MembersPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { user, tenant } = await loadTenantPage(slug, `/t/${slug}/members`);
  const canManage = canManageMembers(tenant.role);
  // Only the roles this member may give: admins never see "owner" as a choice.
  const roleOptions: readonly RoleOption[] = assignableRoles(tenant.role).map((value) => ({
    value,
    description: ROLE_DESCRIPTIONS[value],
  }));
  return (
    <>
      <PageHeader
        title="Members"
        description={
          canManage
            ? `Everyone in ${tenant.name}. Invite people, change what they can do, or remove them.`
            : `Everyone in ${tenant.name}.`
        }
      />
      <div className="space-y-8">
        <MembersTable
          currentUserId={user.userId}
          tenantName={tenant.name}
          roles={canManage ? roleOptions : undefined}
        />
        {canManage ? (
          <>
            <SectionCard
              id="invite-heading"
              title="Invite a member"
              description="They get a link that works once. If email is not set up, copy the link and send it yourself."
            >
              <InviteForm roles={roleOptions} defaultRole="employee" />
            </SectionCard>
            <SectionCard id="pending-heading" title="Pending invitations">
              <PendingInvites />
            </SectionCard>
          </>
        ) : null}
      </div>
    </>
  );
}
