"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { useTRPC } from "@/app/_lib/trpc";

/** For a visitor already signed in as the invited address: one click joins the tenant. */
export function AcceptAsMember({ token }: { token: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const accept = useMutation(
    trpc.invite.accept.mutationOptions({ onSuccess: ({ tenantSlug }) => router.push(`/t/${tenantSlug}`) }),
  );
  return (
    <div className="space-y-4">
      <Alert>{accept.error?.message}</Alert>
      <Button
        className="w-full"
        pending={accept.isPending || accept.isSuccess}
        onClick={() => accept.mutate({ token })}
      >
        Accept invitation
      </Button>
    </div>
  );
}
