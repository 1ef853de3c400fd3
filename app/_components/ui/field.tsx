import { useId, type ComponentProps, type ReactNode } from "react";
import { inputClass } from "./styles";

type FrameProps = {
  label: string;
  /** Shown under the control in red, and announced with it. */
  error?: string | undefined;
  hint?: ReactNode;
  className?: string;
};

type ControlProps = {
  id: string;
  "aria-invalid": true | undefined;
  "aria-describedby": string | undefined;
  className: string;
};

/** A label, a control, and its hint or error, wired up through aria-describedby. */
function FieldFrame({
  label,
  error,
  hint,
  className = "",
  children,
}: FrameProps & { children: (control: ControlProps) => ReactNode }) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  // An error replaces the hint: they are usually about the same rule.
  const showHint = Boolean(hint) && !error;
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      {children({
        id,
        "aria-invalid": error ? true : undefined,
        "aria-describedby": error ? errorId : showHint ? hintId : undefined,
        className: `mt-1 ${inputClass}`,
      })}
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

type TextFieldProps = Omit<ComponentProps<"input">, "id" | "className"> & FrameProps & { name: string };

export function TextField({ label, error, hint, className, ...inputProps }: TextFieldProps) {
  return (
    <FieldFrame label={label} error={error} hint={hint} className={className}>
      {(control) => <input {...control} {...inputProps} />}
    </FieldFrame>
  );
}

type SelectFieldProps = Omit<ComponentProps<"select">, "id" | "className"> &
  FrameProps & { options: readonly { value: string; label: string }[] };

export function SelectField({ label, error, hint, className, options, ...selectProps }: SelectFieldProps) {
  return (
    <FieldFrame label={label} error={error} hint={hint} className={className}>
      {(control) => (
        <select {...control} {...selectProps}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </FieldFrame>
  );
}
