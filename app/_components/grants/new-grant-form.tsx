"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { CheckboxField, SelectField, TextField } from "@/app/_components/ui/field";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import { formErrors } from "@/app/_lib/trpc-errors";
import type { ActionName, Agent, PolicyCatalog } from "@/app/_lib/trpc-types";
import { resourceLabel } from "@/server/kernel/access/schema";

const FIELDS = ["agentId", "actions", "resource", "expiresAt", "reason"] as const;
const DEFAULT_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A date as a datetime-local input shows it: the browser's local time, to the minute. */
function localDateTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Loads the agents and the actions a grant can name, then shows the form. */
export function NewGrantForm({ maxDays }: { maxDays: number }) {
  const trpc = useTRPC();
  const agents = useQuery(trpc.agent.list.queryOptions());
  const catalog = useQuery(trpc.policy.catalog.queryOptions());
  const failed = agents.error ?? catalog.error;
  if (failed) return <Alert>Could not load the form: {failed.message}</Alert>;
  if (!agents.data || !catalog.data) return <p className="text-sm text-slate-600">Loading…</p>;
  const enabled = agents.data.filter((a) => !a.disabled);
  if (enabled.length === 0)
    return <p className="text-sm text-slate-600">Register an agent (below) before giving it a grant.</p>;
  return <GrantForm agents={enabled} catalog={catalog.data} maxDays={maxDays} />;
}

/**
 * Gives an agent some actions until an expiry, optionally limited to one resource type or one resource.
 * With a resource type chosen, only the actions on that type can be picked: a grant's actions must all
 * apply to its resource.
 */
function GrantForm({
  agents,
  catalog,
  maxDays,
}: {
  agents: readonly Agent[];
  catalog: PolicyCatalog;
  maxDays: number;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [chosenAgentId, setAgentId] = useState("");
  // The agents can change while the form is open (one registered or disabled below): a choice no longer
  // listed is the first agent, which is also what the select shows.
  const agentId = (agents.find((a) => a.id === chosenAgentId) ?? agents[0])?.id ?? "";
  const [actions, setActions] = useState<ActionName[]>([]);
  const [resourceType, setResourceType] = useState("");
  const [resourceId, setResourceId] = useState("");
  const [expires, setExpires] = useState(() => localDateTime(new Date(Date.now() + DEFAULT_DAYS * DAY_MS)));
  const [reason, setReason] = useState("");
  const [clientErrors, setClientErrors] = useState<Partial<Record<"actions" | "expiresAt", string>>>({});
  const create = useMutation(
    trpc.grant.create.mutationOptions({
      onSuccess: async () => {
        setActions([]);
        setReason("");
        setResourceId("");
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.grant.list.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.agent.list.queryKey() }),
        ]);
      },
    }),
  );
  const errors = formErrors(create.error, FIELDS);
  const actionsError = clientErrors.actions ?? errors.fields.actions;
  const actionsErrorId = useId();
  const types = [...new Set(catalog.actions.map((a) => a.resourceType))];

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const expiresAt = new Date(expires);
    const problems: typeof clientErrors = {};
    if (actions.length === 0) problems.actions = "Choose at least one action";
    if (Number.isNaN(expiresAt.getTime())) problems.expiresAt = "Choose when the grant expires";
    setClientErrors(problems);
    if (Object.keys(problems).length > 0) return;
    const type = types.find((t) => t === resourceType);
    create.mutate({
      agentId,
      actions,
      resource: type ? { type, id: resourceId.trim() || undefined } : null,
      expiresAt,
      reason,
    });
  }

  const now = new Date();
  return (
    <form onSubmit={onSubmit} aria-label="New grant" className="space-y-4" noValidate>
      <div className="grid gap-3 sm:grid-cols-2">
        <SelectField
          label="Agent"
          name="agentId"
          value={agentId}
          onChange={(e) => setAgentId(e.target.value)}
          options={agents.map((a) => ({
            value: a.id,
            label: `${a.name} (${a.skill.name} ${a.skill.version})`,
          }))}
          error={errors.fields.agentId}
        />
        <TextField
          label="Expires"
          name="expiresAt"
          type="datetime-local"
          required
          value={expires}
          min={localDateTime(now)}
          max={localDateTime(new Date(now.getTime() + maxDays * DAY_MS))}
          onChange={(e) => setExpires(e.target.value)}
          hint={`Your local time; at most ${maxDays} days from now.`}
          error={clientErrors.expiresAt ?? errors.fields.expiresAt}
        />
      </div>

      <fieldset aria-describedby={actionsError ? actionsErrorId : undefined}>
        <legend className="text-sm font-medium text-slate-800">Actions</legend>
        <div className="mt-2 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {types.map((type) => {
            const other = resourceType !== "" && resourceType !== type;
            return (
              <fieldset key={type} disabled={other} className="space-y-1.5 disabled:opacity-50">
                <legend className="text-xs font-semibold tracking-wide text-slate-600 uppercase">
                  {resourceLabel(type)}s
                </legend>
                {catalog.actions
                  .filter((a) => a.resourceType === type)
                  .map((a) => (
                    <CheckboxField
                      key={a.name}
                      name="actions"
                      value={a.name}
                      label={a.label}
                      hint={`${a.name} · ${a.effect}`}
                      checked={actions.includes(a.name)}
                      onChange={(e) =>
                        setActions((chosen) =>
                          e.target.checked ? [...chosen, a.name] : chosen.filter((n) => n !== a.name),
                        )
                      }
                    />
                  ))}
              </fieldset>
            );
          })}
        </div>
        {actionsError ? (
          <p id={actionsErrorId} className="mt-1 text-sm text-red-700">
            {actionsError}
          </p>
        ) : null}
      </fieldset>

      <div className="grid gap-3 sm:grid-cols-2">
        <SelectField
          label="Resource type"
          name="resourceType"
          value={resourceType}
          onChange={(e) => {
            const type = e.target.value;
            setResourceType(type);
            if (type)
              setActions((chosen) =>
                chosen.filter((n) => catalog.actions.find((a) => a.name === n)?.resourceType === type),
              );
          }}
          options={[
            { value: "", label: "Any resource" },
            ...types.map((t) => ({ value: t, label: resourceLabel(t) })),
          ]}
          hint="Limit the grant to one type of resource (only its actions can then be chosen)."
          error={errors.fields.resource}
        />
        {resourceType ? (
          <TextField
            label="Resource id"
            name="resourceId"
            value={resourceId}
            onChange={(e) => setResourceId(e.target.value)}
            maxLength={64}
            autoCapitalize="none"
            spellCheck={false}
            hint={`One ${resourceLabel(resourceType)}, e.g. r-101; leave empty for any.`}
          />
        ) : null}
      </div>

      <TextField
        label="Reason"
        name="reason"
        required
        maxLength={500}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        hint="Why the agent needs this; recorded with the grant."
        error={errors.fields.reason}
      />

      <div className="space-y-3">
        <Button type="submit" pending={create.isPending}>
          Create grant
        </Button>
        <Alert>{errors.form ? `Could not create the grant: ${errors.form}` : null}</Alert>
        {create.data && !create.isPending ? (
          <Alert tone="success">
            {create.data.agent.name} may {create.data.describe} until {formatDateTime(create.data.expiresAt)}.
          </Alert>
        ) : null}
      </div>
    </form>
  );
}
