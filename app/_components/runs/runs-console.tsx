"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { SectionCard } from "@/app/_components/ui/card";
import { useTRPC } from "@/app/_lib/trpc";
import { formErrors, type AppClientError } from "@/app/_lib/trpc-errors";
import type { RunsListInput } from "@/app/_lib/trpc-types";
import { RUN_FILTER_FIELDS, RunFilters } from "./run-filters";
import { RunsList } from "./runs-list";
import { SendTestEvent } from "./send-test-event";

/** The Runs page: a test event to send, the filter, and the matching runs. */
export function RunsConsole({ slug, testMessageMax }: { slug: string; testMessageMax: number }) {
  const trpc = useTRPC();
  const [filter, setFilter] = useState<RunsListInput>({});
  const [listError, setListError] = useState<AppClientError | null>(null);
  // The filter offers the functions the engine knows; without them it still filters by the rest.
  const functions = useQuery(trpc.runs.functions.queryOptions());
  const errors = formErrors(listError, RUN_FILTER_FIELDS);
  return (
    <div className="space-y-8">
      <SectionCard
        id="test-event-heading"
        title="Send a test event"
        description="Starts a short workflow in this tenant (a step, a two-second sleep, another step) and opens it, so you can watch the engine run it."
      >
        <SendTestEvent slug={slug} maxLength={testMessageMax} />
      </SectionCard>
      <SectionCard id="filter-heading" title="Filter">
        <RunFilters functions={functions.data ?? []} onApply={setFilter} fieldErrors={errors.fields} />
      </SectionCard>
      <SectionCard
        id="runs-heading"
        title="Runs"
        description="Newest first. Open a run to see its trigger, each step and its outcome."
      >
        <RunsList slug={slug} filter={filter} onError={setListError} />
      </SectionCard>
    </div>
  );
}
