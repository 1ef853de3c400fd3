"use client";

import { useRef, type RefObject } from "react";
import { FieldFrame } from "@/app/_components/ui/field";
import { lineAt, type TextRange } from "./text-position";

// The gutter and the text must share one font and line height, or the numbers drift from their lines.
const TEXT_STYLE = "font-mono text-sm leading-6";

/**
 * Policy text in a monospace textarea with line numbers beside it. Lines never wrap (`wrap="off"`), so
 * line N of the text is always row N of the gutter. `errorLines` are marked in the gutter.
 */
export function PolicyEditor({
  label,
  value,
  onChange,
  textareaRef,
  readOnly = false,
  errorLines,
  error,
  hint,
}: {
  label: string;
  value: string;
  onChange?: (value: string) => void;
  textareaRef?: RefObject<HTMLTextAreaElement | null>;
  readOnly?: boolean;
  errorLines?: ReadonlySet<number>;
  error?: string | undefined;
  hint?: string;
}) {
  const gutterRef = useRef<HTMLDivElement>(null);
  const lineCount = value.split("\n").length;
  return (
    <FieldFrame label={label} error={error} hint={hint}>
      {(control) => (
        <div className="mt-1 flex h-[28rem] overflow-hidden rounded-md border border-slate-300 bg-white shadow-xs focus-within:border-indigo-600 focus-within:outline-2 focus-within:outline-indigo-600">
          <div
            aria-hidden="true"
            className="w-12 shrink-0 overflow-hidden border-r border-slate-200 bg-slate-50"
          >
            <div ref={gutterRef} className={`py-2 pr-2 text-right text-slate-500 select-none ${TEXT_STYLE}`}>
              {Array.from({ length: lineCount }, (_, i) => (
                <div
                  key={i}
                  className={errorLines?.has(i + 1) ? "bg-red-100 font-semibold text-red-700" : ""}
                >
                  {i + 1}
                </div>
              ))}
            </div>
          </div>
          <textarea
            id={control.id}
            aria-invalid={control["aria-invalid"]}
            aria-describedby={control["aria-describedby"]}
            ref={textareaRef}
            value={value}
            readOnly={readOnly}
            onChange={(e) => onChange?.(e.target.value)}
            onScroll={(e) => {
              if (gutterRef.current)
                gutterRef.current.style.transform = `translateY(-${e.currentTarget.scrollTop}px)`;
            }}
            wrap="off"
            spellCheck={false}
            autoCapitalize="off"
            autoComplete="off"
            autoCorrect="off"
            className={`min-w-0 flex-1 resize-none overflow-auto bg-transparent px-3 py-2 whitespace-pre text-slate-900 outline-none read-only:bg-slate-50 ${TEXT_STYLE}`}
          />
        </div>
      )}
    </FieldFrame>
  );
}

/**
 * Selects `range` in the textarea and scrolls it to about a third of the way down, so what was asked for
 * is in view with some context above it. Focus moves to the textarea, where typing continues.
 */
export function revealRange(textarea: HTMLTextAreaElement, range: TextRange): void {
  textarea.focus();
  textarea.setSelectionRange(range.start, range.end);
  const lineHeight = Number.parseFloat(getComputedStyle(textarea).lineHeight) || 24;
  const line = lineAt(textarea.value, range.start);
  textarea.scrollTop = Math.max(0, (line - 1) * lineHeight - textarea.clientHeight / 3);
}
