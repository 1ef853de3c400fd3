import { signInWithSso } from "@/app/_lib/auth-actions";
import { Button } from "@/app/_components/ui/button";

/** Single sign-on through the configured OIDC provider (only rendered when it is configured). */
export function SsoButton({
  providerName,
  callbackUrl,
}: {
  providerName: string;
  callbackUrl: string | null;
}) {
  return (
    <form action={signInWithSso}>
      {callbackUrl ? <input type="hidden" name="callbackUrl" value={callbackUrl} /> : null}
      <Button type="submit" variant="secondary" className="w-full">
        Continue with {providerName}
      </Button>
    </form>
  );
}
