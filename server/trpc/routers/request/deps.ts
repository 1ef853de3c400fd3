import type { RequestDeps } from "@/server/requests/requests";
import { inngest } from "@/server/workflows/client";

/** How request and approval procedures reach the workflow engine: the app's Inngest client. */
export const workflowDeps: RequestDeps = { send: (event) => inngest.send(event) };
