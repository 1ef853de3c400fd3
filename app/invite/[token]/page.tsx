import type { Metadata } from "next";
import { AuthShell } from "@/app/_components/auth-shell";
import { InviteAcceptance } from "@/app/_components/invite/invite-acceptance";
import { TRPCProvider } from "@/app/_lib/trpc";
import { currentUser } from "@/server/auth/current";

export const metadata: Metadata = { title: "Invitation" };

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const user = await currentUser();
  return (
    <AuthShell>
      <TRPCProvider>
        <InviteAcceptance token={token} signedIn={user !== null} />
      </TRPCProvider>
    </AuthShell>
  );
}
