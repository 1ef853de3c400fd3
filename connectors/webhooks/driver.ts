import { parsed } from "@/server/errors";
import type { Resolver } from "@/connectors/http/fetch";
import { previewWebhook, sendWebhook } from "@/server/webhooks/outbound";
import { webhookSendInput } from "@/server/webhooks/schemas";

import { defineDriver, type DriverContext } from "../sdk";
import { webhooksManifest } from "./manifest";

/** A retry of one syscall is the same event to the receiver: its idempotency key, else its id. */
const eventIdOf = (ctx: DriverContext) => ctx.idempotencyKey ?? ctx.syscallId;

export function createWebhooksDriver(deps: { lookup?: Resolver } = {}) {
  return defineDriver(webhooksManifest, {
    "webhook.send": {
      run: async (input, ctx) =>
        sendWebhook(
          {
            tenantId: ctx.tenantId,
            tenant: ctx.tenant,
            eventId: eventIdOf(ctx),
            signal: ctx.signal,
            lookup: deps.lookup,
          },
          parsed(webhookSendInput, input),
        ),
      // Reads the subscription only: no secret is opened, nothing is sent or recorded.
      dryRun: async (input, ctx) => {
        const preview = await previewWebhook(ctx, parsed(webhookSendInput, input));
        return {
          changes: [
            {
              op: "create",
              object: `webhook ${preview.event} to ${preview.host} (subscription "${preview.subscription}")`,
              fields: {
                host: { to: preview.host },
                event: { to: preview.event },
                payloadBytes: { to: preview.payloadBytes },
              },
            },
          ],
          warnings: preview.allowlisted
            ? [`${preview.host} is an internal host the subscription allowlists`]
            : [],
        };
      },
    },
  });
}

export const webhooksDriver = createWebhooksDriver();
