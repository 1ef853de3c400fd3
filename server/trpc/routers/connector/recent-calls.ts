import { findManifest, recentCalls as callsThrough } from "@/server/connections/catalog-view";
import { installedManifests } from "./manifests";
import { connectionsProcedure } from "./procedure";
import { recentCallsInput, recentCallsOutput } from "./recent-calls.types";

/** The tenant's latest calls through a connector, newest first, from the audit log. */
export const recentCalls = connectionsProcedure
  .input(recentCallsInput)
  .output(recentCallsOutput)
  .query(async ({ ctx, input }) => ({
    calls: await callsThrough(ctx.scope, findManifest(installedManifests(), input.connectorId), input.limit),
  }));
