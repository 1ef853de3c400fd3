import { TextField } from "@/app/_components/ui/field";

export const RANGE_ERROR = "The end date must not be before the start date";

/**
 * A range of whole days (yyyy-mm-dd, as date inputs give them) in the browser's time zone, both ends
 * included, as the half-open instants the server filters on: `to` is the start of the day after the
 * last one. Null when a day is not a date or the range ends before it starts.
 */
export function dayRange(from: string, to: string): { from?: Date; to?: Date } | null {
  const startOf = (day: string) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
    const date = new Date(`${day}T00:00:00`);
    return Number.isNaN(date.getTime()) ? null : date;
  };
  const start = from ? startOf(from) : undefined;
  const last = to ? startOf(to) : undefined;
  if (start === null || last === null) return null;
  if (start && last && last < start) return null;
  const end = last ? new Date(last.getFullYear(), last.getMonth(), last.getDate() + 1) : undefined;
  return { from: start, to: end };
}

/** The "From" and "To" date fields of a filter form. */
export function DateRangeFields({
  from,
  to,
  onFrom,
  onTo,
  errors,
}: {
  from: string;
  to: string;
  onFrom: (value: string) => void;
  onTo: (value: string) => void;
  errors: { from?: string; to?: string };
}) {
  return (
    <>
      <TextField
        label="From"
        name="from"
        type="date"
        value={from}
        onChange={(e) => onFrom(e.target.value)}
        error={errors.from}
      />
      <TextField
        label="To"
        name="to"
        type="date"
        value={to}
        onChange={(e) => onTo(e.target.value)}
        hint="Includes the whole day"
        error={errors.to}
      />
    </>
  );
}
