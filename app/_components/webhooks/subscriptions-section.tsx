"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { TextField } from "@/app/_components/ui/field";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import { formErrors } from "@/app/_lib/trpc-errors";
import type { WebhookSubscription } from "@/app/_lib/trpc-types";
import { EnabledBadge } from "./endpoints-section";
import { OneTimeSecret } from "./one-time-secret";

/** Comma- or whitespace-separated entries of a text field, empty ones dropped. */
export const splitList = (text: string): string[] => text.split(/[\s,]+/).filter((entry) => entry.length > 0);

/** Outbound subscriptions: where the webhook connector's webhook.send delivers, signed. */
export function SubscriptionsSection() {
  const trpc = useTRPC();
  const subscriptions = useQuery(trpc.webhook.subscriptions.queryOptions());
  const [adding, setAdding] = useState(false);
  const [fresh, setFresh] = useState<{ name: string; secret: string } | null>(null);

  if (subscriptions.isError)
    return <Alert>Could not load the subscriptions: {subscriptions.error.message}</Alert>;
  if (!subscriptions.data) return <p className="text-sm text-slate-600">Loading the subscriptions…</p>;

  return (
    <div className="space-y-4">
      {fresh ? (
        <OneTimeSecret
          label={`Secret for ${fresh.name}`}
          message={`Made the subscription ${fresh.name}. Give its receiver this secret to check the signatures.`}
          secret={fresh.secret}
          onDone={() => setFresh(null)}
        />
      ) : null}
      {subscriptions.data.length === 0 && !adding ? (
        <p className="text-sm text-slate-600">
          No subscription yet: workflows have nowhere to send webhooks.
        </p>
      ) : null}
      {subscriptions.data.length > 0 ? (
        <ul className="space-y-4" aria-label="Outbound subscriptions">
          {subscriptions.data.map((subscription) => (
            <li key={subscription.id}>
              <SubscriptionCard subscription={subscription} />
            </li>
          ))}
        </ul>
      ) : null}
      {adding ? (
        <NewSubscriptionForm
          onCreated={(name, secret) => {
            setFresh({ name, secret });
            setAdding(false);
          }}
          onCancel={() => setAdding(false)}
        />
      ) : (
        <Button
          variant={subscriptions.data.length === 0 ? "primary" : "secondary"}
          onClick={() => {
            setFresh(null);
            setAdding(true);
          }}
        >
          Add a subscription
        </Button>
      )}
    </div>
  );
}

function NewSubscriptionForm({
  onCreated,
  onCancel,
}: {
  onCreated: (name: string, secret: string) => void;
  onCancel: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [targetUrl, setTargetUrl] = useState("");
  const [events, setEvents] = useState("*");
  const [allowHosts, setAllowHosts] = useState("");
  const create = useMutation(
    trpc.webhook.createSubscription.mutationOptions({
      onSuccess: async (made) => {
        onCreated(made.subscription.name, made.secret);
        await queryClient.invalidateQueries({ queryKey: trpc.webhook.subscriptions.queryKey() });
      },
    }),
  );
  const errors = formErrors(create.error, ["name", "targetUrl", "events", "allowHosts"] as const);

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    create.mutate({ name, targetUrl, events: splitList(events), allowHosts: splitList(allowHosts) });
  }

  return (
    <form
      onSubmit={onSubmit}
      aria-label="New subscription"
      className="space-y-3 rounded-md border border-slate-200 p-4"
    >
      <h3 className="text-sm font-semibold text-slate-900">New subscription</h3>
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
        label="Target URL"
        name="targetUrl"
        type="url"
        value={targetUrl}
        onChange={(e) => setTargetUrl(e.target.value)}
        error={errors.fields.targetUrl}
        hint="Where deliveries are POSTed; use https."
        required
        className="font-mono"
      />
      <TextField
        label="Events"
        name="events"
        value={events}
        onChange={(e) => setEvents(e.target.value)}
        error={errors.fields.events}
        hint="Separated by commas: exact names (hr/employee.hired), whole domains (hr/*) or * for all."
        required
        className="font-mono"
      />
      <TextField
        label="Allowed internal hosts"
        name="allowHosts"
        value={allowHosts}
        onChange={(e) => setAllowHosts(e.target.value)}
        error={errors.fields.allowHosts}
        hint="Optional, separated by commas: private hosts this subscription may reach on purpose."
        className="font-mono"
      />
      <div className="flex gap-2">
        <Button type="submit" pending={create.isPending}>
          Create subscription
        </Button>
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

function SubscriptionCard({ subscription }: { subscription: WebhookSubscription }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const disable = useMutation(
    trpc.webhook.disableSubscription.mutationOptions({
      onSuccess: async () => {
        setConfirming(false);
        await queryClient.invalidateQueries({ queryKey: trpc.webhook.subscriptions.queryKey() });
      },
    }),
  );
  const headingId = `subscription-${subscription.id}`;

  return (
    <section aria-labelledby={headingId} className="space-y-3 rounded-md border border-slate-200 p-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h3 id={headingId} className="flex items-center gap-2 text-sm font-semibold text-slate-900">
            {subscription.name} <EnabledBadge enabled={subscription.enabled} />
          </h3>
          <p className="mt-0.5 text-xs text-slate-600">
            Secret {subscription.secretHint} · added by {subscription.createdBy.name} on{" "}
            <time dateTime={subscription.createdAt.toISOString()}>
              {formatDateTime(subscription.createdAt)}
            </time>
          </p>
        </div>
        {subscription.enabled && !confirming ? (
          <Button
            size="sm"
            variant="danger"
            aria-label={`Disable ${subscription.name}`}
            onClick={() => setConfirming(true)}
          >
            Disable
          </Button>
        ) : null}
      </div>
      <dl className="grid gap-2 text-sm sm:grid-cols-3" aria-label={`About ${subscription.name}`}>
        <div>
          <dt className="font-medium text-slate-800">Target URL</dt>
          <dd className="font-mono break-all text-slate-700">{subscription.targetUrl}</dd>
        </div>
        <div>
          <dt className="font-medium text-slate-800">Events</dt>
          <dd className="font-mono text-slate-700">{subscription.events.join(", ")}</dd>
        </div>
        <div>
          <dt className="font-medium text-slate-800">Allowed internal hosts</dt>
          <dd className="font-mono text-slate-700">
            {subscription.allowHosts.length > 0 ? subscription.allowHosts.join(", ") : "None"}
          </dd>
        </div>
      </dl>
      {disable.error ? <Alert>{disable.error.message}</Alert> : null}
      {confirming ? (
        <div
          role="region"
          aria-label={`Disable ${subscription.name}`}
          className="space-y-3 rounded-md border border-amber-200 bg-amber-50 p-4 text-sm text-slate-800"
        >
          <p>Workflows can no longer send to this subscription; it cannot be enabled again.</p>
          <div className="flex gap-2">
            <Button
              variant="danger"
              pending={disable.isPending}
              onClick={() => disable.mutate({ subscriptionId: subscription.id })}
            >
              Yes, disable it
            </Button>
            <Button variant="secondary" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
          </div>
        </div>
      ) : null}
      {subscription.recentDeliveries.length > 0 ? (
        <ul
          aria-label={`Recent deliveries to ${subscription.name}`}
          className="space-y-1 text-xs text-slate-700"
        >
          {subscription.recentDeliveries.map((d) => (
            <li key={d.id}>
              <time dateTime={d.createdAt.toISOString()}>{formatDateTime(d.createdAt)}</time> ·{" "}
              <span className="font-mono">{d.event}</span> · attempt {d.attempt} ·{" "}
              {d.status === "succeeded"
                ? `delivered (${d.responseStatus ?? "?"})`
                : `failed: ${d.error ?? "no answer"}`}
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-xs text-slate-600">No deliveries yet.</p>
      )}
    </section>
  );
}
