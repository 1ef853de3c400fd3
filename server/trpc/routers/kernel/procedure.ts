import { ACCESS_MANAGERS } from "@/server/tenancy/roles";
import { roleProcedure } from "../../trpc";

/**
 * The Kernel page's procedures: owners and admins of any tenant may read the pools; which of them may
 * change them (the platform's operators) is the domain's decision (server/kernel/scheduler/pools.ts).
 */
export const kernelProcedure = roleProcedure(ACCESS_MANAGERS);
