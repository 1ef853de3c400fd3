"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { SectionCard } from "@/app/_components/ui/card";
import { CopyField } from "@/app/_components/ui/copy-field";
import { TextField } from "@/app/_components/ui/field";
import { formatDateTime } from "@/app/_lib/format";
import { useTRPC } from "@/app/_lib/trpc";
import type { GeneratedScimToken } from "@/app/_lib/trpc-types";

/**
 * The identity provider's connection: the tenant's SCIM base URL and token. A new token is shown once,
 * here, right after it is made: only its hash is kept, so closing the page loses it for good.
 */
export function ScimCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const status = useQuery(trpc.scim.status.queryOptions());
  const [fresh, setFresh] = useState<GeneratedScimToken | null>(null);
  const [confirming, setConfirming] = useState<"rotate" | "revoke" | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.scim.status.queryKey() });
  const generate = useMutation(
    trpc.scim.generateToken.mutationOptions({
      onSuccess: async (made) => {
        setFresh(made);
        setConfirming(null);
        await refresh();
      },
    }),
  );
  const revoke = useMutation(
    trpc.scim.revokeToken.mutationOptions({
      onSuccess: async () => {
        setFresh(null);
        setConfirming(null);
        await refresh();
      },
    }),
  );

  if (status.isError) return <Alert>Could not load the SCIM settings: {status.error.message}</Alert>;
  if (!status.data) return <p className="text-sm text-slate-600">Loading the SCIM settings…</p>;
  const token = status.data.token;

  return (
    <SectionCard
      id="scim"
      title="Identity provider (SCIM)"
      description="Okta, Microsoft Entra ID or any SCIM 2.0 identity provider adds, updates and removes this tenant's members. Give it the base URL and a token."
    >
      <div className="space-y-4">
        <TextField
          label="SCIM base URL"
          name="scimBaseUrl"
          readOnly
          value={status.data.baseUrl}
          onFocus={(e) => e.currentTarget.select()}
        />
        <dl className="grid gap-2 text-sm sm:grid-cols-3" aria-label="SCIM token">
          <div>
            <dt className="font-medium text-slate-800">Token</dt>
            <dd className="font-mono text-slate-700">{token ? token.hint : "None"}</dd>
          </div>
          <div>
            <dt className="font-medium text-slate-800">Created</dt>
            <dd className="text-slate-700">{token ? formatDateTime(token.createdAt) : "—"}</dd>
          </div>
          <div>
            <dt className="font-medium text-slate-800">Last used</dt>
            <dd className="text-slate-700">
              {token ? (token.lastUsedAt ? formatDateTime(token.lastUsedAt) : "Never") : "—"}
            </dd>
          </div>
        </dl>
        {fresh ? <NewToken made={fresh} onDone={() => setFresh(null)} /> : null}
        {generate.error ? <Alert>Could not make a token: {generate.error.message}</Alert> : null}
        {revoke.error ? <Alert>Could not revoke the token: {revoke.error.message}</Alert> : null}
        {confirming ? (
          <div
            role="region"
            aria-label={confirming === "rotate" ? "Rotate the SCIM token" : "Revoke the SCIM token"}
            className="space-y-3 rounded-md border border-amber-200 bg-amber-50 p-4 text-sm text-slate-800"
          >
            <p>
              {confirming === "rotate"
                ? "The current token stops working at once; your identity provider needs the new one."
                : "Your identity provider can no longer add or remove members until you make a new token."}
            </p>
            <div className="flex gap-2">
              {confirming === "rotate" ? (
                <Button pending={generate.isPending} onClick={() => generate.mutate()}>
                  Yes, rotate it
                </Button>
              ) : (
                <Button variant="danger" pending={revoke.isPending} onClick={() => revoke.mutate()}>
                  Yes, revoke it
                </Button>
              )}
              <Button variant="secondary" onClick={() => setConfirming(null)}>
                Cancel
              </Button>
            </div>
          </div>
        ) : (
          <div className="flex flex-wrap gap-2">
            {token ? (
              <>
                <Button variant="secondary" onClick={() => setConfirming("rotate")}>
                  Rotate token
                </Button>
                <Button variant="danger" onClick={() => setConfirming("revoke")}>
                  Revoke token
                </Button>
              </>
            ) : (
              <Button pending={generate.isPending} onClick={() => generate.mutate()}>
                Generate token
              </Button>
            )}
          </div>
        )}
      </div>
    </SectionCard>
  );
}

function NewToken({ made, onDone }: { made: GeneratedScimToken; onDone: () => void }) {
  return (
    <div
      role="region"
      aria-label="New SCIM token"
      className="space-y-3 rounded-md border border-indigo-200 bg-indigo-50/50 p-4"
    >
      <Alert tone="success">
        {made.rotated ? "Rotated the token: the previous one no longer works." : "Made a SCIM token."} Copy it
        now: you will not see it again.
      </Alert>
      <CopyField label="SCIM token" name="scimToken" value={made.token} what="token" secret />
      <Button variant="ghost" size="sm" onClick={onDone}>
        I have copied it
      </Button>
    </div>
  );
}
