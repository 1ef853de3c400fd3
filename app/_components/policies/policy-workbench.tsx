"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { SectionCard } from "@/app/_components/ui/card";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import type { CurrentPolicies, PolicyError, PolicyVersionSummary } from "@/app/_lib/trpc-types";
import { DraftProblems } from "./draft-problems";
import { PolicyEditor, revealRange } from "./policy-editor";
import { PolicyOutline } from "./policy-outline";
import { SavePoliciesForm } from "./save-policies-form";
import { lineRange, policyRange } from "./text-position";
import { useDraftCheck } from "./use-draft-check";
import { VersionHistory } from "./version-history";
import { WhatIfTester } from "./what-if-tester";

/**
 * The Policies page: loads the policies in force and edits a draft of them. The editor's draft belongs to
 * the version it was started from, so the workspace is keyed by that version: saving (or reloading after
 * someone else saved) starts a fresh draft of the new version. The current version is fetched only on
 * those occasions, never in the background, so nobody's draft is replaced while they type.
 */
export function PolicyWorkbench({ grantsHref }: { grantsHref: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const current = useQuery({
    ...trpc.policy.current.queryOptions(),
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });
  const [saved, setSaved] = useState<PolicyVersionSummary | null>(null);

  async function reload() {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.policy.current.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.policy.history.queryKey() }),
    ]);
  }

  if (current.isError) return <Alert>Could not load the policies: {current.error.message}</Alert>;
  if (!current.data) return <p className="text-sm text-slate-600">Loading the policies…</p>;
  return (
    <div className="space-y-4">
      {saved && saved.version === current.data.version ? (
        <Alert tone="success">
          Saved version {saved.version}: {saved.summary}. It is in force now.
        </Alert>
      ) : null}
      <PolicyWorkspace
        key={current.data.version}
        current={current.data}
        grantsHref={grantsHref}
        onSaved={(version) => {
          setSaved(version);
          void reload();
        }}
        onReload={() => {
          setSaved(null);
          void reload();
        }}
      />
    </div>
  );
}

function PolicyWorkspace({
  current,
  grantsHref,
  onSaved,
  onReload,
}: {
  current: CurrentPolicies;
  grantsHref: string;
  onSaved: (saved: PolicyVersionSummary) => void;
  onReload: () => void;
}) {
  const [draft, setDraft] = useState(current.text);
  const [restored, setRestored] = useState<number | null>(null);
  const [highlighted, setHighlighted] = useState<string | null>(null);
  const textareaRef = useRef<HTMLTextAreaElement>(null);
  const { state, outline } = useDraftCheck(draft, current.policies);
  const errors = state.status === "checked" && !state.result.ok ? state.result.errors : [];

  function goToError(error: PolicyError) {
    const textarea = textareaRef.current;
    if (!textarea) return;
    revealRange(textarea, lineRange(draft, error.line));
  }

  /** Selects the policy in the editor (and marks it in the outline); false when the draft has no such id. */
  function showPolicy(id: string): boolean {
    const range = policyRange(draft, id);
    const textarea = textareaRef.current;
    if (!range || !textarea) return false;
    setHighlighted(id);
    revealRange(textarea, range);
    return true;
  }

  return (
    <div className="space-y-8">
      <SectionCard
        id="policy-text-heading"
        title="Policy text"
        description={
          <>
            Editing a draft of version {current.version}, saved{" "}
            {current.author ? `by ${current.author} ` : ""}
            on <time dateTime={current.createdAt.toISOString()}>
              {formatDateTime(current.createdAt)}
            </time>: {current.summary}. Policies are written in Cedar; nothing changes until you save.
          </>
        }
      >
        <div className="space-y-4">
          {restored !== null ? (
            <Alert tone="success">
              Version {restored} is in the editor as a draft. Save it to make it the current policies again.
            </Alert>
          ) : null}
          <PolicyEditor
            label="Policies"
            value={draft}
            onChange={(text) => {
              setDraft(text);
              setHighlighted(null);
            }}
            textareaRef={textareaRef}
            errorLines={new Set(errors.map((e) => e.line))}
          />
          <DraftProblems state={state} onGoTo={goToError} />
          <SavePoliciesForm
            text={draft}
            baseVersion={current.version}
            unchanged={draft === current.text}
            onSaved={onSaved}
            onReload={onReload}
          />
        </div>
      </SectionCard>

      <SectionCard
        id="outline-heading"
        title="Outline"
        description="The draft's policies in order, as of its last check without problems. Forbids win over permits; an approval gate is a forbid that opens once its approver says yes."
      >
        <PolicyOutline policies={outline} highlighted={highlighted} onShow={showPolicy} />
      </SectionCard>

      <SectionCard
        id="what-if-heading"
        title="What if…"
        description="Ask whether someone could do something, without doing it or recording it. The deciding policies link to the editor."
      >
        <WhatIfTester
          draftText={draft}
          savedVersion={current.version}
          grantsHref={grantsHref}
          onShowPolicy={showPolicy}
        />
      </SectionCard>

      <SectionCard
        id="history-heading"
        title="Version history"
        description="Every saved version, newest first. Restoring an old version saves it again as a new one."
      >
        <VersionHistory
          currentVersion={current.version}
          onLoad={(version, text) => {
            setDraft(text);
            setRestored(version);
            textareaRef.current?.focus();
          }}
        />
      </SectionCard>
    </div>
  );
}
