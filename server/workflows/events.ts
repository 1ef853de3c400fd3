/**
 * The events Tenet's workflows are triggered by, named `domain/noun.verb`. Every event carries the
 * tenant it is about: concurrency is keyed by it (tenant-function.ts), and the engine files a run under
 * it, so one tenant's admins see only their own runs. The SDK validates a received event's data against
 * these schemas before a function runs (a mismatch fails the run without retries).
 */
import { eventType } from "inngest";
import { z } from "zod";

/** A tenant's id (a UUID): the only thing the engine and the workflows trust to say whose work it is. */
export const tenantIdField = z.uuid("tenantId must be a tenant's id (a UUID)");

/** Ask for one tenant's audit chain to be verified (the nightly check sends one per tenant). */
export const auditChainVerifyRequested = eventType("audit/chain.verify.requested", {
  schema: z.object({ tenantId: tenantIdField }),
});

export const TEST_PING_MESSAGE_MAX = 200;

/** The Runs page's "Send test event": a short run an admin can watch step by step. */
export const workflowsTestPing = eventType("workflows/test.ping", {
  schema: z.object({
    tenantId: tenantIdField,
    message: z.string().max(TEST_PING_MESSAGE_MAX).optional(),
  }),
});
