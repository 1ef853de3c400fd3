"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { SectionCard } from "@/app/_components/ui/card";
import { TextAreaField, TextField } from "@/app/_components/ui/field";
import { useTRPC } from "@/app/_lib/trpc";
import type { CsvImportError, CsvImportSummary } from "@/app/_lib/trpc-types";

const MAX_BYTES = 2 * 1024 * 1024;
const COLUMNS =
  "employee_number, given_name, family_name, email, start_date (required); title, department, manager_email, status, location, time_zone, end_date";

/** Import (a file or pasted text; all or nothing, every bad row listed) and export, as CSV. */
export function CsvPanel() {
  return (
    <div className="space-y-6">
      <ImportCard />
      <ExportCard />
    </div>
  );
}

function ImportCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [text, setText] = useState("");
  const [fileError, setFileError] = useState<string | null>(null);
  const [errors, setErrors] = useState<CsvImportError[] | null>(null);
  const [summary, setSummary] = useState<CsvImportSummary | null>(null);
  const importing = useMutation(
    trpc.hr.csvImport.mutationOptions({
      onSuccess: async (answer) => {
        if (answer.outcome === "refused") {
          setErrors(answer.errors);
          setSummary(null);
          return;
        }
        setErrors(null);
        setSummary(answer.imported);
        await queryClient.invalidateQueries({ queryKey: trpc.hr.pathKey() });
      },
    }),
  );

  async function readFile(file: File | undefined) {
    setFileError(null);
    if (!file) return;
    if (file.size > MAX_BYTES) {
      setFileError("This file is larger than 2 MB; split it and import the parts one after the other.");
      return;
    }
    setText(await file.text());
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    setErrors(null);
    setSummary(null);
    importing.mutate({ csv: text });
  }

  return (
    <SectionCard
      id="import-csv"
      title="Import CSV"
      description={
        <>
          One row per person, matched by employee number: new numbers are added, known ones updated. If any
          row has a problem nothing is imported, and every problem is listed. Columns: {COLUMNS}.
        </>
      }
    >
      <form aria-label="Import CSV" className="space-y-4" onSubmit={submit}>
        <TextField
          label="CSV file"
          name="file"
          type="file"
          accept=".csv,text/csv"
          error={fileError ?? undefined}
          onChange={(e) => void readFile(e.target.files?.[0])}
        />
        <TextAreaField
          label="Or paste the CSV"
          name="csv"
          rows={8}
          value={text}
          spellCheck={false}
          className="font-mono"
          onChange={(e) => setText(e.target.value)}
          error={importing.error?.message}
        />
        <Button type="submit" pending={importing.isPending} disabled={text.trim() === ""}>
          Import
        </Button>
      </form>
      <div className="mt-4 space-y-3">
        {summary ? (
          <Alert tone="success">
            Imported: {summary.created} added, {summary.updated} updated, {summary.unchanged} unchanged
            {summary.terminated > 0 ? `, ${summary.terminated} offboarded` : ""}
            {summary.departmentsCreated.length > 0
              ? `. New departments: ${summary.departmentsCreated.join(", ")}`
              : ""}
            .
          </Alert>
        ) : null}
        {errors ? <ImportErrors errors={errors} /> : null}
      </div>
    </SectionCard>
  );
}

function ImportErrors({ errors }: { errors: CsvImportError[] }) {
  const rows = new Set(errors.map((e) => e.row)).size;
  return (
    <div className="space-y-3">
      <Alert>
        Nothing was imported: {rows} {rows === 1 ? "row has" : "rows have"} problems. Fix them and import the
        file again.
      </Alert>
      <div className="overflow-x-auto rounded-lg border border-red-200 bg-white">
        <table className="min-w-full divide-y divide-slate-200">
          <caption className="sr-only">Problems in the file</caption>
          <thead className="bg-red-50">
            <tr>
              <th scope="col" className="px-3 py-2 text-left text-xs font-semibold text-slate-700 uppercase">
                Row
              </th>
              <th scope="col" className="px-3 py-2 text-left text-xs font-semibold text-slate-700 uppercase">
                Column
              </th>
              <th scope="col" className="px-3 py-2 text-left text-xs font-semibold text-slate-700 uppercase">
                Problem
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-200">
            {errors.map((error, i) => (
              <tr key={`${error.row}-${error.column ?? ""}-${i}`}>
                <td className="px-3 py-2 text-sm text-slate-800">{error.row}</td>
                <td className="px-3 py-2 font-mono text-xs text-slate-800">{error.column ?? "—"}</td>
                <td className="px-3 py-2 text-sm text-slate-800">{error.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function ExportCard() {
  const trpc = useTRPC();
  const exporting = useMutation(
    trpc.hr.csvExport.mutationOptions({
      onSuccess: ({ csv, filename }) => {
        const url = URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" }));
        const link = document.createElement("a");
        link.href = url;
        link.download = filename;
        document.body.append(link);
        link.click();
        link.remove();
        URL.revokeObjectURL(url);
      },
    }),
  );
  return (
    <SectionCard
      id="export-csv"
      title="Export CSV"
      description="Everyone, leavers included, in the import's columns: edit the file and import it again. The export is recorded in the audit log."
    >
      {exporting.error ? <Alert>Could not export: {exporting.error.message}</Alert> : null}
      <Button variant="secondary" pending={exporting.isPending} onClick={() => exporting.mutate()}>
        Export CSV
      </Button>
      {exporting.data ? (
        <p className="mt-2 text-xs text-slate-600" role="status">
          Downloaded {exporting.data.filename}.
        </p>
      ) : null}
    </SectionCard>
  );
}
