import type { Metadata } from "next";
import Link from "next/link";
import { OutboxList } from "@/app/_components/outbox/outbox-list";
import { PageHeader } from "@/app/_components/ui/card";
import { linkClass } from "@/app/_components/ui/styles";
import { TRPCProvider } from "@/app/_lib/trpc";
import { requireUser } from "@/server/auth/current";

export const metadata: Metadata = { title: "Outbox" };

/**
 * The mail Tenet sent to the signed-in person, for when it sends none by SMTP (development, tests,
 * deployments without SMTP_URL): invitations, approval requests and their links. Outside any tenant,
 * because mail comes from every tenant the person belongs to, and from none.
 */
export default async function OutboxPage() {
  await requireUser("/outbox");
  return (
    <main className="px-4 py-8 md:px-10">
      <div className="mx-auto max-w-3xl">
        <p className="mb-4 text-sm">
          <Link href="/" className={linkClass}>
            Back to Tenet
          </Link>
        </p>
        <PageHeader title="Outbox" description="Mail Tenet sent to you, newest first." />
        <TRPCProvider>
          <OutboxList />
        </TRPCProvider>
      </div>
    </main>
  );
}
