"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { TextField } from "@/app/_components/ui/field";
import { useTRPC } from "@/app/_lib/trpc";
import { formErrors } from "@/app/_lib/trpc-errors";
import type { ConnectionView, ConnectorField, ConnectorView } from "@/app/_lib/trpc-types";
import { ConnectionFields } from "./connection-fields";
import { credentialsOf, draftOf, parseDraft, type Draft } from "./connector-view";

const paths = (prefix: "credentials" | "config", fields: readonly ConnectorField[]) =>
  fields.map((f) => `${prefix}.${f.name}`);

const prefixed = (prefix: string, errors: Record<string, string>) =>
  Object.fromEntries(Object.entries(errors).map(([name, message]) => [`${prefix}.${name}`, message]));

function useRefreshConnections() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: trpc.connector.connections.pathKey() });
}

/**
 * A new connection: a name, the credentials (password boxes) and the settings, each field generated
 * from the connector's schemas. Once saved, the secrets are cleared from the form and never shown
 * again; the connection shows their hint.
 */
export function NewConnectionForm({
  connector,
  onSaved,
  onCancel,
}: {
  connector: ConnectorView;
  onSaved: (connection: ConnectionView) => void;
  onCancel?: () => void;
}) {
  const trpc = useTRPC();
  const refresh = useRefreshConnections();
  const { credentials: credentialFields, config: configFields } = connector.auth;
  const [name, setName] = useState("");
  const [credentials, setCredentials] = useState<Draft>(() => draftOf(credentialFields));
  const [config, setConfig] = useState<Draft>(() => draftOf(configFields));
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({});
  const create = useMutation(
    trpc.connector.createConnection.mutationOptions({
      onSuccess: async (connection) => {
        // The secrets leave the page's memory as soon as they are saved.
        setCredentials(draftOf(credentialFields));
        setConfig(draftOf(configFields));
        setName("");
        await refresh();
        onSaved(connection);
      },
    }),
  );
  const fields = [
    "name",
    "connectorId",
    ...paths("credentials", credentialFields),
    ...paths("config", configFields),
  ];
  const errors = formErrors(create.error, fields);
  const errorOf = { ...errors.fields, ...clientErrors };

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    create.reset();
    const secrets = parseDraft(credentialFields, credentials);
    const settings = parseDraft(configFields, config);
    const problems = {
      ...(name.trim() === "" ? { name: "Give the connection a name" } : {}),
      ...(secrets.ok ? {} : prefixed("credentials", secrets.errors)),
      ...(settings.ok ? {} : prefixed("config", settings.errors)),
    };
    setClientErrors(problems);
    if (!secrets.ok || !settings.ok || Object.keys(problems).length > 0) return;
    create.mutate({
      connectorId: connector.id,
      name: name.trim(),
      credentials: credentialsOf(secrets.values),
      config: settings.values,
    });
  }

  return (
    <form
      onSubmit={onSubmit}
      aria-label={`New ${connector.name} connection`}
      className="space-y-4"
      noValidate
    >
      <TextField
        label="Name"
        name="name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        hint="How people tell this connection apart, e.g. the account or environment."
        error={errorOf.name}
      />
      {credentialFields.length > 0 ? (
        <fieldset className="space-y-3">
          <legend className="text-sm font-semibold text-slate-900">Credentials</legend>
          <ConnectionFields
            fields={credentialFields}
            draft={credentials}
            onChange={(field, value) => setCredentials((d) => ({ ...d, [field]: value }))}
            errors={errorOf}
            prefix="credentials"
          />
        </fieldset>
      ) : null}
      {configFields.length > 0 ? (
        <fieldset className="space-y-3">
          <legend className="text-sm font-semibold text-slate-900">Settings</legend>
          <ConnectionFields
            fields={configFields}
            draft={config}
            onChange={(field, value) => setConfig((d) => ({ ...d, [field]: value }))}
            errors={errorOf}
            prefix="config"
          />
        </fieldset>
      ) : null}
      <div className="flex flex-wrap gap-2">
        <Button type="submit" pending={create.isPending}>
          Save connection
        </Button>
        {onCancel ? (
          <Button variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
        ) : null}
      </div>
      <Alert>{errors.form ? `Could not save the connection: ${errors.form}` : null}</Alert>
    </form>
  );
}

/** New credentials for a connection; the old ones are replaced and the connection is untested again. */
export function ReplaceCredentialsForm({
  connector,
  connection,
  onSaved,
  onCancel,
}: {
  connector: ConnectorView;
  connection: ConnectionView;
  onSaved: (connection: ConnectionView) => void;
  onCancel: () => void;
}) {
  const trpc = useTRPC();
  const refresh = useRefreshConnections();
  const fields = connector.auth.credentials;
  const [draft, setDraft] = useState<Draft>(() => draftOf(fields));
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({});
  const rotate = useMutation(
    trpc.connector.rotateCredentials.mutationOptions({
      onSuccess: async (saved) => {
        setDraft(draftOf(fields));
        await refresh();
        onSaved(saved);
      },
    }),
  );
  const errors = formErrors(rotate.error, paths("credentials", fields));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    rotate.reset();
    const parsed = parseDraft(fields, draft);
    setClientErrors(parsed.ok ? {} : prefixed("credentials", parsed.errors));
    if (!parsed.ok) return;
    rotate.mutate({ connectionId: connection.id, credentials: credentialsOf(parsed.values) });
  }

  return (
    <form
      onSubmit={onSubmit}
      aria-label={`New credentials for ${connection.name}`}
      className="space-y-3"
      noValidate
    >
      <ConnectionFields
        fields={fields}
        draft={draft}
        onChange={(field, value) => setDraft((d) => ({ ...d, [field]: value }))}
        errors={{ ...errors.fields, ...clientErrors }}
        prefix="credentials"
      />
      <div className="flex flex-wrap gap-2">
        <Button type="submit" size="sm" pending={rotate.isPending}>
          Replace credentials
        </Button>
        <Button variant="secondary" size="sm" onClick={onCancel}>
          Cancel
        </Button>
      </div>
      <Alert>{errors.form ? `Could not replace the credentials: ${errors.form}` : null}</Alert>
    </form>
  );
}

/** A connection's settings, filled in from what it has now. */
export function SettingsForm({
  connector,
  connection,
  onSaved,
  onCancel,
}: {
  connector: ConnectorView;
  connection: ConnectionView;
  onSaved: (connection: ConnectionView) => void;
  onCancel: () => void;
}) {
  const trpc = useTRPC();
  const refresh = useRefreshConnections();
  const fields = connector.auth.config;
  const [draft, setDraft] = useState<Draft>(() => draftOf(fields, connection.config));
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({});
  const update = useMutation(
    trpc.connector.updateConfig.mutationOptions({
      onSuccess: async (saved) => {
        await refresh();
        onSaved(saved);
      },
    }),
  );
  const errors = formErrors(update.error, paths("config", fields));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    update.reset();
    const parsed = parseDraft(fields, draft);
    setClientErrors(parsed.ok ? {} : prefixed("config", parsed.errors));
    if (!parsed.ok) return;
    update.mutate({ connectionId: connection.id, config: parsed.values });
  }

  return (
    <form onSubmit={onSubmit} aria-label={`Settings of ${connection.name}`} className="space-y-3" noValidate>
      <ConnectionFields
        fields={fields}
        draft={draft}
        onChange={(field, value) => setDraft((d) => ({ ...d, [field]: value }))}
        errors={{ ...errors.fields, ...clientErrors }}
        prefix="config"
      />
      <div className="flex flex-wrap gap-2">
        <Button type="submit" size="sm" pending={update.isPending}>
          Save settings
        </Button>
        <Button variant="secondary" size="sm" onClick={onCancel}>
          Cancel
        </Button>
      </div>
      <Alert>{errors.form ? `Could not save the settings: ${errors.form}` : null}</Alert>
    </form>
  );
}
