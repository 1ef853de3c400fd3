"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Alert } from "@/app/_components/ui/alert";
import { focusRing } from "@/app/_components/ui/styles";
import { useTRPC } from "@/app/_lib/trpc";
import type { ConnectionView, ConnectorView } from "@/app/_lib/trpc-types";
import { PlainBadge } from "./badges";
import {
  AUTH_LABELS,
  byCategory,
  CATEGORY_LABELS,
  connectionSummary,
  takesConnection,
} from "./connector-view";

/**
 * The installed connectors as cards, by category. Owners and admins also see each connector's
 * connections at a glance; other members see what the connectors are and do.
 */
export function ConnectorCatalog({ slug, canManage }: { slug: string; canManage: boolean }) {
  const trpc = useTRPC();
  const catalog = useQuery(trpc.connector.catalog.queryOptions());
  const connections = useQuery({ ...trpc.connector.connections.queryOptions({}), enabled: canManage });

  if (catalog.isError) return <Alert>Could not load the connectors: {catalog.error.message}</Alert>;
  if (!catalog.data) return <p className="text-sm text-slate-600">Loading the connectors…</p>;
  const groups = byCategory(catalog.data.connectors);

  return (
    <div className="space-y-8">
      {!canManage ? (
        <p role="note" className="text-sm text-slate-700">
          Only owners and admins see and manage the tenant&apos;s connections.
        </p>
      ) : null}
      {connections.isError ? (
        <Alert>Could not load the connections: {connections.error.message}</Alert>
      ) : null}
      {groups.length === 0 ? (
        <p className="text-sm text-slate-600">No connector is installed yet.</p>
      ) : (
        groups.map(({ category, connectors }) => (
          <section key={category} aria-labelledby={`category-${category}`}>
            <h2 id={`category-${category}`} className="text-base font-semibold text-slate-900">
              {CATEGORY_LABELS[category]}
            </h2>
            <ul
              className="mt-3 grid gap-4 sm:grid-cols-2"
              aria-label={`${CATEGORY_LABELS[category]} connectors`}
            >
              {connectors.map((connector) => (
                <li key={connector.id}>
                  <ConnectorCard
                    slug={slug}
                    connector={connector}
                    connections={
                      canManage && connections.data
                        ? connections.data.filter((c) => c.connectorId === connector.id)
                        : null
                    }
                  />
                </li>
              ))}
            </ul>
          </section>
        ))
      )}
    </div>
  );
}

function ConnectorCard({
  slug,
  connector,
  connections,
}: {
  slug: string;
  connector: ConnectorView;
  /** Null when the viewer does not see connections (or they are still loading). */
  connections: ConnectionView[] | null;
}) {
  const actions = connector.actions.length;
  return (
    <Link
      href={`/t/${slug}/connectors/${connector.id}`}
      className={`block h-full rounded-lg border border-slate-200 bg-white p-5 shadow-xs hover:border-indigo-300 hover:shadow-sm ${focusRing}`}
    >
      <div className="flex flex-wrap items-start justify-between gap-2">
        <h3 className="text-sm font-semibold text-indigo-800">{connector.name}</h3>
        <PlainBadge>{AUTH_LABELS[connector.auth.type]}</PlainBadge>
      </div>
      <p className="mt-1 text-sm text-slate-700">{connector.description}</p>
      <p className="mt-3 text-xs text-slate-600">
        {actions} {actions === 1 ? "action" : "actions"} · version {connector.version}
        {takesConnection(connector) && connections ? <> · {connectionSummary(connections)}</> : null}
        {!takesConnection(connector) ? <> · works on Tenet&apos;s own data</> : null}
      </p>
    </Link>
  );
}
