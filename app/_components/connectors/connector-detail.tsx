"use client";

import { useQuery } from "@tanstack/react-query";
import { Alert } from "@/app/_components/ui/alert";
import { PageHeader, SectionCard } from "@/app/_components/ui/card";
import { WebhooksSection } from "@/app/_components/webhooks/webhooks-section";
import { useTRPC } from "@/app/_lib/trpc";
import type { ConnectorView } from "@/app/_lib/trpc-types";
import { PlainBadge } from "./badges";
import { ActionsTable } from "./actions-table";
import { ConnectionsSection } from "./connections-section";
import { AUTH_LABELS, CATEGORY_LABELS, takesConnection } from "./connector-view";
import { RecentCalls } from "./recent-calls";

/** The built-in connector whose page also manages the tenant's webhook endpoints and subscriptions. */
const WEBHOOKS_CONNECTOR_ID = "webhooks";

/**
 * One connector: what it is, its actions, and for owners and admins its connections (for connectors
 * that reach another system) and the calls made through it.
 */
export function ConnectorDetail({ id, canManage }: { id: string; canManage: boolean }) {
  const trpc = useTRPC();
  const connector = useQuery(trpc.connector.get.queryOptions({ id }));
  if (connector.isError)
    return (
      <>
        <PageHeader title="Connector" />
        <Alert>
          {connector.error.data?.code === "NOT_FOUND"
            ? "No installed connector has this id."
            : `Could not load the connector: ${connector.error.message}`}
        </Alert>
      </>
    );
  if (!connector.data) return <p className="text-sm text-slate-600">Loading the connector…</p>;
  return <Connector connector={connector.data} canManage={canManage} />;
}

function Connector({ connector, canManage }: { connector: ConnectorView; canManage: boolean }) {
  const { rateLimits } = connector;
  const limits = [
    rateLimits.concurrency !== null ? `${rateLimits.concurrency} calls at once` : null,
    rateLimits.requestsPerMinute !== null ? `${rateLimits.requestsPerMinute} per minute` : null,
    rateLimits.tenantRequestsPerMinute !== null
      ? `${rateLimits.tenantRequestsPerMinute} per minute per tenant`
      : null,
  ].filter((l) => l !== null);
  return (
    <div className="space-y-6">
      <PageHeader title={connector.name} description={connector.description} />
      <dl aria-label={`About ${connector.name}`} className="flex flex-wrap gap-x-6 gap-y-2 text-sm">
        <div className="flex items-center gap-1.5">
          <dt className="text-slate-600">Category</dt>
          <dd className="font-medium text-slate-900">{CATEGORY_LABELS[connector.category]}</dd>
        </div>
        <div className="flex items-center gap-1.5">
          <dt className="text-slate-600">Connects with</dt>
          <dd>
            <PlainBadge>{AUTH_LABELS[connector.auth.type]}</PlainBadge>
          </dd>
        </div>
        <div className="flex items-center gap-1.5">
          <dt className="text-slate-600">Version</dt>
          <dd className="font-mono text-slate-900">{connector.version}</dd>
        </div>
        <div className="flex items-center gap-1.5">
          <dt className="text-slate-600">Id</dt>
          <dd className="font-mono text-slate-900">{connector.id}</dd>
        </div>
        {limits.length > 0 ? (
          <div className="flex items-center gap-1.5">
            <dt className="text-slate-600">Rate limits</dt>
            <dd className="text-slate-900">{limits.join(", ")}</dd>
          </div>
        ) : null}
      </dl>

      <SectionCard
        id="actions-heading"
        title="Actions"
        description="What agents and workflows can do through this connector. Every call passes the kernel: your policies decide, and write and destructive actions can require approval."
      >
        <ActionsTable connectorName={connector.name} actions={connector.actions} />
      </SectionCard>

      {takesConnection(connector) ? (
        <SectionCard
          id="connections-heading"
          title="Connections"
          description={`How ${connector.name} reaches the other system: credentials (stored encrypted, never shown again) and settings.`}
        >
          {canManage ? (
            <ConnectionsSection connector={connector} />
          ) : (
            <p role="note" className="text-sm text-slate-700">
              Only owners and admins see and manage connections.
            </p>
          )}
        </SectionCard>
      ) : (
        <p role="note" className="text-sm text-slate-700">
          {connector.name} is built in: it works on Tenet&apos;s own data and needs no connection.
        </p>
      )}

      {connector.id === WEBHOOKS_CONNECTOR_ID ? (
        canManage ? (
          <WebhooksSection />
        ) : (
          <p role="note" className="text-sm text-slate-700">
            Only owners and admins see and manage webhook endpoints and subscriptions.
          </p>
        )
      ) : null}

      {canManage ? (
        <SectionCard
          id="recent-calls-heading"
          title="Recent calls"
          description="The latest calls made through this connector, from the audit log."
        >
          <RecentCalls
            connectorId={connector.id}
            connectorName={connector.name}
            withConnections={takesConnection(connector)}
          />
        </SectionCard>
      ) : null}
    </div>
  );
}
