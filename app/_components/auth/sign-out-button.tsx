import { signOutAction } from "@/app/_lib/auth-actions";
import { Button } from "@/app/_components/ui/button";

/** Ends the session; with `callbackUrl`, the sign-in page that follows comes back to it. */
export function SignOutButton({
  callbackUrl,
  variant = "secondary",
  className = "",
}: {
  callbackUrl?: string;
  variant?: "secondary" | "ghost";
  className?: string;
}) {
  return (
    <form action={signOutAction}>
      {callbackUrl ? <input type="hidden" name="callbackUrl" value={callbackUrl} /> : null}
      <Button type="submit" variant={variant} size="sm" className={className}>
        Sign out
      </Button>
    </form>
  );
}
