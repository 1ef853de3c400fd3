/**
 * Inbound webhooks: a POST signed with an endpoint's secret becomes a workflow event
 * (server/webhooks/inbound.ts). No session: the endpoint id and the signature are the credentials.
 */
import { getDb } from "@/server/db/client";
import { handleInboundWebhook } from "@/server/webhooks/inbound";
import { inngest } from "@/server/workflows/client";

export const dynamic = "force-dynamic";

export async function POST(request: Request, context: { params: Promise<{ endpointId: string }> }) {
  const { endpointId } = await context.params;
  return handleInboundWebhook(getDb(), request, endpointId, { send: (event) => inngest.send(event) });
}
