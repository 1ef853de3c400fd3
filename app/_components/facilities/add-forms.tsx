"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { SectionCard } from "@/app/_components/ui/card";
import { SelectField, TextField } from "@/app/_components/ui/field";
import { useTRPC } from "@/app/_lib/trpc";
import { formErrors } from "@/app/_lib/trpc-errors";
import type { FacilitySite, SpaceKind } from "@/app/_lib/trpc-types";
import { KIND_LABELS } from "./labels";

const KINDS: readonly SpaceKind[] = ["room", "desk", "equipment"];

/** Owners and admins add a site: its name, IANA time zone (bookings and feeds use it) and address. */
export function AddSiteForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [timeZone, setTimeZone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  const [address, setAddress] = useState("");
  const [added, setAdded] = useState<string | null>(null);
  const create = useMutation(
    trpc.facilities.createSite.mutationOptions({
      onSuccess: async (site) => {
        setAdded(site.name);
        setName("");
        setAddress("");
        await queryClient.invalidateQueries({ queryKey: trpc.facilities.sites.queryKey() });
      },
    }),
  );
  const errors = formErrors(create.error, ["name", "timeZone", "address"] as const);

  function submit(e: FormEvent) {
    e.preventDefault();
    setAdded(null);
    create.mutate({ name, timeZone, address });
  }

  return (
    <SectionCard
      id="add-site"
      title="Add a site"
      description="An office, a building or a floor with its own clock."
    >
      <form className="space-y-3" onSubmit={submit} aria-label="Add a site">
        <TextField
          label="Name"
          name="siteName"
          required
          maxLength={200}
          value={name}
          error={errors.fields.name}
          onChange={(e) => setName(e.target.value)}
        />
        <TextField
          label="Time zone"
          name="timeZone"
          required
          value={timeZone}
          hint='An IANA time zone such as "Europe/Berlin".'
          error={errors.fields.timeZone}
          onChange={(e) => setTimeZone(e.target.value)}
        />
        <TextField
          label="Address"
          name="address"
          maxLength={1000}
          value={address}
          error={errors.fields.address}
          onChange={(e) => setAddress(e.target.value)}
        />
        {errors.form ? <Alert>{errors.form}</Alert> : null}
        {added ? <Alert tone="success">Added {added}.</Alert> : null}
        <Button type="submit" pending={create.isPending}>
          Add site
        </Button>
      </form>
    </SectionCard>
  );
}

/** Owners and admins add a room, desk or equipment to a site, with its capacity and features. */
export function AddSpaceForm({ sites }: { sites: readonly FacilitySite[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [siteId, setSiteId] = useState("");
  const [kind, setKind] = useState<SpaceKind>("room");
  const [name, setName] = useState("");
  const [capacity, setCapacity] = useState("");
  const [features, setFeatures] = useState("");
  const [added, setAdded] = useState<string | null>(null);
  const chosenSite = siteId || sites[0]?.id || "";
  const create = useMutation(
    trpc.facilities.createSpace.mutationOptions({
      onSuccess: async (space) => {
        setAdded(space.name);
        setName("");
        setCapacity("");
        setFeatures("");
        await queryClient.invalidateQueries({
          queryKey: trpc.facilities.spaces.queryKey({ siteId: space.siteId }),
        });
      },
    }),
  );
  const errors = formErrors(create.error, ["siteId", "kind", "name", "capacity", "features"] as const);

  function submit(e: FormEvent) {
    e.preventDefault();
    setAdded(null);
    create.mutate({
      siteId: chosenSite,
      kind,
      name,
      capacity: capacity.trim() === "" ? null : Number(capacity),
      features: features
        .split(",")
        .map((f) => f.trim())
        .filter((f) => f !== ""),
    });
  }

  if (sites.length === 0)
    return (
      <SectionCard id="add-space" title="Add a space">
        <p className="text-sm text-slate-600">Add a site first; every space belongs to one.</p>
      </SectionCard>
    );

  return (
    <SectionCard
      id="add-space"
      title="Add a space"
      description="A bookable room, desk or piece of equipment."
    >
      <form className="space-y-3" onSubmit={submit} aria-label="Add a space">
        <div className="grid gap-3 sm:grid-cols-2">
          <SelectField
            label="Site"
            name="siteId"
            value={chosenSite}
            error={errors.fields.siteId}
            onChange={(e) => setSiteId(e.target.value)}
            options={sites.map((s) => ({ value: s.id, label: s.name }))}
          />
          <SelectField
            label="Kind"
            name="kind"
            value={kind}
            error={errors.fields.kind}
            onChange={(e) => {
              const chosen = KINDS.find((k) => k === e.target.value);
              if (chosen) setKind(chosen);
            }}
            options={KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] }))}
          />
        </div>
        <TextField
          label="Name"
          name="spaceName"
          required
          maxLength={200}
          value={name}
          error={errors.fields.name}
          onChange={(e) => setName(e.target.value)}
        />
        <div className="grid gap-3 sm:grid-cols-2">
          <TextField
            label="Capacity"
            name="capacity"
            type="number"
            min={1}
            step={1}
            inputMode="numeric"
            value={capacity}
            hint="People it seats; leave empty for none."
            error={errors.fields.capacity}
            onChange={(e) => setCapacity(e.target.value)}
          />
          <TextField
            label="Features"
            name="features"
            value={features}
            hint="Separated by commas: screen, whiteboard."
            error={errors.fields.features}
            onChange={(e) => setFeatures(e.target.value)}
          />
        </div>
        {errors.form ? <Alert>{errors.form}</Alert> : null}
        {added ? <Alert tone="success">Added {added}.</Alert> : null}
        <Button type="submit" pending={create.isPending}>
          Add space
        </Button>
      </form>
    </SectionCard>
  );
}
