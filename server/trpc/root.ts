import { auditRouter } from "./routers/audit";
import { authRouter } from "./routers/auth";
import { inviteRouter } from "./routers/invite";
import { memberRouter } from "./routers/member";
import { profileRouter } from "./routers/profile";
import { tenantRouter } from "./routers/tenant";
import { createCallerFactory, router } from "./trpc";

export const appRouter = router({
  auth: authRouter,
  tenant: tenantRouter,
  member: memberRouter,
  invite: inviteRouter,
  profile: profileRouter,
  audit: auditRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
