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

/** A request was submitted (server/requests/requests.ts); the workflow for its type takes it on. */
export const requestSubmitted = eventType("requests/request.submitted", {
  schema: z.object({ tenantId: tenantIdField, requestId: z.uuid(), type: z.string().max(60) }),
});

/**
 * Someone decided on an approval task (server/requests/approvals.ts). The decision is in the database;
 * this event only wakes the request's run, through the announcer below.
 */
export const approvalRecorded = eventType("requests/approval.recorded", {
  schema: z.object({ tenantId: tenantIdField, requestId: z.uuid(), taskId: z.uuid() }),
});

/** Wakes a request's run waiting on the task (sent by the announcer, requests-approval-announce). */
export const approvalDecided = eventType("requests/approval.decided", {
  schema: z.object({ tenantId: tenantIdField, requestId: z.uuid(), taskId: z.uuid() }),
});

/** A request was cancelled by its requester or an admin; its run stops where it waits. */
export const requestCancelled = eventType("requests/request.cancelled", {
  schema: z.object({ tenantId: tenantIdField, requestId: z.uuid() }),
});
