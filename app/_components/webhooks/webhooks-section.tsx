"use client";

import { SectionCard } from "@/app/_components/ui/card";
import { EndpointsSection } from "./endpoints-section";
import { SubscriptionsSection } from "./subscriptions-section";

/** The webhooks connector's own settings: inbound endpoints and outbound subscriptions (owners and admins). */
export function WebhooksSection() {
  return (
    <>
      <SectionCard
        id="webhook-endpoints-heading"
        title="Inbound endpoints"
        description="Addresses another system POSTs signed JSON to; each delivery starts the workflows listening for its event."
      >
        <EndpointsSection />
      </SectionCard>
      <SectionCard
        id="webhook-subscriptions-heading"
        title="Outbound subscriptions"
        description="Where workflows send webhooks, each signed with the subscription's secret."
      >
        <SubscriptionsSection />
      </SectionCard>
    </>
  );
}
