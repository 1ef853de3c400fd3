import { Alert } from "@/app/_components/ui/alert";
import type { AppClientError } from "@/app/_lib/trpc-errors";

/**
 * A failed read or action on the Runs pages. An engine that cannot be reached is said plainly, with
 * where it was looked for (the server's message), and what happens next; anything else is one line.
 */
export function RunsError({ error, doing }: { error: AppClientError; doing: string }) {
  if (error.data?.code === "SERVICE_UNAVAILABLE") {
    return <Alert>{error.message}. Runs are shown here again once the workflow engine answers.</Alert>;
  }
  return (
    <Alert>
      Could not {doing}: {error.message}
    </Alert>
  );
}
