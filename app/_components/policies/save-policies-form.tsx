"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { TextField } from "@/app/_components/ui/field";
import { useTRPC } from "@/app/_lib/trpc";
import { formErrors } from "@/app/_lib/trpc-errors";
import type { PolicyVersionSummary } from "@/app/_lib/trpc-types";

const FIELDS = ["summary"] as const;

/**
 * Saves the draft as the next version. It is sent with the version it was started from, so if someone
 * saved in between the server refuses (CONFLICT) instead of overwriting their change; the form then
 * offers to load the latest version.
 */
export function SavePoliciesForm({
  text,
  baseVersion,
  unchanged,
  onSaved,
  onReload,
}: {
  text: string;
  baseVersion: number;
  unchanged: boolean;
  onSaved: (saved: PolicyVersionSummary) => void;
  onReload: () => void;
}) {
  const trpc = useTRPC();
  const [summary, setSummary] = useState("");
  const save = useMutation(trpc.policy.save.mutationOptions({ onSuccess: onSaved }));
  const conflict = save.error?.data?.code === "CONFLICT";
  // Other refusals are about the text that was sent (its errors come back as field errors on `text`, shown
  // here like any other message): once the draft changes they no longer apply, and the live check speaks.
  const errors = formErrors(conflict || save.variables?.text !== text ? null : save.error, FIELDS);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    save.mutate({ text, summary, baseVersion });
  }

  return (
    <form onSubmit={onSubmit} aria-label="Save the policies" className="space-y-3">
      <div className="grid gap-3 sm:grid-cols-[1fr_auto] sm:items-start">
        <TextField
          label="Summary of the change"
          name="summary"
          required
          minLength={3}
          maxLength={200}
          value={summary}
          onChange={(e) => setSummary(e.target.value)}
          hint="Shown in the version history and the audit log."
          error={errors.fields.summary}
        />
        <Button type="submit" pending={save.isPending} disabled={unchanged} className="sm:mt-6">
          Save as version {baseVersion + 1}
        </Button>
      </div>
      {unchanged ? (
        <p className="text-xs text-slate-600">The draft is the same as version {baseVersion}.</p>
      ) : null}
      {conflict ? (
        <div
          role="alert"
          className="space-y-2 rounded-md border border-amber-300 bg-amber-50 px-3 py-3 text-sm text-amber-950"
        >
          <p className="font-semibold">Someone else saved the policies while you were editing.</p>
          <p>{save.error?.message}</p>
          <p>Loading the latest version replaces your draft here: copy any change you want to keep first.</p>
          <Button variant="secondary" size="sm" onClick={onReload}>
            Load the latest version
          </Button>
        </div>
      ) : (
        <Alert>{errors.form ? `Could not save: ${errors.form}` : null}</Alert>
      )}
    </form>
  );
}
