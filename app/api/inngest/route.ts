/**
 * The app's Inngest endpoint: the engine syncs the functions from here (PUT), reads them (GET) and calls
 * them step by step (POST). In cloud mode the SDK checks each call's signature (INNGEST_SIGNING_KEY).
 */
import { serve } from "inngest/next";
import { inngest } from "@/server/workflows/client";
import { functions } from "@/server/workflows/functions";

export const { GET, POST, PUT } = serve({ client: inngest, functions });
