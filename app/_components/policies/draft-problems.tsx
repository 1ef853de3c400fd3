"use client";

import { Alert } from "@/app/_components/ui/alert";
import { focusRing } from "@/app/_components/ui/styles";
import type { PolicyError } from "@/app/_lib/trpc-types";
import type { DraftCheckState } from "./use-draft-check";

/**
 * What the live check found: "Checking…", "No problems", or each error as "line:column message". An
 * error is a button that selects its line in the editor.
 */
export function DraftProblems({
  state,
  onGoTo,
}: {
  state: DraftCheckState;
  onGoTo: (error: PolicyError) => void;
}) {
  if (state.status === "failed") return <Alert>Could not check the draft: {state.message}</Alert>;
  const errors = state.status === "checked" && !state.result.ok ? state.result.errors : [];
  return (
    <div className="space-y-2">
      <p aria-live="polite" className="text-sm text-slate-700">
        {state.status === "checking"
          ? "Checking the draft…"
          : state.result.ok
            ? `No problems found: ${state.result.policies.length} ${state.result.policies.length === 1 ? "policy" : "policies"}.`
            : `${errors.length} ${errors.length === 1 ? "problem" : "problems"} found. Select one to go to its line.`}
      </p>
      {errors.length > 0 ? (
        <ul aria-label="Problems in the draft" className="space-y-1">
          {errors.map((error, i) => (
            <li key={`${error.line}:${error.column}:${i}`}>
              <button
                type="button"
                onClick={() => onGoTo(error)}
                className={`w-full rounded-md border border-red-200 bg-red-50 px-3 py-2 text-left text-sm text-red-900 hover:bg-red-100 ${focusRing}`}
              >
                <span className="font-mono font-semibold">
                  {error.line}:{error.column}
                </span>{" "}
                {error.message}
                {error.policyId ? <span className="text-red-800"> (in {error.policyId})</span> : null}
                {error.help ? <span className="mt-1 block text-xs text-red-800">{error.help}</span> : null}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
