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

/**
 * A label, a control, and its hint or error, wired up through aria-describedby. For controls the fields
 * below do not cover (a grouped select, a code editor), render the control with the props it is given.
 */
export function FieldFrame({
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

type TextAreaFieldProps = Omit<ComponentProps<"textarea">, "id" | "className"> &
  FrameProps & { name: string };

export function TextAreaField({ label, error, hint, className, ...textareaProps }: TextAreaFieldProps) {
  return (
    <FieldFrame label={label} error={error} hint={hint} className={className}>
      {(control) => <textarea {...control} {...textareaProps} />}
    </FieldFrame>
  );
}

type CheckboxFieldProps = Omit<ComponentProps<"input">, "id" | "className" | "type"> & {
  label: ReactNode;
  hint?: ReactNode;
  className?: string;
};

/** A checkbox with its label beside it (the whole label toggles it) and an optional hint below. */
export function CheckboxField({ label, hint, className = "", ...inputProps }: CheckboxFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className={`flex items-start gap-2 ${className}`}>
      <input
        id={id}
        type="checkbox"
        aria-describedby={hint ? hintId : undefined}
        className="mt-0.5 size-4 shrink-0 rounded border-slate-300 text-indigo-600 accent-indigo-600 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
        {...inputProps}
      />
      <div className="min-w-0">
        <label htmlFor={id} className="text-sm text-slate-800">
          {label}
        </label>
        {hint ? (
          <p id={hintId} className="text-xs text-slate-600">
            {hint}
          </p>
        ) : null}
      </div>
    </div>
  );
}
