"use client";

import { useRef, useState } from "react";
import { Button } from "./button";
import { TextField } from "./field";

/**
 * A read-only value to copy (an invitation link, a feed URL, a secret shown once), with a copy button
 * and a spoken result. Clipboard access can be refused (insecure origin, permissions): the text is then
 * selected for the person to copy themselves.
 */
export function CopyField({
  label,
  name,
  value,
  what,
  hint,
  secret = false,
}: {
  label: string;
  name: string;
  value: string;
  /** How the button and messages call the value: "link", "secret", "token". */
  what: string;
  hint?: string;
  /** Monospaced, and kept out of the browser's autofill. */
  secret?: boolean;
}) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied("yes");
    } catch {
      inputRef.current?.select();
      setCopied("failed");
    }
  }

  return (
    <>
      <div className="flex items-end gap-2">
        <TextField
          ref={inputRef}
          label={label}
          name={name}
          readOnly
          value={value}
          hint={hint}
          autoComplete={secret ? "off" : undefined}
          onFocus={(e) => e.currentTarget.select()}
          className={secret ? "flex-1 font-mono" : "flex-1"}
        />
        <Button variant="secondary" onClick={() => void copy()}>
          {copied === "yes" ? "Copied" : `Copy ${what}`}
        </Button>
      </div>
      <p aria-live="polite" className="text-xs text-slate-600">
        {copied === "yes" ? `The ${what} is on your clipboard.` : null}
        {copied === "failed"
          ? `Copying was blocked by the browser; the ${what} is selected, press Ctrl+C (⌘C) to copy it.`
          : null}
      </p>
    </>
  );
}
