import { useId, type ComponentProps, type ReactNode } from "react";
import { inputClass } from "./styles";

type TextFieldProps = Omit<ComponentProps<"input">, "id"> & {
  label: string;
  name: string;
  /** Shown under the input in red, and announced with the input. */
  error?: string | undefined;
  hint?: ReactNode;
};

/** A labelled input with its hint and error wired up through aria-describedby. */
export function TextField({ label, error, hint, className = "", ...inputProps }: TextFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  // An error replaces the hint: they are usually about the same rule.
  const showHint = Boolean(hint) && !error;
  const describedBy = showHint ? hintId : error ? errorId : undefined;
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        className={`mt-1 ${inputClass}`}
        {...inputProps}
      />
      {showHint ? (
        <p id={hintId} className="mt-1 text-xs text-slate-600">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="mt-1 text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
