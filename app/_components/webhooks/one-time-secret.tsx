"use client";

import { useRef, useState } from "react";
import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { TextField } from "@/app/_components/ui/field";

/**
 * A webhook secret right after it is made: only its sealed copy is kept and every later answer carries
 * its hint, so closing this loses it for good.
 */
export function OneTimeSecret({
  label,
  message,
  secret,
  onDone,
}: {
  label: string;
  message: string;
  secret: string;
  onDone: () => void;
}) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied("yes");
    } catch {
      // Clipboard access can be refused (insecure origin, permissions): select the text instead.
      inputRef.current?.select();
      setCopied("failed");
    }
  }
  return (
    <div
      role="region"
      aria-label={label}
      className="space-y-3 rounded-md border border-indigo-200 bg-indigo-50/50 p-4"
    >
      <Alert tone="success">{message} Copy the secret now: you will not see it again.</Alert>
      <div className="flex items-end gap-2">
        <TextField
          ref={inputRef}
          label="Signing secret"
          name="webhookSecret"
          readOnly
          value={secret}
          autoComplete="off"
          onFocus={(e) => e.currentTarget.select()}
          className="flex-1 font-mono"
        />
        <Button variant="secondary" onClick={() => void copy()}>
          {copied === "yes" ? "Copied" : "Copy secret"}
        </Button>
      </div>
      <p aria-live="polite" className="text-xs text-slate-600">
        {copied === "yes" ? "The secret is on your clipboard." : null}
        {copied === "failed"
          ? "Copying was blocked by the browser; the secret is selected, press Ctrl+C (⌘C) to copy it."
          : null}
      </p>
      <Button variant="ghost" size="sm" onClick={onDone}>
        I have copied it
      </Button>
    </div>
  );
}
