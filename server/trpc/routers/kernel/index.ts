/**
 * The Kernel page's API, for owners and admins: thin over server/kernel/scheduler (pools.ts, stats.ts).
 * One procedure per file, each with its input and output schemas beside it in `*.types.ts`.
 */
import { router } from "../../trpc";
import { pools } from "./pools";
import { setTenantWeight } from "./set-tenant-weight";
import { stats } from "./stats";
import { updatePool } from "./update-pool";

export const kernelRouter = router({ pools, stats, updatePool, setTenantWeight });
