"use client";

import { useQuery } from "@tanstack/react-query";
import { Alert } from "@/app/_components/ui/alert";
import { useTRPC } from "@/app/_lib/trpc";
import { AddAppForm } from "./add-app-form";
import { AppSection } from "./app-section";

/**
 * The Access catalog page for owners and admins: every app with its roles (archived ones too, to
 * bring back) and the form to add an app. What members may ask for is what is not archived here.
 */
export function AccessCatalogConsole({ tenantName }: { tenantName: string }) {
  const trpc = useTRPC();
  const apps = useQuery(trpc.accessCatalog.apps.queryOptions());
  const connections = useQuery(trpc.accessCatalog.scimConnections.queryOptions());
  const scim = connections.data ?? [];

  return (
    <div className="space-y-6">
      {apps.isError ? <Alert>Could not load the catalog: {apps.error.message}</Alert> : null}
      {connections.isError ? (
        <Alert>Could not load the SCIM connections: {connections.error.message}</Alert>
      ) : null}
      <AddAppForm connections={scim} />
      {!apps.data ? (
        apps.isError ? null : (
          <p className="text-sm text-slate-600">Loading the catalog…</p>
        )
      ) : apps.data.length === 0 ? (
        <p className="text-sm text-slate-600">
          {tenantName}&apos;s catalog is empty. Add the first app above, then its roles.
        </p>
      ) : (
        apps.data.map((app) => <AppSection key={app.id} app={app} connections={scim} />)
      )}
    </div>
  );
}
