"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { TextField } from "@/app/_components/ui/field";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import { formErrors } from "@/app/_lib/trpc-errors";
import type { WebhookEndpoint } from "@/app/_lib/trpc-types";
import { OneTimeSecret } from "./one-time-secret";

type Fresh = { label: string; message: string; secret: string };

/** Inbound endpoints: where another system POSTs signed events that start the tenant's workflows. */
export function EndpointsSection() {
  const trpc = useTRPC();
  const endpoints = useQuery(trpc.webhook.endpoints.queryOptions());
  const [adding, setAdding] = useState(false);
  const [fresh, setFresh] = useState<Fresh | null>(null);

  if (endpoints.isError) return <Alert>Could not load the endpoints: {endpoints.error.message}</Alert>;
  if (!endpoints.data) return <p className="text-sm text-slate-600">Loading the endpoints…</p>;

  return (
    <div className="space-y-4">
      {fresh ? <OneTimeSecret {...fresh} onDone={() => setFresh(null)} /> : null}
      {endpoints.data.length === 0 && !adding ? (
        <p className="text-sm text-slate-600">No endpoint yet: nothing outside Tenet can start a workflow.</p>
      ) : null}
      {endpoints.data.length > 0 ? (
        <ul className="space-y-4" aria-label="Inbound endpoints">
          {endpoints.data.map((endpoint) => (
            <li key={endpoint.id}>
              <EndpointCard
                endpoint={endpoint}
                onRotated={(secret) =>
                  setFresh({
                    label: `New secret for ${endpoint.name}`,
                    message: `Rotated the secret of ${endpoint.name}; the previous one keeps working for 24 hours.`,
                    secret,
                  })
                }
              />
            </li>
          ))}
        </ul>
      ) : null}
      {adding ? (
        <NewEndpointForm
          onCreated={(name, secret) => {
            setFresh({ label: `Secret for ${name}`, message: `Made the endpoint ${name}.`, secret });
            setAdding(false);
          }}
          onCancel={() => setAdding(false)}
        />
      ) : (
        <Button
          variant={endpoints.data.length === 0 ? "primary" : "secondary"}
          onClick={() => {
            setFresh(null);
            setAdding(true);
          }}
        >
          Add an endpoint
        </Button>
      )}
    </div>
  );
}

function NewEndpointForm({
  onCreated,
  onCancel,
}: {
  onCreated: (name: string, secret: string) => void;
  onCancel: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [event, setEvent] = useState("");
  const create = useMutation(
    trpc.webhook.createEndpoint.mutationOptions({
      onSuccess: async (made) => {
        onCreated(made.endpoint.name, made.secret);
        await queryClient.invalidateQueries({ queryKey: trpc.webhook.endpoints.queryKey() });
      },
    }),
  );
  const errors = formErrors(create.error, ["name", "event"] as const);

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    create.mutate({ name, event });
  }

  return (
    <form
      onSubmit={onSubmit}
      aria-label="New endpoint"
      className="space-y-3 rounded-md border border-slate-200 p-4"
    >
      <h3 className="text-sm font-semibold text-slate-900">New endpoint</h3>
      {errors.form ? <Alert>{errors.form}</Alert> : null}
      <TextField
        label="Name"
        name="name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={errors.fields.name}
        required
        maxLength={100}
      />
      <TextField
        label="Event name"
        name="event"
        value={event}
        onChange={(e) => setEvent(e.target.value)}
        error={errors.fields.event}
        hint="The workflow event each delivery sends, domain/noun.verb in lowercase, e.g. shop/order.paid."
        required
        className="font-mono"
      />
      <div className="flex gap-2">
        <Button type="submit" pending={create.isPending}>
          Create endpoint
        </Button>
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

function EndpointCard({
  endpoint,
  onRotated,
}: {
  endpoint: WebhookEndpoint;
  onRotated: (secret: string) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.webhook.endpoints.queryKey() });
  const [confirming, setConfirming] = useState<"rotate" | "disable" | null>(null);
  const rotate = useMutation(
    trpc.webhook.rotateEndpointSecret.mutationOptions({
      onSuccess: async (made) => {
        setConfirming(null);
        onRotated(made.secret);
        await refresh();
      },
    }),
  );
  const disable = useMutation(
    trpc.webhook.disableEndpoint.mutationOptions({
      onSuccess: async () => {
        setConfirming(null);
        await refresh();
      },
    }),
  );
  const headingId = `endpoint-${endpoint.id}`;
  const error = rotate.error ?? disable.error;

  return (
    <section aria-labelledby={headingId} className="space-y-3 rounded-md border border-slate-200 p-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h3 id={headingId} className="flex items-center gap-2 text-sm font-semibold text-slate-900">
            {endpoint.name} <EnabledBadge enabled={endpoint.enabled} />
          </h3>
          <p className="mt-0.5 text-xs text-slate-600">
            Sends <span className="font-mono">{endpoint.event}</span> · secret {endpoint.secretHint} · added
            by {endpoint.createdBy.name} on{" "}
            <time dateTime={endpoint.createdAt.toISOString()}>{formatDateTime(endpoint.createdAt)}</time>
            {endpoint.previousSecretExpiresAt ? (
              <> · the previous secret works until {formatDateTime(endpoint.previousSecretExpiresAt)}</>
            ) : null}
          </p>
        </div>
        {endpoint.enabled && confirming === null ? (
          <div className="flex flex-wrap gap-2">
            <Button
              size="sm"
              variant="secondary"
              aria-label={`Rotate the secret of ${endpoint.name}`}
              onClick={() => setConfirming("rotate")}
            >
              Rotate secret
            </Button>
            <Button
              size="sm"
              variant="danger"
              aria-label={`Disable ${endpoint.name}`}
              onClick={() => setConfirming("disable")}
            >
              Disable
            </Button>
          </div>
        ) : null}
      </div>
      <TextField
        label="URL to give the sender"
        name={`url-${endpoint.id}`}
        readOnly
        value={endpoint.url}
        onFocus={(e) => e.currentTarget.select()}
        className="font-mono"
      />
      {error ? <Alert>{error.message}</Alert> : null}
      {confirming ? (
        <div
          role="region"
          aria-label={
            confirming === "rotate" ? `Rotate the secret of ${endpoint.name}` : `Disable ${endpoint.name}`
          }
          className="space-y-3 rounded-md border border-amber-200 bg-amber-50 p-4 text-sm text-slate-800"
        >
          <p>
            {confirming === "rotate"
              ? "A new secret is made and shown once; the current one keeps working for 24 hours so the sender can switch over."
              : "Requests to this endpoint are refused from now on; it cannot be enabled again."}
          </p>
          <div className="flex gap-2">
            {confirming === "rotate" ? (
              <Button
                pending={rotate.isPending}
                onClick={() => rotate.mutate({ endpointId: endpoint.id, graceHours: 24 })}
              >
                Yes, rotate it
              </Button>
            ) : (
              <Button
                variant="danger"
                pending={disable.isPending}
                onClick={() => disable.mutate({ endpointId: endpoint.id })}
              >
                Yes, disable it
              </Button>
            )}
            <Button variant="secondary" onClick={() => setConfirming(null)}>
              Cancel
            </Button>
          </div>
        </div>
      ) : null}
      <Deliveries endpoint={endpoint} />
    </section>
  );
}

function Deliveries({ endpoint }: { endpoint: WebhookEndpoint }) {
  if (endpoint.recentDeliveries.length === 0)
    return <p className="text-xs text-slate-600">No deliveries yet.</p>;
  return (
    <table className="w-full text-left text-xs" aria-label={`Recent deliveries to ${endpoint.name}`}>
      <thead className="text-slate-600">
        <tr>
          <th scope="col" className="py-1 pr-3 font-medium">
            Received
          </th>
          <th scope="col" className="py-1 pr-3 font-medium">
            Status
          </th>
          <th scope="col" className="py-1 pr-3 font-medium">
            Reason
          </th>
          <th scope="col" className="py-1 font-medium">
            Size
          </th>
        </tr>
      </thead>
      <tbody className="text-slate-800">
        {endpoint.recentDeliveries.map((d) => (
          <tr key={d.id} className="border-t border-slate-100">
            <td className="py-1 pr-3">
              <time dateTime={d.receivedAt.toISOString()}>{formatDateTime(d.receivedAt)}</time>
            </td>
            <td className="py-1 pr-3">{d.status === "accepted" ? "Accepted" : "Rejected"}</td>
            <td className="py-1 pr-3">{d.reason ?? "—"}</td>
            <td className="py-1">{d.bodyBytes === null ? "—" : `${d.bodyBytes} bytes`}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function EnabledBadge({ enabled }: { enabled: boolean }) {
  return (
    <span
      className={`rounded-full px-2 py-0.5 text-xs font-medium ${enabled ? "bg-emerald-50 text-emerald-800" : "bg-slate-100 text-slate-700"}`}
    >
      {enabled ? "Enabled" : "Disabled"}
    </span>
  );
}
