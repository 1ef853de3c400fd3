"use client";

import { useState } from "react";
import { SectionCard } from "@/app/_components/ui/card";
import { formErrors, type AppClientError } from "@/app/_lib/trpc-errors";
import type { AuditListInput } from "@/app/_lib/trpc-types";
import { AuditEntries } from "./audit-entries";
import { AuditFilters } from "./audit-filters";
import { ChainStatus } from "./chain-status";
import { ExportButtons } from "./export-buttons";

const FILTER_FIELDS = ["actor", "action", "outcome", "from", "to", "text"] as const;

/** The audit console: chain status, filters, the matching entries and their export. */
export function AuditConsole() {
  const [filter, setFilter] = useState<AuditListInput>({});
  const [listError, setListError] = useState<AppClientError | null>(null);
  const errors = formErrors(listError, FILTER_FIELDS);
  return (
    <div className="space-y-8">
      <SectionCard
        id="chain-heading"
        title="Chain status"
        description="Every entry is hash-chained to the one before and signed at checkpoints. Verify checks that nothing was edited, removed or inserted."
      >
        <ChainStatus />
      </SectionCard>
      <SectionCard id="filter-heading" title="Filter">
        <AuditFilters onApply={setFilter} fieldErrors={errors.fields} />
      </SectionCard>
      <SectionCard
        id="entries-heading"
        title="Entries"
        description="Newest first. Open an entry to see everything recorded about it."
      >
        <div className="space-y-4">
          <ExportButtons filter={filter} />
          <AuditEntries filter={filter} onError={setListError} />
        </div>
      </SectionCard>
    </div>
  );
}
