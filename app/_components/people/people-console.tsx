"use client";

import { useState } from "react";
import { focusRing } from "@/app/_components/ui/styles";
import { CsvPanel } from "./csv-panel";
import { Directory } from "./directory";
import { OrgChart } from "./org-chart";
import { ScimCard } from "./scim-card";

const TABS = [
  { id: "directory", label: "Directory", managers: false },
  { id: "org-chart", label: "Org chart", managers: false },
  { id: "import-export", label: "Import and export", managers: true },
  { id: "identity-provider", label: "Identity provider (SCIM)", managers: true },
] as const;
type Tab = (typeof TABS)[number]["id"];

/**
 * The People page: the directory and the org chart for every member; CSV import and export and the
 * identity provider's SCIM token for owners and admins (the API refuses everyone else too).
 */
export function PeopleConsole({ tenantName, canManage }: { tenantName: string; canManage: boolean }) {
  const [tab, setTab] = useState<Tab>("directory");
  const tabs = TABS.filter((t) => canManage || !t.managers);
  return (
    <div className="space-y-6">
      <div role="tablist" aria-label="People" className="flex flex-wrap gap-2 border-b border-slate-200">
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            onClick={() => setTab(t.id)}
            className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium ${focusRing} ${
              tab === t.id
                ? "border-indigo-600 text-indigo-800"
                : "border-transparent text-slate-700 hover:text-slate-900"
            }`}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === "directory" ? <Directory tenantName={tenantName} canManage={canManage} /> : null}
        {tab === "org-chart" ? <OrgChart tenantName={tenantName} /> : null}
        {tab === "import-export" ? <CsvPanel /> : null}
        {tab === "identity-provider" ? <ScimCard /> : null}
      </div>
    </div>
  );
}
