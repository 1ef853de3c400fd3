"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { CheckboxField, FieldFrame, SelectField, TextField } from "@/app/_components/ui/field";
import { useTRPC } from "@/app/_lib/trpc";
import { formErrors } from "@/app/_lib/trpc-errors";
import type {
  Agent,
  Approver,
  CatalogAction,
  Member,
  PolicyCatalog,
  WhatIfInput,
} from "@/app/_lib/trpc-types";
import { approverLabel } from "./approvers";
import { WhatIfResult } from "./what-if-result";

type ResourceType = CatalogAction["resourceType"];

/**
 * The attributes a what-if resource of each type takes (server/kernel/access/policies.ts builds the
 * resource from them); `owner` describes the member it belongs to, and is null for types nobody owns.
 */
const RESOURCE_FIELDS: Record<
  ResourceType,
  { owner: string | null; amount?: true; days?: true; app?: true }
> = {
  TimeOffRequest: { owner: "The person asking for the time off", days: true },
  Employee: { owner: "The employee whose record it is" },
  AppAccess: { owner: "The person who gets the access", app: true },
  MaintenanceTicket: { owner: "The person who reports the issue" },
  Expense: { owner: "The person who submitted the expense", amount: true },
  PurchaseRequest: { owner: "The person who requests the purchase", amount: true },
  Device: { owner: null },
  Room: { owner: null },
  Desk: { owner: null },
  Equipment: { owner: null },
  Booking: { owner: "The person who made the booking" },
  Visitor: { owner: "The person the visitor comes to see" },
  HttpEndpoint: { owner: null, app: true },
  Webhook: { owner: null },
};

/** Loads who and what can be tested, then shows the tester. */
export function WhatIfTester({
  draftText,
  savedVersion,
  grantsHref,
  onShowPolicy,
}: {
  draftText: string;
  savedVersion: number;
  grantsHref: string;
  onShowPolicy: (id: string) => boolean;
}) {
  const trpc = useTRPC();
  const catalog = useQuery(trpc.policy.catalog.queryOptions());
  const members = useQuery(trpc.member.list.queryOptions());
  const agents = useQuery(trpc.agent.list.queryOptions());
  const failed = catalog.error ?? members.error ?? agents.error;
  if (failed) return <Alert>Could not load the tester: {failed.message}</Alert>;
  if (!catalog.data || !members.data || !agents.data)
    return <p className="text-sm text-slate-600">Loading the tester…</p>;
  return (
    <WhatIfForm
      catalog={catalog.data}
      members={members.data}
      agents={agents.data}
      draftText={draftText}
      savedVersion={savedVersion}
      grantsHref={grantsHref}
      onShowPolicy={onShowPolicy}
    />
  );
}

type Form = {
  principalType: "user" | "agent";
  userId: string;
  agentId: string;
  actingForUserId: string;
  action: string;
  /** "" for the principal's own user. */
  ownerUserId: string;
  amount: string;
  days: string;
  app: string;
  approvals: Approver[];
  useDraft: boolean;
};

type ClientErrors = Partial<Record<"principal" | "amount" | "days", string>>;

/** `id` when it is one of `ids`, else the first of them ("" for none). */
function listed(id: string, ids: readonly string[]): string {
  return ids.includes(id) ? id : (ids[0] ?? "");
}

/** "1,500.50" → 150050; null when it is not an amount of currency units with at most two decimals. */
function amountInCents(text: string): number | null {
  const match = /^(\d{1,10})(?:\.(\d{1,2}))?$/.exec(text.trim().replace(/,/g, ""));
  if (!match?.[1]) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
}

function WhatIfForm({
  catalog,
  members,
  agents,
  draftText,
  savedVersion,
  grantsHref,
  onShowPolicy,
}: {
  catalog: PolicyCatalog;
  members: readonly Member[];
  agents: readonly Agent[];
  draftText: string;
  savedVersion: number;
  grantsHref: string;
  onShowPolicy: (id: string) => boolean;
}) {
  const trpc = useTRPC();
  const [form, setForm] = useState<Form>(() => ({
    principalType: "user",
    userId: "",
    agentId: agents.find((a) => !a.disabled)?.id ?? "",
    actingForUserId: "",
    action: catalog.actions[0]?.name ?? "",
    ownerUserId: "",
    amount: "",
    days: "1",
    app: "",
    approvals: [],
    useDraft: false,
  }));
  const [clientErrors, setClientErrors] = useState<ClientErrors>({});
  const [question, setQuestion] = useState("");
  const whatIf = useMutation(trpc.policy.whatIf.mutationOptions());
  const serverErrors = formErrors(whatIf.error, ["action"] as const);
  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => ({ ...f, [key]: value }));

  // The lists can change while the form is open (a refetch after someone registers an agent): a choice
  // that is not listed (or not made yet) is the first option, which is also what the select shows.
  const userId = listed(
    form.userId,
    members.map((m) => m.userId),
  );
  const agentId = listed(
    form.agentId,
    agents.map((a) => a.id),
  );
  const actingForUserId = listed(
    form.actingForUserId,
    members.map((m) => m.userId),
  );
  const action = catalog.actions.find((a) => a.name === form.action);
  const fields = action ? RESOURCE_FIELDS[action.resourceType] : null;
  const memberName = (userId: string) => members.find((m) => m.userId === userId)?.name ?? "someone";
  const memberOptions = members.map((m) => ({ value: m.userId, label: `${m.name} (${m.role})` }));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!action || !fields) return;
    const errors: ClientErrors = {};
    const principal: WhatIfInput["principal"] | null =
      form.principalType === "user"
        ? userId
          ? { type: "user", userId }
          : null
        : agentId && actingForUserId
          ? { type: "agent", agentId, actingForUserId }
          : null;
    if (!principal) errors.principal = form.principalType === "user" ? "Choose a member" : "Choose an agent";
    const amountCents = fields.amount && form.amount.trim() ? amountInCents(form.amount) : undefined;
    if (amountCents === null) errors.amount = "Enter an amount like 1500 or 1500.00";
    const days = fields.days ? Number(form.days) : undefined;
    if (days !== undefined && !(Number.isInteger(days) && days >= 1 && days <= 365))
      errors.days = "Enter whole days from 1 to 365";
    setClientErrors(errors);
    if (!principal || Object.keys(errors).length > 0) return;

    const who =
      principal.type === "user"
        ? memberName(principal.userId)
        : `${agents.find((a) => a.id === principal.agentId)?.name ?? "The agent"} (for ${memberName(principal.actingForUserId)})`;
    setQuestion(`${who} asking to ${action.label}`);
    whatIf.mutate({
      principal,
      action: action.name,
      resource: {
        ownerUserId: fields.owner && form.ownerUserId ? form.ownerUserId : undefined,
        amountCents: amountCents ?? undefined,
        days,
        app: fields.app && form.app.trim() ? form.app.trim() : undefined,
      },
      approvals: form.approvals,
      draftText: form.useDraft ? draftText : undefined,
    });
  }

  const groups = [...new Set(catalog.actions.map((a) => a.resourceType))];
  return (
    <div className="space-y-4">
      <form onSubmit={onSubmit} aria-label="What-if test" className="space-y-4" noValidate>
        <fieldset className="space-y-3">
          <legend className="text-sm font-medium text-slate-800">Who asks</legend>
          <div className="flex flex-wrap gap-4">
            {(["user", "agent"] as const).map((type) => (
              <label key={type} className="flex items-center gap-2 text-sm text-slate-800">
                <input
                  type="radio"
                  name="principalType"
                  value={type}
                  checked={form.principalType === type}
                  onChange={() => set("principalType", type)}
                  className="size-4 accent-indigo-600"
                />
                {type === "user" ? "A member" : "An agent acting for a member"}
              </label>
            ))}
          </div>
          <div className="grid gap-3 sm:grid-cols-2">
            {form.principalType === "user" ? (
              <SelectField
                label="Member"
                name="userId"
                value={userId}
                onChange={(e) => set("userId", e.target.value)}
                options={memberOptions}
                error={clientErrors.principal}
              />
            ) : agents.length === 0 ? (
              <p className="text-sm text-slate-700 sm:col-span-2">
                No agents are registered yet: register one on the Grants page.
              </p>
            ) : (
              <>
                <SelectField
                  label="Agent"
                  name="agentId"
                  value={agentId}
                  onChange={(e) => set("agentId", e.target.value)}
                  options={agents.map((a) => ({
                    value: a.id,
                    label: `${a.name}${a.disabled ? " (disabled)" : ""}`,
                  }))}
                  error={clientErrors.principal}
                />
                <SelectField
                  label="Acting for"
                  name="actingForUserId"
                  value={actingForUserId}
                  onChange={(e) => set("actingForUserId", e.target.value)}
                  options={memberOptions}
                />
              </>
            )}
          </div>
        </fieldset>

        <div className="grid gap-3 sm:grid-cols-2">
          <FieldFrame
            label="Action"
            error={serverErrors.fields.action}
            hint={action ? `Acts on a ${action.resourceType}; its effect is ${action.effect}.` : undefined}
          >
            {(control) => (
              <select
                {...control}
                name="action"
                value={form.action}
                onChange={(e) => set("action", e.target.value)}
              >
                {groups.map((type) => (
                  <optgroup key={type} label={type}>
                    {catalog.actions
                      .filter((a) => a.resourceType === type)
                      .map((a) => (
                        <option key={a.name} value={a.name}>
                          {a.label} ({a.effect})
                        </option>
                      ))}
                  </optgroup>
                ))}
              </select>
            )}
          </FieldFrame>
          {fields?.owner ? (
            <SelectField
              label="Resource owner"
              name="ownerUserId"
              value={form.ownerUserId}
              onChange={(e) => set("ownerUserId", e.target.value)}
              options={[
                {
                  value: "",
                  label: form.principalType === "user" ? "The same member" : "The member the agent acts for",
                },
                ...memberOptions,
              ]}
              hint={`${fields.owner}.`}
            />
          ) : null}
          {fields?.amount ? (
            <TextField
              label="Amount"
              name="amount"
              inputMode="decimal"
              value={form.amount}
              onChange={(e) => set("amount", e.target.value)}
              hint="In currency units, e.g. 1500.00; empty means 0."
              error={clientErrors.amount}
            />
          ) : null}
          {fields?.days ? (
            <TextField
              label="Days"
              name="days"
              type="number"
              min={1}
              max={365}
              value={form.days}
              onChange={(e) => set("days", e.target.value)}
              error={clientErrors.days}
            />
          ) : null}
          {fields?.app ? (
            <TextField
              label="App"
              name="app"
              maxLength={100}
              value={form.app}
              onChange={(e) => set("app", e.target.value)}
              hint="e.g. Figma"
            />
          ) : null}
        </div>

        <fieldset className="space-y-2">
          <legend className="text-sm font-medium text-slate-800">Approvals already given</legend>
          <div className="grid gap-2 sm:grid-cols-2">
            {catalog.approvers.map((approver) => (
              <CheckboxField
                key={approver}
                name="approvals"
                value={approver}
                label={
                  <>
                    Approved by {approverLabel(approver)} <code className="text-xs">({approver})</code>
                  </>
                }
                checked={form.approvals.includes(approver)}
                onChange={(e) =>
                  set(
                    "approvals",
                    e.target.checked
                      ? [...form.approvals, approver]
                      : form.approvals.filter((a) => a !== approver),
                  )
                }
              />
            ))}
          </div>
        </fieldset>

        <CheckboxField
          name="useDraft"
          label="Test my unsaved draft"
          hint={`Otherwise the saved version ${savedVersion} is tested. Grants count either way.`}
          checked={form.useDraft}
          onChange={(e) => set("useDraft", e.target.checked)}
        />

        <div className="space-y-3">
          <Button
            type="submit"
            pending={whatIf.isPending}
            disabled={form.principalType === "agent" && agents.length === 0}
          >
            Test this request
          </Button>
          <Alert>{serverErrors.form ? `Could not test: ${serverErrors.form}` : null}</Alert>
        </div>
      </form>
      {whatIf.data && !whatIf.isPending ? (
        <WhatIfResult
          answer={whatIf.data}
          question={question}
          grantsHref={grantsHref}
          onShowPolicy={onShowPolicy}
        />
      ) : null}
    </div>
  );
}
