const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export const formatDate = (date: Date): string => dateFormat.format(date);
export const formatDateTime = (date: Date): string => dateTimeFormat.format(date);

/** A length of time in minutes as people say it: "45 minutes", "2 hours", "3 days 4 hours". */
export function formatDuration(minutes: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  const parts = [
    days > 0 ? plural(days, "day") : null,
    hours > 0 ? plural(hours, "hour") : null,
    rest > 0 || minutes === 0 ? plural(rest, "minute") : null,
  ].filter((p) => p !== null);
  return parts.join(" ");
}
