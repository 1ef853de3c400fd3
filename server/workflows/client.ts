/**
 * The app's Inngest client (app id `tenet`), configured from server/env.js only. Where it sends events
 * and which server it syncs with is decided in connection.ts: Tenet's engine unless INNGEST_BASE_URL or
 * INNGEST_DEV say otherwise.
 */
import { Inngest } from "inngest";
import { env } from "@/server/env.js";
import { engineUrl as engineUrlOf, inngestConnection } from "./connection";

export const APP_ID = "tenet";

const connection = inngestConnection(env);

/** The workflow engine's origin, whose console API (server/engine/api-schema.ts) the Runs page reads. */
export const engineUrl = (): string => engineUrlOf(env);

/** Whether workflows run on Tenet's engine; with Inngest's own servers there is no Runs page here. */
export const embeddedEngine: boolean = connection.embeddedEngine;

/** Where workflow traffic goes (for messages), or null for Inngest Cloud's default origin. */
export const workflowTarget: string | null = connection.target;

export const inngest = new Inngest({
  id: APP_ID,
  isDev: connection.isDev,
  baseUrl: connection.baseUrl,
  signingKey: env.INNGEST_SIGNING_KEY,
  signingKeyFallback: env.INNGEST_SIGNING_KEY_FALLBACK,
  eventKey: connection.eventKey,
});

/** The id the engine knows a function by: the SDK prefixes the app id (docs/engine-protocol.md §2.3). */
export const engineFunctionId = (functionId: string): string => `${APP_ID}-${functionId}`;
