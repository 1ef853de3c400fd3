"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import type { ConnectionView, ConnectorView } from "@/app/_lib/trpc-types";
import { ConnectionStatusBadge } from "./badges";
import { NewConnectionForm, ReplaceCredentialsForm, SettingsForm } from "./connection-forms";
import { formatSetting } from "./connector-view";

/** The tenant's connections to one connector, and the form for a new one (owners and admins). */
export function ConnectionsSection({ connector }: { connector: ConnectorView }) {
  const trpc = useTRPC();
  const connections = useQuery(trpc.connector.connections.queryOptions({ connectorId: connector.id }));
  const [adding, setAdding] = useState(false);
  const [saved, setSaved] = useState<ConnectionView | null>(null);

  if (connections.isError) return <Alert>Could not load the connections: {connections.error.message}</Alert>;
  if (!connections.data) return <p className="text-sm text-slate-600">Loading the connections…</p>;
  const none = connections.data.length === 0;

  return (
    <div className="space-y-4">
      {saved ? (
        <Alert tone="success">
          Saved the connection {saved.name}. Its credentials are stored encrypted and are not shown again (
          {saved.credentialsHint}).
        </Alert>
      ) : null}
      {none && !adding ? (
        <p className="text-sm text-slate-600">
          {connector.name} has no connection yet: agents and workflows cannot use it until one is added.
        </p>
      ) : null}
      {connections.data.length > 0 ? (
        <ul className="space-y-4" aria-label={`Connections to ${connector.name}`}>
          {connections.data.map((connection) => (
            <li key={connection.id}>
              <ConnectionCard connector={connector} connection={connection} onChange={() => setSaved(null)} />
            </li>
          ))}
        </ul>
      ) : null}
      {adding ? (
        <div className="rounded-md border border-slate-200 p-4">
          <h3 className="mb-3 text-sm font-semibold text-slate-900">New connection</h3>
          <NewConnectionForm
            connector={connector}
            onSaved={(connection) => {
              setSaved(connection);
              setAdding(false);
            }}
            onCancel={() => setAdding(false)}
          />
        </div>
      ) : (
        <Button
          variant={none ? "primary" : "secondary"}
          onClick={() => {
            setSaved(null);
            setAdding(true);
          }}
        >
          Add a connection
        </Button>
      )}
    </div>
  );
}

type Mode = "view" | "settings" | "credentials" | "delete";

/** One connection: status, credentials' hint, settings, and what an admin can do with it. */
function ConnectionCard({
  connector,
  connection,
  onChange,
}: {
  connector: ConnectorView;
  connection: ConnectionView;
  onChange: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.connector.connections.pathKey() });
  const [mode, setMode] = useState<Mode>("view");
  const [notice, setNotice] = useState<string | null>(null);
  const test = useMutation(trpc.connector.testConnection.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(trpc.connector.deleteConnection.mutationOptions({ onSuccess: refresh }));
  const headingId = `connection-${connection.id}`;
  const settings = connector.auth.config;
  const extra = Object.keys(connection.config).filter((key) => !settings.some((f) => f.name === key));

  function open(next: Mode) {
    setNotice(null);
    test.reset();
    remove.reset();
    onChange();
    setMode(next);
  }

  return (
    <section aria-labelledby={headingId} className="rounded-md border border-slate-200 p-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h3 id={headingId} className="flex items-center gap-2 text-sm font-semibold text-slate-900">
            {connection.name} <ConnectionStatusBadge status={connection.status} />
          </h3>
          <p className="mt-0.5 text-xs text-slate-600">
            Added by {connection.createdBy.name} on{" "}
            <time dateTime={connection.createdAt.toISOString()}>{formatDateTime(connection.createdAt)}</time>
            {" · "}
            {connection.lastUsedAt ? (
              <>
                last used{" "}
                <time dateTime={connection.lastUsedAt.toISOString()}>
                  {formatDateTime(connection.lastUsedAt)}
                </time>
              </>
            ) : (
              "not used yet"
            )}
          </p>
        </div>
        {mode === "view" ? (
          <div className="flex flex-wrap gap-2">
            <Button
              size="sm"
              variant="secondary"
              pending={test.isPending}
              aria-label={`Test connection ${connection.name}`}
              onClick={() => {
                setNotice(null);
                test.mutate({ connectionId: connection.id });
              }}
            >
              Test connection
            </Button>
            {settings.length > 0 ? (
              <Button size="sm" variant="ghost" onClick={() => open("settings")}>
                Change settings
              </Button>
            ) : null}
            <Button size="sm" variant="ghost" onClick={() => open("credentials")}>
              Replace credentials
            </Button>
            <Button size="sm" variant="ghost" onClick={() => open("delete")}>
              Delete
            </Button>
          </div>
        ) : null}
      </div>

      <dl
        className="mt-3 grid gap-x-6 gap-y-2 text-sm sm:grid-cols-2"
        aria-label={`Details of ${connection.name}`}
      >
        <Setting term="Credentials" value={connection.credentialsHint} mono />
        {settings.map((field) => (
          <Setting key={field.name} term={field.label} value={formatSetting(connection.config[field.name])} />
        ))}
        {extra.map((key) => (
          <Setting key={key} term={key} value={formatSetting(connection.config[key])} />
        ))}
      </dl>

      <div className="mt-3 space-y-3">
        {test.data ? (
          <Alert tone={test.data.ok ? "success" : "error"}>
            {test.data.ok ? "Connection works: " : "Connection failed: "}
            {test.data.message}
          </Alert>
        ) : null}
        <Alert>{test.error ? `Could not test the connection: ${test.error.message}` : null}</Alert>
        {notice ? <Alert tone="success">{notice}</Alert> : null}

        {mode === "settings" ? (
          <SettingsForm
            connector={connector}
            connection={connection}
            onCancel={() => setMode("view")}
            onSaved={(saved) => {
              setMode("view");
              setNotice(`Saved the settings of ${saved.name}. Test the connection to check them.`);
            }}
          />
        ) : null}
        {mode === "credentials" ? (
          <ReplaceCredentialsForm
            connector={connector}
            connection={connection}
            onCancel={() => setMode("view")}
            onSaved={(saved) => {
              setMode("view");
              setNotice(`Replaced the credentials of ${saved.name} (now ${saved.credentialsHint}).`);
            }}
          />
        ) : null}
        {mode === "delete" ? (
          <div
            role="region"
            aria-label={`Delete ${connection.name}`}
            className="space-y-3 rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-950"
          >
            <p className="font-semibold">
              Delete the connection {connection.name}? Its credentials are erased, and agents and workflows
              using it fail until another is added.
            </p>
            <div className="flex flex-wrap gap-2">
              <Button
                variant="danger"
                size="sm"
                pending={remove.isPending}
                onClick={() => remove.mutate({ connectionId: connection.id })}
              >
                Yes, delete it
              </Button>
              <Button variant="secondary" size="sm" onClick={() => setMode("view")}>
                Keep it
              </Button>
            </div>
            <Alert>{remove.error ? `Could not delete the connection: ${remove.error.message}` : null}</Alert>
          </div>
        ) : null}
      </div>
    </section>
  );
}

/** One of a connection's details: its label (often a sentence, from the schema) above its value. */
function Setting({ term, value, mono = false }: { term: string; value: string; mono?: boolean }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-slate-600">{term}</dt>
      <dd className={`break-all text-slate-900 ${mono ? "font-mono" : ""}`}>{value}</dd>
    </div>
  );
}
