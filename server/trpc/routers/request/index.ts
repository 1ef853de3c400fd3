/**
 * The Requests pages' API over server/requests/: the catalog with its generated forms, submitting a
 * request (which starts its workflow), the viewer's requests, one request with its timeline, and
 * cancelling. One procedure per file, each with its input and output schemas in `*.types.ts`.
 */
import { router } from "../../trpc";
import { cancel } from "./cancel";
import { catalog } from "./catalog";
import { get } from "./get";
import { mine } from "./mine";
import { submit } from "./submit";

export const requestRouter = router({ catalog, submit, mine, get, cancel });
