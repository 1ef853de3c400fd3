import type { Metadata } from "next";
import { ChangePasswordForm } from "@/app/_components/profile/change-password-form";
import { ProfileNameForm } from "@/app/_components/profile/profile-name-form";
import { SessionsList } from "@/app/_components/profile/sessions-list";
import { PageHeader, SectionCard } from "@/app/_components/ui/card";
import { loadTenantPage } from "@/app/_lib/tenant-page";

export const metadata: Metadata = { title: "Profile" };

export default async function ProfilePage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  await loadTenantPage(slug, `/t/${slug}/profile`);
  return (
    <>
      <PageHeader title="Profile" description="Your account, in every tenant you belong to." />
      <div className="grid gap-6 lg:grid-cols-2">
        <SectionCard id="details-heading" title="Your details">
          <ProfileNameForm />
        </SectionCard>
        <SectionCard
          id="password-heading"
          title="Password"
          description="Changing your password signs you out everywhere else."
        >
          <ChangePasswordForm />
        </SectionCard>
        <div className="lg:col-span-2">
          <SectionCard
            id="sessions-heading"
            title="Active sessions"
            description="Where your account is signed in. Sign out anywhere you do not recognise."
          >
            <SessionsList />
          </SectionCard>
        </div>
      </div>
    </>
  );
}
