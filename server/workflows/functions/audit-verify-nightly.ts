/**
 * Every night at 03:00 UTC, asks for every tenant's audit chain to be verified: one
 * `audit/chain.verify.requested` event per tenant, each verified by its own run of
 * `audit-verify-chain` (so one tenant's long chain or failure holds up no other, and each tenant's run
 * shows on that tenant's Runs page). This run itself belongs to no tenant.
 */
import { cron } from "inngest";
import { getDb } from "@/server/db/client";
import { listTenantIds, TENANT_ID_PAGE } from "@/server/tenancy/tenants";
import { inngest } from "../client";
import { auditChainVerifyRequested } from "../events";
import { FUNCTION_IDS } from "./ids";

export const AUDIT_VERIFY_SCHEDULE = "TZ=UTC 0 3 * * *";

export const auditVerifyNightly = inngest.createFunction(
  {
    id: FUNCTION_IDS.auditVerifyNightly,
    name: "Nightly audit verification (every tenant)",
    triggers: [cron(AUDIT_VERIFY_SCHEDULE)],
    // Two schedules overlapping would only ask twice; one at a time keeps the fan-out readable.
    concurrency: { limit: 1 },
  },
  async ({ event, step }) => {
    // One id per tenant per night: if the schedule fires twice (two engines, a retried trigger), the
    // engine drops the second request for the same night (events with one id start one run).
    const night = new Date(event.ts).toISOString().slice(0, 10);
    let after: string | null = null;
    let tenants = 0;
    // Page by page (each page its own step), so the fan-out scales with the number of tenants.
    for (let page = 0; ; page++) {
      const cursor: string | null = after;
      const ids: string[] = await step.run(`list-tenants-${page}`, () =>
        listTenantIds(getDb(), { after: cursor, limit: TENANT_ID_PAGE }),
      );
      if (ids.length > 0) {
        await step.sendEvent(
          `request-verification-${page}`,
          ids.map((tenantId) =>
            auditChainVerifyRequested.create({ tenantId }, { id: `audit-chain-verify-${night}-${tenantId}` }),
          ),
        );
      }
      tenants += ids.length;
      const last: string | undefined = ids.at(-1);
      if (ids.length < TENANT_ID_PAGE || last === undefined) break;
      after = last;
    }
    return { night, tenants };
  },
);
