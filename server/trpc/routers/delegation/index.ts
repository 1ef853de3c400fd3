/**
 * Approval delegations over server/kernel/access/delegations.ts: a member's out-of-office stand-in,
 * listed, created and revoked. One procedure per file, with its schemas in `*.types.ts`.
 */
import { router } from "../../trpc";
import { create } from "./create";
import { list } from "./list";
import { revoke } from "./revoke";

export const delegationRouter = router({ list, create, revoke });
