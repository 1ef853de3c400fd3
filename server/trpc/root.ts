import { accessCatalogRouter } from "./routers/access-catalog";
import { agentRouter } from "./routers/agent";
import { approvalRouter } from "./routers/approval";
import { auditRouter } from "./routers/audit";
import { grantRouter } from "./routers/grant";
import { hrRouter } from "./routers/hr";
import { policyRouter } from "./routers/policy";
import { authRouter } from "./routers/auth";
import { connectorRouter } from "./routers/connector";
import { delegationRouter } from "./routers/delegation";
import { facilitiesRouter } from "./routers/facilities";
import { inviteRouter } from "./routers/invite";
import { kernelRouter } from "./routers/kernel";
import { memberRouter } from "./routers/member";
import { outboxRouter } from "./routers/outbox";
import { profileRouter } from "./routers/profile";
import { requestRouter } from "./routers/request";
import { routingRouter } from "./routers/routing";
import { runsRouter } from "./routers/runs";
import { scimRouter } from "./routers/scim";
import { tenantRouter } from "./routers/tenant";
import { webhookRouter } from "./routers/webhook";
import { createCallerFactory, router } from "./trpc";

export const appRouter = router({
  auth: authRouter,
  tenant: tenantRouter,
  member: memberRouter,
  invite: inviteRouter,
  profile: profileRouter,
  audit: auditRouter,
  policy: policyRouter,
  grant: grantRouter,
  agent: agentRouter,
  runs: runsRouter,
  kernel: kernelRouter,
  connector: connectorRouter,
  hr: hrRouter,
  scim: scimRouter,
  facilities: facilitiesRouter,
  accessCatalog: accessCatalogRouter,
  webhook: webhookRouter,
  request: requestRouter,
  approval: approvalRouter,
  delegation: delegationRouter,
  routing: routingRouter,
  outbox: outboxRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
