/**
 * Approval rules over server/requests/routing.ts, for owners and admins: each request type's levels,
 * and changing or resetting them. One procedure per file, with its schemas in `*.types.ts`.
 */
import { router } from "../../trpc";
import { list } from "./list";
import { set } from "./set";

export const routingRouter = router({ list, set });
