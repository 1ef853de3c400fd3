"use client";

import { Alert } from "@/app/_components/ui/alert";
import { Button } from "@/app/_components/ui/button";
import { CopyField } from "@/app/_components/ui/copy-field";

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
  return (
    <div
      role="region"
      aria-label={label}
      className="space-y-3 rounded-md border border-indigo-200 bg-indigo-50/50 p-4"
    >
      <Alert tone="success">{message} Copy the secret now: you will not see it again.</Alert>
      <CopyField label="Signing secret" name="webhookSecret" value={secret} what="secret" secret />
      <Button variant="ghost" size="sm" onClick={onDone}>
        I have copied it
      </Button>
    </div>
  );
}
