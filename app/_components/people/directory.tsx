"use client";

import { useQuery } from "@tanstack/react-query";
import { useDeferredValue, useState } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { SelectField, TextField } from "@/app/_components/ui/field";
import { focusRing } from "@/app/_components/ui/styles";
import { useTRPC } from "@/app/_lib/trpc";
import type { DirectoryEntry, DirectoryStatus } from "@/app/_lib/trpc-types";
import { PersonDetails } from "./person-details";

const STATUS_OPTIONS: readonly { value: DirectoryStatus; label: string }[] = [
  { value: "current", label: "Current (active and on leave)" },
  { value: "active", label: "Active" },
  { value: "on_leave", label: "On leave" },
  { value: "terminated", label: "Left" },
  { value: "all", label: "Everyone, leavers included" },
];

const STATUS_LABELS: Record<DirectoryStatus, string> = {
  current: "Current",
  active: "Active",
  on_leave: "On leave",
  terminated: "Left",
  all: "All",
};

const th = "px-3 py-3 text-left text-xs font-semibold text-slate-700 uppercase";
const td = "px-3 py-3 text-sm text-slate-800";

/** The directory: search and filters, then one row per person. */
export function Directory({ tenantName, canManage }: { tenantName: string; canManage: boolean }) {
  const trpc = useTRPC();
  const [search, setSearch] = useState("");
  const [departmentId, setDepartmentId] = useState("");
  const [status, setStatus] = useState<DirectoryStatus>("current");
  const [shown, setShown] = useState<string | null>(null);
  const deferredSearch = useDeferredValue(search.trim());
  const list = useQuery({
    ...trpc.hr.list.queryOptions({
      search: deferredSearch || undefined,
      departmentId: departmentId || undefined,
      status,
    }),
    placeholderData: (previous) => previous,
  });

  return (
    <div className="space-y-4">
      <form
        role="search"
        aria-label="Search the directory"
        className="grid gap-3 sm:grid-cols-3"
        onSubmit={(e) => e.preventDefault()}
      >
        <TextField
          label="Search"
          name="search"
          type="search"
          value={search}
          maxLength={100}
          placeholder="Name, email or title"
          onChange={(e) => setSearch(e.target.value)}
        />
        <SelectField
          label="Department"
          name="department"
          value={departmentId}
          onChange={(e) => setDepartmentId(e.target.value)}
          options={[
            { value: "", label: "All departments" },
            ...(list.data?.departments ?? []).map((d) => ({ value: d.id, label: d.name })),
          ]}
        />
        {canManage ? (
          <SelectField
            label="Status"
            name="status"
            value={status}
            onChange={(e) => {
              const chosen = STATUS_OPTIONS.find((o) => o.value === e.target.value);
              if (chosen) setStatus(chosen.value);
            }}
            options={STATUS_OPTIONS}
          />
        ) : null}
      </form>
      {shown ? <PersonDetails employeeId={shown} onClose={() => setShown(null)} /> : null}
      {list.isError ? <Alert>Could not load the directory: {list.error.message}</Alert> : null}
      {!list.data ? (
        <p className="text-sm text-slate-600">Loading the directory…</p>
      ) : list.data.employees.length === 0 ? (
        <p className="text-sm text-slate-600">
          {search || departmentId || status !== "current"
            ? "Nobody matches these filters."
            : canManage
              ? "Nobody is in the directory yet. Import your people from CSV under “Import and export”."
              : "Nobody is in the directory yet."}
        </p>
      ) : (
        <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-xs">
          <table className="min-w-full divide-y divide-slate-200">
            <caption className="sr-only">People of {tenantName}</caption>
            <thead className="bg-slate-50">
              <tr>
                <th scope="col" className={`${th} pl-4 sm:pl-6`}>
                  Name
                </th>
                <th scope="col" className={th}>
                  Title
                </th>
                <th scope="col" className={th}>
                  Department
                </th>
                <th scope="col" className={th}>
                  Manager
                </th>
                <th scope="col" className={th}>
                  Email
                </th>
                {canManage ? (
                  <>
                    <th scope="col" className={th}>
                      Number
                    </th>
                    <th scope="col" className={th}>
                      Status
                    </th>
                    <th scope="col" className={th}>
                      Started
                    </th>
                  </>
                ) : null}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200">
              {list.data.employees.map((person) => (
                <PersonRow key={person.id} person={person} onShow={() => setShown(person.id)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.data ? (
        <p className="text-xs text-slate-600" aria-live="polite">
          {list.data.employees.length} {list.data.employees.length === 1 ? "person" : "people"}
        </p>
      ) : null}
    </div>
  );
}

function PersonRow({ person, onShow }: { person: DirectoryEntry; onShow: () => void }) {
  const details = person.details;
  return (
    <tr>
      <th scope="row" className={`${td} pl-4 text-left font-medium text-slate-900 sm:pl-6`}>
        <button
          type="button"
          onClick={onShow}
          className={`text-left font-medium text-indigo-700 hover:underline ${focusRing}`}
        >
          {person.name}
        </button>
      </th>
      <td className={td}>{person.title || "—"}</td>
      <td className={td}>{person.department ?? "—"}</td>
      <td className={td}>{person.managerName ?? "—"}</td>
      <td className={td}>
        <a href={`mailto:${person.email}`} className="text-indigo-700 hover:underline">
          {person.email}
        </a>
      </td>
      {details ? (
        <>
          <td className={`${td} font-mono text-xs`}>{details.employeeNumber}</td>
          <td className={td}>{STATUS_LABELS[details.status]}</td>
          <td className={td}>
            {details.startDate}
            {details.endDate ? ` – ${details.endDate}` : ""}
          </td>
        </>
      ) : null}
    </tr>
  );
}
